import Foundation
import Testing
import TestSupport
import ZeroMQ

@Suite("ZeroMQ binding over real loopback sockets")
struct SocketTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    @Test("frames of 0 bytes to 16 MiB and non-ASCII UTF-8 round-trip intact", arguments: [0, 1, 255, 256, 257, 65_536, 16 << 20])
    func roundTrip(size: Int) throws {
        let pull = try Socket(self.context, type: .pull)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(self.context, type: .push)
        try push.connect(pull.lastEndpoint)
        var frame = [UInt8](repeating: 0, count: size)
        for index in frame.indices { frame[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        let text = "Daesh-K — داعش خراسان — 伊斯兰国 — 🛰️"
        try push.send([frame, Array(text.utf8), []])
        try pull.setReceiveTimeout(milliseconds: 10_000)
        let message = try #require(try pull.receive())
        #expect(message.frames.count == 3)
        #expect(message.frames[0] == frame)
        #expect(message.string(1) == text)
        #expect(message.frames[2].isEmpty)
    }

    @Test("receive without waiting returns nil when nothing is queued")
    func dontWait() throws {
        let pull = try Socket(self.context, type: .pull)
        try pull.bind("tcp://127.0.0.1:*")
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test("frames beyond maxFrames are drained and counted")
    func maxFrames() throws {
        let pull = try Socket(self.context, type: .pull)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(self.context, type: .push)
        try push.connect(pull.lastEndpoint)
        try push.send((0..<10).map { [UInt8($0)] })
        try push.send([[42]])
        try pull.setReceiveTimeout(milliseconds: 5000)
        let first = try #require(try pull.receive(maxFrames: 3))
        #expect(first.frames == [[0], [1], [2]])
        #expect(first.truncatedFrames == 7)
        let second = try #require(try pull.receive(maxFrames: 3))
        #expect(second.frames == [[42]])
    }

    @Test("ROUTER and DEALER exchange routed multipart messages; poll sees readiness")
    func routerDealer() throws {
        let router = try Socket(self.context, type: .router)
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try Socket(self.context, type: .dealer)
        try dealer.setRoutingID(Array("client-1".utf8))
        try dealer.connect(router.lastEndpoint)
        try dealer.send(strings: ["7", "hello"])
        var items = [router.pollItem(.readable)]
        #expect(try poll(&items, timeoutMilliseconds: 5000) == 1)
        #expect(items[0].isReadable)
        let request = try #require(try router.receive(dontWait: true))
        #expect(request.string(0) == "client-1")
        #expect(request.string(1) == "7")
        try router.send([request.frames[0], Array("7".utf8), Array("world".utf8)])
        try dealer.setReceiveTimeout(milliseconds: 5000)
        let reply = try #require(try dealer.receive())
        #expect(reply.frames.map { String(decoding: $0, as: UTF8.self) } == ["7", "world"])
    }

    @Test("PUB/SUB delivers by topic prefix only")
    func pubSubTopics() throws {
        let pub = try Socket(self.context, type: .pub)
        try pub.bind("tcp://127.0.0.1:*")
        let sub = try Socket(self.context, type: .sub)
        try sub.subscribe("article.")
        try sub.connect(pub.lastEndpoint)
        try sub.setReceiveTimeout(milliseconds: 100)
        // The subscription travels asynchronously: publish until it arrives.
        var received: Message? = nil
        for _ in 0..<100 where received == nil {
            try pub.send(strings: ["error", "{}"])
            try pub.send(strings: ["article.en", "{\"seq\":1}"])
            received = try sub.receive()
        }
        let message = try #require(received)
        #expect(message.string(0) == "article.en")
    }

    @Test("errors carry the call and zmq_strerror's text")
    func errors() throws {
        let socket = try Socket(self.context, type: .pull)
        #expect(throws: ZMQError.self) { try socket.bind("nonsense://here") }
        do {
            try socket.bind("tcp://127.0.0.1:notaport")
            Issue.record("bind to a bad port succeeded")
        } catch {
            #expect(error.call.contains("zmq_bind"))
            #expect(!error.message.isEmpty)
        }
        let first = try Socket(self.context, type: .pull)
        try first.bind("tcp://127.0.0.1:*")
        let taken = first.lastEndpoint
        let second = try Socket(self.context, type: .pull)
        #expect(throws: ZMQError.self) { try second.bind(taken) }
    }

    @Test("CURVE key pairs are 40-character Z85 and the public key derives from the secret")
    func curveKeys() throws {
        #expect(Context.has("curve"))
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40)
        #expect(pair.secretKey.count == 40)
        #expect(try CurveKeyPair.publicKey(ofSecret: pair.secretKey) == pair.publicKey)
    }

    @Test("a CURVE client with the server's key talks; options like HWM, heartbeat and max size apply")
    func curveAndOptions() throws {
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let pull = try Socket(self.context, type: .pull)
        try pull.setCurveServer(secretKey: server.secretKey)
        try pull.setReceiveHighWaterMark(10)
        try pull.setMaxMessageSize(1024)
        try pull.setHeartbeat(intervalMilliseconds: 100, timeoutMilliseconds: 300, ttlMilliseconds: 300)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(self.context, type: .push)
        try push.setCurveClient(publicKey: client.publicKey, secretKey: client.secretKey, serverKey: server.publicKey)
        try push.setSendHighWaterMark(10)
        try push.setImmediate(true)
        try push.connect(pull.lastEndpoint)
        try push.send(strings: ["secret"])
        try pull.setReceiveTimeout(milliseconds: 5000)
        #expect(try pull.receive()?.string(0) == "secret")
    }
}
