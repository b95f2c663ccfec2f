import CZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The ZeroMQ socket types Wirewatch uses.
public enum SocketType: Sendable {
    case pair, pub, sub, req, rep, dealer, router, pull, push, xpub, xsub

    var rawValue: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pull: ZMQ_PULL
        case .push: ZMQ_PUSH
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        }
    }
}

/// One message part.
public typealias Frame = [UInt8]

/// An owned libzmq socket.
///
/// libzmq sockets are not thread-safe: "ØMQ sockets are not thread safe. Applications MUST NOT use a socket from
/// multiple threads". The type is `~Copyable` and not `Sendable`, so one value — and so one owner — exists, and
/// the socket is closed exactly once when that owner drops it.
public struct Socket: ~Copyable {
    let handle: UnsafeMutableRawPointer
    public let type: SocketType

    /// Creates a socket with a bounded linger (libzmq's default of -1 makes `zmq_ctx_term` wait forever for
    /// undelivered messages).
    public init(_ context: Context, type: SocketType, lingerMilliseconds: Int = 1000) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else { throw ZMQError.last("zmq_socket") }
        var linger = Int32(clamping: lingerMilliseconds)
        guard zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size) == 0 else {
            let error = ZMQError.last("zmq_setsockopt(ZMQ_LINGER)")
            zmq_close(handle)
            throw error
        }
        self.handle = handle
        self.type = type
    }

    deinit {
        _ = zmq_close(self.handle)
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, e.g. `tcp://127.0.0.1:5555` or `tcp://127.0.0.1:*`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        _ = try zmqCall("zmq_bind(\(endpoint))") { zmq_bind(self.handle, endpoint) }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        _ = try zmqCall("zmq_connect(\(endpoint))") { zmq_connect(self.handle, endpoint) }
    }

    public func unbind(_ endpoint: String) throws(ZMQError) {
        _ = try zmqCall("zmq_unbind(\(endpoint))") { zmq_unbind(self.handle, endpoint) }
    }

    public func disconnect(_ endpoint: String) throws(ZMQError) {
        _ = try zmqCall("zmq_disconnect(\(endpoint))") { zmq_disconnect(self.handle, endpoint) }
    }

    /// The endpoint of the last bind, with the port a wildcard bind chose.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(self.handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return cString(buffer)
    }

    // MARK: Sending

    /// Sends one multipart message atomically.
    /// - Parameters:
    ///   - frames: the parts; an empty array sends nothing.
    ///   - dontWait: fail with `EAGAIN` instead of blocking when the peer's queue is full.
    /// - Returns: `false` when `dontWait` was set and the message could not be queued.
    @discardableResult
    public func send(_ frames: [Frame], dontWait: Bool = false) throws(ZMQError) -> Bool {
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            do throws(ZMQError) {
                _ = try zmqCall("zmq_send") {
                    frame.withUnsafeBytes { bytes in zmq_send(self.handle, bytes.baseAddress, bytes.count, flags) }
                }
            } catch {
                // libzmq only fails the first part with EAGAIN; later parts of a started message are queued.
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Sends UTF-8 strings as the parts of one message.
    @discardableResult
    public func send(strings: [String], dontWait: Bool = false) throws(ZMQError) -> Bool {
        try self.send(strings.map { Array($0.utf8) }, dontWait: dontWait)
    }

    // MARK: Receiving

    /// Receives one whole multipart message through `zmq_msg_recv`, so frames of any size arrive intact.
    /// - Parameters:
    ///   - dontWait: return `nil` instead of blocking when nothing is queued.
    ///   - maxFrames: parts beyond this count are read and discarded (the message is atomic, so they must be
    ///     drained); `Message.truncatedFrames` says how many.
    /// - Returns: the message, or `nil` when `dontWait` was set (or a receive timeout expired) and none was ready.
    public func receive(dontWait: Bool = false, maxFrames: Int = 64) throws(ZMQError) -> Message? {
        var frames: [Frame] = []
        var dropped = 0
        var more = true
        while more {
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            let flags: Int32 = (dontWait && frames.isEmpty && dropped == 0) ? ZMQ_DONTWAIT : 0
            do throws(ZMQError) {
                _ = try zmqCall("zmq_msg_recv") { zmq_msg_recv(&msg, self.handle, flags) }
            } catch {
                if error.isWouldBlock && frames.isEmpty && dropped == 0 { return nil }
                throw error
            }
            if frames.count < maxFrames {
                let size = zmq_msg_size(&msg)
                if size == 0 {
                    frames.append([])
                } else {
                    let data = zmq_msg_data(&msg)!
                    frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
                }
            } else {
                dropped += 1
            }
            more = zmq_msg_more(&msg) == 1
        }
        return Message(frames: frames, truncatedFrames: dropped)
    }

    // MARK: Options

    func setOption(_ option: Int32, _ value: Int32, _ name: String) throws(ZMQError) {
        var value = value
        _ = try zmqCall("zmq_setsockopt(\(name))") {
            zmq_setsockopt(self.handle, option, &value, MemoryLayout<Int32>.size)
        }
    }

    func setOption(_ option: Int32, _ value: Int64, _ name: String) throws(ZMQError) {
        var value = value
        _ = try zmqCall("zmq_setsockopt(\(name))") {
            zmq_setsockopt(self.handle, option, &value, MemoryLayout<Int64>.size)
        }
    }

    func setOption(_ option: Int32, bytes: [UInt8], _ name: String) throws(ZMQError) {
        _ = try zmqCall("zmq_setsockopt(\(name))") {
            bytes.withUnsafeBytes { buffer in zmq_setsockopt(self.handle, option, buffer.baseAddress, buffer.count) }
        }
    }

    func intOption(_ option: Int32) -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        _ = zmq_getsockopt(self.handle, option, &value, &size)
        return value
    }

    /// Messages queued per peer before sends block (PUSH, DEALER) or drop (PUB, ROUTER). libzmq's default is 1000.
    public func setSendHighWaterMark(_ messages: Int) throws(ZMQError) {
        try self.setOption(ZMQ_SNDHWM, Int32(clamping: messages), "ZMQ_SNDHWM")
    }

    public func setReceiveHighWaterMark(_ messages: Int) throws(ZMQError) {
        try self.setOption(ZMQ_RCVHWM, Int32(clamping: messages), "ZMQ_RCVHWM")
    }

    /// The kernel's receive buffer of each TCP connection (SO_RCVBUF), which Linux otherwise grows up to
    /// `net.ipv4.tcp_rmem`'s maximum: messages held there are beyond every high-water mark. Linux caps the value at
    /// `net.core.rmem_max` and doubles it for its bookkeeping; set before bind or connect.
    public func setReceiveBufferSize(_ bytes: Int) throws(ZMQError) {
        try self.setOption(ZMQ_RCVBUF, Int32(clamping: bytes), "ZMQ_RCVBUF")
    }

    /// The kernel's send buffer of each TCP connection (SO_SNDBUF); see `setReceiveBufferSize`.
    public func setSendBufferSize(_ bytes: Int) throws(ZMQError) {
        try self.setOption(ZMQ_SNDBUF, Int32(clamping: bytes), "ZMQ_SNDBUF")
    }

    /// How long unsent messages are kept after close; bound it so shutdown never hangs in `zmq_ctx_term`.
    public func setLinger(milliseconds: Int) throws(ZMQError) {
        try self.setOption(ZMQ_LINGER, Int32(clamping: milliseconds), "ZMQ_LINGER")
    }

    /// ZMTP heartbeats, so a vanished peer is noticed (libzmq's default is off).
    public func setHeartbeat(intervalMilliseconds: Int, timeoutMilliseconds: Int, ttlMilliseconds: Int) throws(ZMQError) {
        try self.setOption(ZMQ_HEARTBEAT_IVL, Int32(clamping: intervalMilliseconds), "ZMQ_HEARTBEAT_IVL")
        try self.setOption(ZMQ_HEARTBEAT_TIMEOUT, Int32(clamping: timeoutMilliseconds), "ZMQ_HEARTBEAT_TIMEOUT")
        try self.setOption(ZMQ_HEARTBEAT_TTL, Int32(clamping: ttlMilliseconds), "ZMQ_HEARTBEAT_TTL")
    }

    /// TCP keepalive probes, answered by the peer's kernel: a vanished peer is noticed even while this side leaves
    /// the stream unread (backpressure), which ZMTP heartbeats cannot do — their replies queue behind the unread data.
    public func setTCPKeepalive(idleSeconds: Int, intervalSeconds: Int, probes: Int) throws(ZMQError) {
        try self.setOption(ZMQ_TCP_KEEPALIVE, Int32(1), "ZMQ_TCP_KEEPALIVE")
        try self.setOption(ZMQ_TCP_KEEPALIVE_IDLE, Int32(clamping: idleSeconds), "ZMQ_TCP_KEEPALIVE_IDLE")
        try self.setOption(ZMQ_TCP_KEEPALIVE_INTVL, Int32(clamping: intervalSeconds), "ZMQ_TCP_KEEPALIVE_INTVL")
        try self.setOption(ZMQ_TCP_KEEPALIVE_CNT, Int32(clamping: probes), "ZMQ_TCP_KEEPALIVE_CNT")
    }

    /// Queue messages only to completed connections.
    public func setImmediate(_ on: Bool) throws(ZMQError) {
        try self.setOption(ZMQ_IMMEDIATE, Int32(on ? 1 : 0), "ZMQ_IMMEDIATE")
    }

    /// Largest inbound message; a larger one disconnects the peer. -1 is unlimited.
    public func setMaxMessageSize(_ bytes: Int) throws(ZMQError) {
        try self.setOption(ZMQ_MAXMSGSIZE, Int64(bytes), "ZMQ_MAXMSGSIZE")
    }

    /// Make `receive` give up after this long (returns `nil`); -1 waits forever.
    public func setReceiveTimeout(milliseconds: Int) throws(ZMQError) {
        try self.setOption(ZMQ_RCVTIMEO, Int32(clamping: milliseconds), "ZMQ_RCVTIMEO")
    }

    public func setSendTimeout(milliseconds: Int) throws(ZMQError) {
        try self.setOption(ZMQ_SNDTIMEO, Int32(clamping: milliseconds), "ZMQ_SNDTIMEO")
    }

    /// The routing id a DEALER presents to a ROUTER.
    public func setRoutingID(_ id: [UInt8]) throws(ZMQError) {
        try self.setOption(ZMQ_ROUTING_ID, bytes: id, "ZMQ_ROUTING_ID")
    }

    /// ROUTER: report unroutable messages as `EHOSTUNREACH` instead of dropping them silently.
    public func setRouterMandatory(_ on: Bool) throws(ZMQError) {
        try self.setOption(ZMQ_ROUTER_MANDATORY, Int32(on ? 1 : 0), "ZMQ_ROUTER_MANDATORY")
    }

    /// SUB: receive messages whose first frame starts with `prefix` ("" = everything).
    public func subscribe(_ prefix: String) throws(ZMQError) {
        try self.setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8), "ZMQ_SUBSCRIBE")
    }

    public func unsubscribe(_ prefix: String) throws(ZMQError) {
        try self.setOption(ZMQ_UNSUBSCRIBE, bytes: Array(prefix.utf8), "ZMQ_UNSUBSCRIBE")
    }

    /// Makes this socket a CURVE server with the given secret key (Z85, 40 characters).
    public func setCurveServer(secretKey: String) throws(ZMQError) {
        try self.setOption(ZMQ_CURVE_SERVER, Int32(1), "ZMQ_CURVE_SERVER")
        try self.setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`.
    public func setCurveClient(publicKey: String, secretKey: String, serverKey: String) throws(ZMQError) {
        try self.setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8), "ZMQ_CURVE_SERVERKEY")
        try self.setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8), "ZMQ_CURVE_PUBLICKEY")
        try self.setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
    }

    /// The ZAP domain; setting one turns on authentication through a ZAP handler at `inproc://zeromq.zap.01`.
    public func setZAPDomain(_ domain: String) throws(ZMQError) {
        try self.setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8), "ZMQ_ZAP_DOMAIN")
    }

    /// Whether a poll would find a message to read or room to send.
    public func pollItem(_ events: PollEvents) -> PollItem {
        PollItem(socket: self.handle, events: events)
    }
}

