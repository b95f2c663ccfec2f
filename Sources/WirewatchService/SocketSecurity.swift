import Foundation
import Logging
import Synchronization
import ZeroMQ

/// CURVE keys and the client allow-list of the daemon's bound sockets.
///
/// Every socket the daemon binds (PULL, acked ROUTER, PUB, replay ROUTER) becomes a CURVE server in the ZAP
/// domain "wirewatch"; the `ZAPHandler` then admits a connection only if its client public key is listed.
public struct SocketSecurity: Sendable {
    public static let domain = "wirewatch"

    public let secretKey: String
    public let publicKey: String
    public let allowedClients: Set<String>

    /// Reads and checks the key files; errors name the configuration key and the file, never a secret.
    public init(_ config: WirewatchConfig.Security) throws {
        guard !config.secretKeyFile.isEmpty else {
            throw ConfigError(
                key: "security.secret_key_file", reason: "security.allowed_clients_file is set but no secret key is")
        }
        guard !config.allowedClientsFile.isEmpty else {
            throw ConfigError(
                key: "security.allowed_clients_file",
                reason: "a secret key without an allow-list would admit anyone; list the client public keys (wirewatch keygen NAME writes NAME.pub)")
        }
        self.secretKey = try Self.singleKey(in: config.secretKeyFile, key: "security.secret_key_file")
        do {
            self.publicKey = try CurveKeyPair.publicKey(ofSecret: self.secretKey)
        } catch {
            throw ConfigError(key: "security.secret_key_file", reason: "\(config.secretKeyFile) does not hold a CURVE secret key: \(error)")
        }
        let clients = try Self.keys(in: config.allowedClientsFile, key: "security.allowed_clients_file")
        guard !clients.isEmpty else {
            throw ConfigError(key: "security.allowed_clients_file", reason: "\(config.allowedClientsFile) lists no client key")
        }
        self.allowedClients = Set(clients)
        guard Context.has("curve") else {
            throw ConfigError(key: "security.secret_key_file", reason: "this libzmq was built without CURVE")
        }
    }

    /// Z85 keys of a file: one per line, blank lines and `#` comments skipped.
    static func keys(in path: String, key: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: key, reason: "cannot read \(path)")
        }
        var keys: [String] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard Self.isZ85Key(trimmed) else {
                throw ConfigError(key: key, reason: "\(path):\(number + 1): not a 40-character Z85 CURVE key")
            }
            keys.append(trimmed)
        }
        return keys
    }

    /// The one Z85 key a key file must hold.
    static func singleKey(in path: String, key: String) throws -> String {
        let keys = try Self.keys(in: path, key: key)
        guard keys.count == 1 else {
            throw ConfigError(key: key, reason: "\(path) must hold exactly one Z85 key, found \(keys.count)")
        }
        return keys[0]
    }

    static let z85Alphabet = Set(Z85.alphabet)

    static func isZ85Key(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { Self.z85Alphabet.contains($0) }
    }

    /// Makes a socket about to be bound a CURVE server that asks the ZAP handler about every client.
    public func apply(to socket: borrowing Socket) throws {
        try socket.setCurveServer(secretKey: self.secretKey)
        try socket.setZAPDomain(Self.domain)
    }
}

extension Optional where Wrapped == SocketSecurity {
    /// Applies the security to a socket when there is any.
    func apply(to socket: borrowing Socket) throws {
        if let security = self { try security.apply(to: socket) }
    }
}

/// Answers libzmq's ZAP requests (RFC 27) on `inproc://zeromq.zap.01`: CURVE clients whose public key is on the
/// allow-list get 200, everyone else 400 and a log line.
///
/// Bound before any other socket, so no handshake ever happens without it (libzmq admits every client when no
/// handler is bound).
final class ZAPHandler: Sendable {
    static let endpoint = "inproc://zeromq.zap.01"

    private let stop = StopFlag()
    private let finished = DispatchSemaphore(value: 0)
    let counters = Counters()

    final class Counters: Sendable {
        let admitted = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
    }

