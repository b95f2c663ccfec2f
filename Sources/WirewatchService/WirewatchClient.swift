import Articles
import Foundation
import ZeroMQ

/// The client side of the daemon's sockets, used by the `wirewatch` CLI and the integration tests.
/// Each method creates and owns its sockets on the calling thread.
public struct WirewatchClient: Sendable {
    public let context: Context
    /// CURVE keys, when the daemon's sockets are encrypted.
    public let curve: ClientCurve?

    public init(context: Context, curve: ClientCurve? = nil) {
        self.context = context
        self.curve = curve
    }

    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    // MARK: Acked submit

    /// The daemon's answer to one submitted article.
    public struct Ack: Sendable {
        public let location: String
        public let ok: Bool
        public let code: String?
        public let reason: String?
    }

    /// Submits articles over the acked ROUTER and waits for every answer. Keeps up to `window` in flight.
    /// - Parameters:
    ///   - timeout: seconds without any answer after which the rest count as unacknowledged.
    ///   - progress: called with (answered, total) as answers arrive.
    /// - Returns: one answer per acknowledged item; items missing from it were never acknowledged.
    public func send(
        _ items: [ArticleFiles.Item], to endpoint: String, window: Int = 500, timeout: Double = 30,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [Ack] {
        let socket = try Socket(self.context, type: .dealer, lingerMilliseconds: 0)
        try socket.setSendHighWaterMark(window * 2)
        try socket.setReceiveHighWaterMark(window * 2)
        try self.curve.apply(to: socket)
        try socket.connect(endpoint)
        var acks: [Int: Ack] = [:]
        var next = 0
        var lastAnswer = Date()
        var items_ = [socket.pollItem(.readable)]
        while acks.count < items.count {
            while next < items.count && next - acks.count < window {
                try socket.send([Array(String(next).utf8), items[next].payload])
                next += 1
            }
            try poll(&items_, timeoutMilliseconds: 200)
            while let message = try socket.receive(dontWait: true) {
                guard message.frames.count == 2, let index = Int(String(decoding: message.frames[0], as: UTF8.self)),
                    index >= 0, index < items.count
                else { continue }
                let body = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(message.frames[1]))) ?? [:]
                var ok = false
                var code: String? = nil
                var reason: String? = nil
                if case .bool(let value)? = body["ok"] { ok = value }
                if case .string(let value)? = body["code"] { code = value }
                if case .string(let value)? = body["reason"] { reason = value }
                acks[index] = Ack(location: items[index].location, ok: ok, code: code, reason: reason)
                lastAnswer = Date()
                progress(acks.count, items.count)
            }
            if Date().timeIntervalSince(lastAnswer) > timeout { break }
        }
        return acks.keys.sorted().map { acks[$0]! }
    }

    // MARK: Replay, inspect, stats

    /// One journaled envelope.
    public struct Entry: Sendable {
        public let seq: Int64
        public let topic: String
        public let envelope: [UInt8]
    }

    public struct ReplayPage: Sendable {
        public let entries: [Entry]
        public let lastSeq: Int64
        public let oldestSeq: Int64
        public let more: Bool
    }

    /// Opens a DEALER to the replay endpoint for several requests.
    public func replaySession(_ endpoint: String) throws -> ReplaySession {
        try ReplaySession(context: self.context, endpoint: endpoint, curve: self.curve)
    }
}

/// Requests to the replay ROUTER over one DEALER connection.
public struct ReplaySession: ~Copyable {
    let socket: Socket
    public var timeout: Double = 10

    init(context: Context, endpoint: String, curve: ClientCurve?) throws {
        let socket = try Socket(context, type: .dealer, lingerMilliseconds: 0)
        try socket.setReceiveHighWaterMark(100_000)
        try curve.apply(to: socket)
        try socket.connect(endpoint)
        self.socket = socket
    }

    /// Receives one reply message, failing after `timeout` seconds.
    func receive() throws -> Message {
        var items = [self.socket.pollItem(.readable)]
        let deadline = Date().addingTimeInterval(self.timeout)
        while Date() < deadline {
            try poll(&items, timeoutMilliseconds: 100)
            if let message = try self.socket.receive(dontWait: true) { return message }
        }
        throw WirewatchClient.ClientError("no answer from the replay endpoint within \(Int(self.timeout)) s (is wirewatchd running?)")
    }

    func request(_ object: [String: JSONValue]) throws {
        try self.socket.send([[UInt8](try JSONEncoder().encode(JSONValue.object(object)))])
    }

    /// Envelopes with `seq > since`, at most `limit`.
    public func replay(since: Int64, limit: Int = 1000) throws -> WirewatchClient.ReplayPage {
        try self.request(["op": .string("replay"), "since": .number(Double(since)), "limit": .number(Double(limit))])
        var entries: [WirewatchClient.Entry] = []
        while true {
            let message = try self.receive()
            let kind = message.string(0) ?? ""
            switch kind {
            case "entry" where message.frames.count == 3:
                let envelope = message.frames[2]
                let seq = Self.seq(of: envelope) ?? 0
                entries.append(.init(seq: seq, topic: message.string(1) ?? "", envelope: envelope))
            case "end":
                let body = Self.object(message.frames.last ?? [])
                return WirewatchClient.ReplayPage(
                    entries: entries, lastSeq: Self.int(body["last_seq"]), oldestSeq: Self.int(body["oldest_seq"]),
                    more: body["more"] == .bool(true)
                )
            case "error":
                throw WirewatchClient.ClientError("replay refused: \(Self.object(message.frames.last ?? [])["reason"].map { "\($0)" } ?? "?")")
            default:
                continue
            }
        }
    }

    /// The latest journaled `seq`.
    public func lastSeq() throws -> Int64 {
        try self.replay(since: Int64.max / 2, limit: 1).lastSeq
    }

    /// A single-frame answer to `inspect` or `stats`, as JSON.
    public func query(_ op: String, _ extra: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        var request = extra
        request["op"] = .string(op)
        try self.request(request)
        let message = try self.receive()
        let body = Self.object(message.frames.last ?? [])
        if message.string(0) == "error" {
            throw WirewatchClient.ClientError("\(op) refused: \(body["reason"].map { "\($0)" } ?? "?")")
        }
        return body
    }

    static func object(_ frame: Frame) -> [String: JSONValue] {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(frame))) ?? [:]
    }

    static func int(_ value: JSONValue?) -> Int64 {
        if case .number(let number)? = value { return Int64(number) }
        return 0
    }

    /// The `seq` field of an envelope, read without decoding the rest.
    public static func seq(of envelope: [UInt8]) -> Int64? {
        if case .number(let number)? = Self.object(envelope)["seq"] { return Int64(number) }
        return nil
    }
}
