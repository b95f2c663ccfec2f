import Foundation
import Testing
import TestSupport
import ZeroMQ

/// CURVE on every daemon socket and the ZAP allow-list, against the real daemon over loopback.
@Suite(.serialized)
struct SecurityTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    struct Keys {
        let directory: URL
        let server: CurveKeyPair
        let allowed: CurveKeyPair
        let stranger: CurveKeyPair

        init() throws {
            self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("curve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
            self.server = try CurveKeyPair.generate()
            self.allowed = try CurveKeyPair.generate()
            self.stranger = try CurveKeyPair.generate()
            try (self.server.secretKey + "\n").write(to: self.url("server.key"), atomically: true, encoding: .utf8)
            try (self.server.publicKey + "\n").write(to: self.url("server.pub"), atomically: true, encoding: .utf8)
            try "# desk clients\n\(self.allowed.publicKey)\n".write(to: self.url("clients"), atomically: true, encoding: .utf8)
            for (name, pair) in [("allowed", self.allowed), ("stranger", self.stranger)] {
                try (pair.secretKey + "\n").write(to: self.url(name + ".key"), atomically: true, encoding: .utf8)
            }
        }

        func url(_ name: String) -> URL { self.directory.appendingPathComponent(name) }

        var yaml: String {
            """
            security:
              secret_key_file: "\(self.url("server.key").path)"
              allowed_clients_file: "\(self.url("clients").path)"
            """
        }
    }

    func article(_ id: String) -> [UInt8] {
        let text = "Officials in the harbour town said the new ferry \(id) would start its crossings next spring, "
            + "after two years of delays caused by storms and a shortage of engineers."
        return [UInt8](try! JSONSerialization.data(withJSONObject: ["id": id, "text": text]))
    }