    /// Binds the handler's socket and starts its thread; returns once the socket is bound.
    init(context: Context, security: SocketSecurity, logger: Logger) throws {
        let bound = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        let allowed = security.allowedClients
        let thread = Thread { [stop, finished, counters] in
            defer { finished.signal() }
            do {
                let socket = try Socket(context, type: .rep, lingerMilliseconds: 0)
                try socket.bind(Self.endpoint)
                bound.signal()
                Self.serve(socket, allowed: allowed, stop: stop, counters: counters, logger: logger)
            } catch {
                failure.withLock { $0 = error }
                bound.signal()
            }
        }
        thread.name = "wirewatch-zap"
        thread.start()
        bound.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private static func serve(
        _ socket: borrowing Socket, allowed: Set<String>, stop: StopFlag, counters: Counters, logger: Logger
    ) {
        var items = [socket.pollItem(.readable)]
        while !stop.isRaised {
            guard (try? poll(&items, timeoutMilliseconds: 200)) ?? 0 > 0 else { continue }
            guard let request = try? socket.receive(dontWait: true) else { continue }
            let reply = Self.answer(request.frames, allowed: allowed)
            if reply.admitted {
                counters.admitted.add(1, ordering: .relaxed)
            } else {
                counters.refused.add(1, ordering: .relaxed)
                logger.warning(
                    "connection refused by the client allow-list",
                    metadata: [
                        "zap.reason": "\(reply.reason)", "zap.client_key": "\(reply.clientKey ?? "-")",
                        "zap.address": "\(reply.address)",
                    ])
            }
            _ = try? socket.send(reply.frames)
        }
    }

    struct Reply {
        let frames: [Frame]
        let admitted: Bool
        let reason: String
        let clientKey: String?
        let address: String
    }

    /// RFC 27: request = version, request id, domain, address, identity, mechanism, credentials…;
    /// reply = version, request id, status code, status text, user id, metadata.
    static func answer(_ frames: [Frame], allowed: Set<String>) -> Reply {
        func text(_ index: Int) -> String {
            index < frames.count ? String(decoding: frames[index], as: UTF8.self) : ""
        }
        let requestID = frames.count > 1 ? frames[1] : []
        func reply(_ code: String, _ reason: String, key: String? = nil, user: String = "") -> Reply {
            Reply(
                frames: [Array("1.0".utf8), requestID, Array(code.utf8), Array(reason.utf8), Array(user.utf8), []],
                admitted: code == "200", reason: reason, clientKey: key, address: text(3))
        }
        guard frames.count >= 6, text(0) == "1.0" else { return reply("500", "malformed ZAP request") }
        guard text(2) == SocketSecurity.domain else { return reply("400", "unknown ZAP domain") }
        guard text(5) == "CURVE", frames.count >= 7, frames[6].count == 32 else {
            return reply("400", "only CURVE clients are admitted")
        }
        let key = Z85.encode(frames[6])
        guard allowed.contains(key) else { return reply("400", "client key not on the allow-list", key: key) }
        return reply("200", "OK", key: key, user: key)
    }

    func shutdown() {
        self.stop.raise()
        self.finished.wait()
    }
}

/// Z85 (ZeroMQ RFC 32) encoding of a CURVE key, to compare the 32 raw bytes a ZAP request carries with the
/// allow-list's text. Hand-written: `zmq_z85_encode` needs a C buffer dance for 40 bytes of output.
enum Z85 {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count % 4 == 0)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 5)
        for chunk in stride(from: 0, to: bytes.count, by: 4) {
            var value = UInt32(bytes[chunk]) << 24 | UInt32(bytes[chunk + 1]) << 16 | UInt32(bytes[chunk + 2]) << 8
            value |= UInt32(bytes[chunk + 3])
            var digits = [UInt8](repeating: 0, count: 5)
            for index in (0..<5).reversed() {
                digits[index] = Self.alphabet[Int(value % 85)]
                value /= 85
            }
            output.append(contentsOf: digits)
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The client half of CURVE: this client's key pair and the daemon's public key.
public struct ClientCurve: Sendable {
    public let publicKey: String
    public let secretKey: String
    public let serverKey: String

    public init(publicKey: String, secretKey: String, serverKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.serverKey = serverKey
    }

    /// From the daemon's public key (the key itself or a file holding it) and this client's secret key file.
    public init(serverKey: String, secretKeyFile: String) throws {
        self.serverKey =
            SocketSecurity.isZ85Key(serverKey) ? serverKey : try SocketSecurity.singleKey(in: serverKey, key: "--server-key")
        self.secretKey = try SocketSecurity.singleKey(in: secretKeyFile, key: "--key")
        do {
            self.publicKey = try CurveKeyPair.publicKey(ofSecret: self.secretKey)
        } catch {
            throw ConfigError(key: "--key", reason: "\(secretKeyFile) does not hold a CURVE secret key")
        }
    }

    /// Makes a socket about to connect a CURVE client of the daemon.
    public func apply(to socket: borrowing Socket) throws {
        try socket.setCurveClient(publicKey: self.publicKey, secretKey: self.secretKey, serverKey: self.serverKey)
    }
}

extension Optional where Wrapped == ClientCurve {
    public func apply(to socket: borrowing Socket) throws {
        if let curve = self { try curve.apply(to: socket) }
    }
}

// Secrets never reach a log line or a crash report through a `description`.
extension SocketSecurity: CustomStringConvertible {
    public var description: String {
        "SocketSecurity(publicKey: \(self.publicKey), allowedClients: \(self.allowedClients.count), secretKey: <redacted>)"
    }
}

extension ClientCurve: CustomStringConvertible {
    public var description: String {
        "ClientCurve(publicKey: \(self.publicKey), serverKey: \(self.serverKey), secretKey: <redacted>)"
    }
}
