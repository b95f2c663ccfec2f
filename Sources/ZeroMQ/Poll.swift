import CZeroMQ

/// What a poll waits for.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// One entry of a `poll` call. It borrows a socket's handle, so it must only be used on the socket's owning
/// thread, while the socket is alive.
public struct PollItem {
    var raw: zmq_pollitem_t

    init(socket: UnsafeMutableRawPointer, events: PollEvents) {
        self.raw = zmq_pollitem_t(socket: socket, fd: 0, events: events.rawValue, revents: 0)
    }

    /// What the last poll found.
    public var returned: PollEvents { PollEvents(rawValue: self.raw.revents) }
    public var isReadable: Bool { self.returned.contains(.readable) }
}

/// Waits until one of `items` is ready or `timeoutMilliseconds` passes (-1: forever).
/// Unlike `ZMQ_FD`, `zmq_poll` is level-triggered, which avoids the edge-triggered wake-up trap.
/// - Returns: how many items are ready.
@discardableResult
public func poll(_ items: inout [PollItem], timeoutMilliseconds: Int) throws(ZMQError) -> Int {
    var raw = items.map(\.raw)
    let count = try zmqCall("zmq_poll") { zmq_poll(&raw, Int32(raw.count), timeoutMilliseconds) }
    for index in items.indices { items[index].raw.revents = raw[index].revents }
    return Int(count)
}