    /// Everything a socket receives within `seconds`.
    func drain(_ socket: borrowing Socket, seconds: Double) throws -> [Message] {
        var messages: [Message] = []
        var items = [socket.pollItem(.readable)]
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            try poll(&items, timeoutMilliseconds: 50)
            while let message = try socket.receive(dontWait: true) { messages.append(message) }
        }
        return messages
    }

    func subscriber(_ endpoint: String, keys pair: CurveKeyPair?, server: String) throws -> Socket {
        let socket = try Socket(self.context, type: .sub, lingerMilliseconds: 0)
        try socket.subscribe("")
        if let pair { try socket.setCurveClient(publicKey: pair.publicKey, secretKey: pair.secretKey, serverKey: server) }
        try socket.connect(endpoint)
        return socket
    }

    func dealer(_ endpoint: String, keys pair: CurveKeyPair?, server: String) throws -> Socket {
        let socket = try Socket(self.context, type: .dealer, lingerMilliseconds: 0)
        if let pair { try socket.setCurveClient(publicKey: pair.publicKey, secretKey: pair.secretKey, serverKey: server) }
        try socket.connect(endpoint)
        return socket
    }

    @Test("only allow-listed CURVE clients can feed or read the daemon")
    func allowListOnIngestAndPublish() throws {
        let keys = try Keys()
        defer { try? FileManager.default.removeItem(at: keys.directory) }
        let daemon = try DaemonProcess(extra: keys.yaml)
        try daemon.start()
        let server = keys.server.publicKey

        let trusted = try self.subscriber(daemon.publish, keys: keys.allowed, server: server)
        let stranger = try self.subscriber(daemon.publish, keys: keys.stranger, server: server)
        let plain = try self.subscriber(daemon.publish, keys: nil, server: server)
        // Heartbeats go out every 0.5 s: an admitted subscriber sees them, a refused one sees nothing at all.
        let heard = try self.drain(trusted, seconds: 2)
        #expect(heard.contains { String(decoding: $0.frames[0], as: UTF8.self) == "heartbeat" })
        #expect(try self.drain(stranger, seconds: 0.5).isEmpty, "an unknown key must not read the feed")
        #expect(try self.drain(plain, seconds: 0.5).isEmpty, "a client without CURVE must not read the feed")

        // Acked ingest: the trusted client gets its ack, the stranger's article is never taken.
        let trustedDealer = try self.dealer(daemon.acked, keys: keys.allowed, server: server)
        try trustedDealer.send([Array("1".utf8), self.article("ferry-trusted")])
        let acks = try self.drain(trustedDealer, seconds: 3)
        #expect(acks.count == 1)
        #expect(acks.first.map { String(decoding: $0.frames[1], as: UTF8.self).contains("\"ok\":true") } == true)
        let strangerDealer = try self.dealer(daemon.acked, keys: keys.stranger, server: server)
        _ = try strangerDealer.send([Array("1".utf8), self.article("ferry-stranger")], dontWait: true)
        #expect(try self.drain(strangerDealer, seconds: 2).isEmpty, "an unknown key must get no ack")

        // PULL: the stranger's PUSH never connects, the trusted one's article comes out.
        let strangerPush = try Socket(self.context, type: .push, lingerMilliseconds: 0)
        try strangerPush.setCurveClient(
            publicKey: keys.stranger.publicKey, secretKey: keys.stranger.secretKey, serverKey: server)
        try strangerPush.connect(daemon.pull)
        _ = try strangerPush.send([self.article("ferry-stranger-push")], dontWait: true)
        let trustedPush = try Socket(self.context, type: .push, lingerMilliseconds: 0)
        try trustedPush.setCurveClient(
            publicKey: keys.allowed.publicKey, secretKey: keys.allowed.secretKey, serverKey: server)
        try trustedPush.connect(daemon.pull)
        try trustedPush.send([self.article("ferry-trusted-push")])

        let published = try self.drain(trusted, seconds: 3).map { String(decoding: $0.frames.last!, as: UTF8.self) }
        #expect(published.contains { $0.contains("\"id\":\"ferry-trusted\"") })
        #expect(published.contains { $0.contains("\"id\":\"ferry-trusted-push\"") })
        #expect(!published.contains { $0.contains("ferry-stranger") }, "nothing from an unknown key is processed")
        #expect(try self.drain(stranger, seconds: 0.2).isEmpty)

        // The CLI speaks CURVE too: the allowed key's send is acked, the stranger's is not.
        let articleFile = keys.url("article.json")
        try Data(self.article("ferry-cli")).write(to: articleFile)
        let sent = try runCLI([
            "send", "--acked", daemon.acked, "--server-key", keys.url("server.pub").path,
            "--key", keys.url("allowed.key").path, articleFile.path,
        ])
        #expect(sent.status == 0, "\(sent.stderr)")
        let refused = try runCLI([
            "send", "--acked", daemon.acked, "--server-key", server, "--key", keys.url("stranger.key").path,
            "--timeout", "2", articleFile.path,
        ])
        #expect(refused.status != 0)

        // The log is JSON, where Z85's "/" is written "\/".
        let log = daemon.log().replacingOccurrences(of: "\\/", with: "/")
        #expect(log.contains("refused by the client allow-list"))
        #expect(log.contains(keys.stranger.publicKey), "the log names the refused key")
        #expect(!log.contains(keys.server.secretKey), "the secret key is never logged")
        #expect(!log.contains("maxPayloadBytes"), "services are logged by name, not as a dump of the configuration")
        #expect(try daemon.stop() == 0)
    }

    @Test("a secret key without an allow-list, or a bad key file, is a configuration error")
    func securityConfigurationErrors() throws {
        let keys = try Keys()
        defer { try? FileManager.default.removeItem(at: keys.directory) }
        let noList = try DaemonProcess(extra: "security:\n  secret_key_file: \"\(keys.url("server.key").path)\"")
        let first = try runCLI(["check-config", "--config", noList.configPath])
        #expect(first.status == 1)
        #expect(first.stderr.contains("security.allowed_clients_file"))

        try "not a key\n".write(to: keys.url("clients"), atomically: true, encoding: .utf8)
        let badList = try DaemonProcess(extra: keys.yaml)
        let second = try runCLI(["check-config", "--config", badList.configPath])
        #expect(second.status == 1)
        #expect(second.stderr.contains("clients:1"), "names the file and line: \(second.stderr)")
        #expect(!second.stderr.contains(keys.server.secretKey))
    }
}