/// One received multipart message.
public struct Message: Sendable, Equatable {
    public var frames: [Frame]
    /// Parts beyond `maxFrames` that were received and discarded.
    public var truncatedFrames: Int

    public init(frames: [Frame], truncatedFrames: Int = 0) {
        self.frames = frames
        self.truncatedFrames = truncatedFrames
    }

    /// Total size of all kept parts.
    public var byteCount: Int { self.frames.reduce(0) { $0 + $1.count } }

    /// Part `index` decoded as UTF-8 (invalid bytes become U+FFFD).
    public func string(_ index: Int) -> String? {
        guard index < self.frames.count else { return nil }
        return String(decoding: self.frames[index], as: UTF8.self)
    }
}

/// A CURVE key pair in Z85 text.
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: String
    public let secretKey: String

    /// Generates a new key pair with `zmq_curve_keypair`.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        _ = try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return CurveKeyPair(
            publicKey: cString(publicKey),
            secretKey: cString(secretKey)
        )
    }

    /// Derives the public key of a Z85 secret key.
    public static func publicKey(ofSecret secretKey: String) throws(ZMQError) -> String {
        var publicKey = [CChar](repeating: 0, count: 41)
        _ = try zmqCall("zmq_curve_public") { zmq_curve_public(&publicKey, secretKey) }
        return cString(publicKey)
    }
}

/// Text of a NUL-terminated C buffer filled by libzmq.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
