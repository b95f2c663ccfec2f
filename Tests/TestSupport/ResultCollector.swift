import Foundation
import Synchronization
import ZeroMQ

/// One message from the daemon's PUB socket.
public struct Published: Sendable {
    public let topic: String
    public let body: [UInt8]

    /// The envelope as a JSON object.
    public var json: [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(self.body))) as? [String: Any]) ?? [:]
    }

    public var seq: Int64? { (self.json["seq"] as? NSNumber)?.int64Value }

    /// A value at a dotted path.
    public func value(_ path: String) -> Any? {
        var current: Any? = self.json
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }
}

/// Subscribes to a PUB endpoint on a thread of its own and keeps everything it receives.
public final class ResultCollector: Sendable {
    private let received = Mutex<[Published]>([])
    private let stopped = Atomic<Bool>(false)
    private let connected = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    public init(context: Context, endpoint: String) {
        let thread = Thread { [self] in
            defer { self.finished.signal() }
            guard let socket = try? Socket(context, type: .sub, lingerMilliseconds: 0) else { return }
            try? socket.setReceiveHighWaterMark(1_000_000)
            try? socket.subscribe("")
            try? socket.connect(endpoint)
            var items = [socket.pollItem(.readable)]
            while !self.stopped.load(ordering: .relaxed) {
                _ = try? poll(&items, timeoutMilliseconds: 50)
                while let message = try? socket.receive(dontWait: true), message.frames.count == 2 {
                    let published = Published(topic: message.string(0) ?? "", body: message.frames[1])
                    if published.topic == "heartbeat" { self.connected.store(true, ordering: .relaxed) }
                    self.received.withLock { $0.append(published) }
                }
            }
        }
        thread.start()
    }

    /// Waits until a heartbeat arrived, i.e. the subscription is live (PUB drops what is sent before it).
    public func waitUntilConnected(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !self.connected.load(ordering: .relaxed) {
            if Date() > deadline { throw TestFailure("no heartbeat within \(timeout) s") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    public var all: [Published] { self.received.withLock { $0 } }

    /// Waits until `count` messages match `predicate`, returning them.
    @discardableResult
    public func wait(
        for count: Int = 1, timeout: Double = 60, _ predicate: (Published) -> Bool
    ) throws -> [Published] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let matches = self.all.filter(predicate)
            if matches.count >= count { return matches }
            if Date() > deadline {
                throw TestFailure("only \(matches.count) of \(count) expected messages within \(timeout) s")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    public func stop() {
        self.stopped.store(true, ordering: .relaxed)
        self.finished.wait()
    }
}
