import Articles
import Foundation
import Logging
import ServiceLifecycle
import Storage
import ZeroMQ

/// Owns every ingest socket on one thread: PULL (bind), SUB (connect) and the acked ROUTER (bind).
///
/// Each payload is validated, then written to the store's inbox in one durable transaction per poll round (group
/// commit); only then does the ROUTER answer. Rejected payloads go to the dead-letter table in the same transaction
/// and on to topic `error`. When the pipeline falls `ingest.max_backlog` behind, the thread stops reading, so PUSH
/// senders block (ZeroMQ backpressure) instead of the daemon buffering without bound.
struct IngestService: Service {
    let context: Context
    let config: WirewatchConfig
    let store: Store
    let state: DaemonState
    let workSignal: WorkSignal
    let logger: Logger
    /// CURVE and the client allow-list, when configured.
    var security: SocketSecurity? = nil

    /// Frames of an ingest message beyond which it is rejected (`[topic, JSON]` is the most a feed sends).
    static let maxFrames = 2

    func run() async throws {
        try await runServiceLoop(name: "ww-ingest") { stop in try self.loop(stop: stop) }
    }

    /// A socket held in a class so several can live in one array.
    final class Endpoint {
        let socket: Socket
        let name: String
        let isRouter: Bool

        init(socket: consuming Socket, name: String, isRouter: Bool) {
            self.socket = socket
            self.name = name
            self.isRouter = isRouter
        }
    }

    struct Reply {
        let identity: Frame
        let correlation: Frame
        var body: [String: JSONValue]
    }

    func makeEndpoints() throws -> [Endpoint] {
        var endpoints: [Endpoint] = []
        func configure(_ socket: borrowing Socket) throws {
            try socket.setReceiveHighWaterMark(self.config.ingest.highWaterMark)
            try socket.setMaxMessageSize(self.config.ingest.maxMessageBytes)
            if self.config.ingest.receiveBufferBytes > 0 {
                try socket.setReceiveBufferSize(self.config.ingest.receiveBufferBytes)
            }
            // Not ZMTP heartbeats: once a socket's queue is full, libzmq reads nothing more from that connection
            // until 1,024 queued messages are taken, which under backlog takes seconds; the heartbeat timeout then
            // dropped the connection with the articles in flight on it, and each reconnect brought a fresh queue, so
            // memory grew too. Kernel keepalives are answered whatever the queues hold, and still find vanished peers.
            try socket.setTCPKeepalive(idleSeconds: 30, intervalSeconds: 5, probes: 4)
        }
        for endpoint in self.config.ingest.pull {
            let socket = try Socket(self.context, type: .pull, lingerMilliseconds: 0)
            try configure(socket)
            try self.security.apply(to: socket)
            try socket.bind(endpoint)
            endpoints.append(Endpoint(socket: socket, name: "pull " + endpoint, isRouter: false))
        }
        for endpoint in self.config.ingest.subscribe {
            let socket = try Socket(self.context, type: .sub, lingerMilliseconds: 0)
            try configure(socket)
            for topic in self.config.ingest.topics { try socket.subscribe(topic) }
            try socket.connect(endpoint)
            endpoints.append(Endpoint(socket: socket, name: "sub " + endpoint, isRouter: false))
        }
        if !self.config.ingest.acked.isEmpty {
            let socket = try Socket(self.context, type: .router, lingerMilliseconds: 1000)
            try configure(socket)
            try socket.setSendHighWaterMark(self.config.ingest.highWaterMark)
            try self.security.apply(to: socket)
            try socket.bind(self.config.ingest.acked)
            endpoints.append(Endpoint(socket: socket, name: "acked " + self.config.ingest.acked, isRouter: true))
        }
        return endpoints
    }

    func loop(stop: StopFlag) throws {
        let endpoints = try self.makeEndpoints()
        self.state.socketsBound.add(1, ordering: .relaxed)
        self.logger.info(
            "ingest listening", metadata: ["ingest.endpoints": .array(endpoints.map { .string($0.name) })]
        )
        let limits = DecodeLimits(config: self.config)
        do {
            self.state.inboxHandoff.start(after: try self.store.lastInboxID())
        } catch {
            // Without it the pipeline reads every row back from the store, as it would anyway after a restart.
            self.logger.warning("cannot read the inbox's last id; the pipeline reads it back", metadata: ["error": "\(error)"])
        }
        var items = endpoints.map { $0.socket.pollItem(.readable) }
        let perRound = 512
        var paused = false
        while !stop.isRaised {
            if self.state.backlog.load(ordering: .relaxed) >= self.config.ingest.maxBacklog {
                // Leave messages in libzmq's queues: PUSH peers block once those fill.
                if !paused {
                    paused = true
                    self.state.ingestPausedGauge.record(1)
                    self.logger.notice(
                        "backlog full; ingest paused until the pipeline catches up",
                        metadata: ["inbox.pending": "\(self.state.backlog.load(ordering: .relaxed))"]
                    )
                }
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            if paused {
                paused = false
                self.state.ingestPausedGauge.record(0)
                self.logger.info("ingest resumed", metadata: ["inbox.pending": "\(self.state.backlog.load(ordering: .relaxed))"])
            }
            do {
                try poll(&items, timeoutMilliseconds: 100)
            } catch {
                if error.isContextTerminated { break }
                throw error
            }
            var batch: [InboxItem] = []
            // The articles decoded to validate the round, for the pipeline (`InboxHandoff`), up to a bound: a flood's
            // round of 512 large articles held twice over raised RSS by 20 MB, and overflows the handoff anyway.
            var articles: [Article?] = []
            var articleBytes = 0
            var replies: [(endpoint: Int, reply: Reply)] = []
            for (index, endpoint) in endpoints.enumerated() where items[index].isReadable {
                while batch.count < perRound, let message = try endpoint.socket.receive(dontWait: true, maxFrames: 8) {
                    let now = Date()
                    var frames = message.frames
                    var reply: Reply? = nil
                    if endpoint.isRouter {
                        let identity = frames.removeFirst()
                        let correlation = frames.count >= 2 ? frames.removeFirst() : []
                        reply = Reply(identity: identity, correlation: correlation, body: [:])
                    }
                    let (item, article) = self.classify(
                        frames: frames, truncated: message.truncatedFrames, endpoint: endpoint, receivedAt: now,
                        limits: limits)
                    if var reply {
                        if let rejection = item.rejection {
                            reply.body = [
                                "ok": .bool(false), "code": .string(rejection.code), "reason": .string(rejection.reason),
                            ]
                        } else {
                            reply.body = ["ok": .bool(true)]
                        }
                        replies.append((index, reply))
                    }
                    batch.append(item)
                    articleBytes += article == nil ? 0 : item.payload.count
                    articles.append(articleBytes <= Self.decodedBytesPerRound ? article : nil)
                }
            }
            guard !batch.isEmpty else { continue }
            self.persist(batch, articles: articles, stop: stop)
            self.workSignal.signal()
            for (index, reply) in replies {
                let body = (try? JSONEncoder().encode(JSONValue.object(reply.body))) ?? Data()
                // A vanished client is not an error: the article is already durable.
                _ = try? endpoints[index].socket.send([reply.identity, reply.correlation, [UInt8](body)], dontWait: true)
            }
        }
        self.logger.info("ingest stopped")
    }

    /// Payload bytes of a round whose decoded articles go to the pipeline with the rows.
    static let decodedBytesPerRound = 1 << 20

    /// Validates one message into an inbox item, and the article decoded from it if it is one. Rejections keep
    /// the whole payload for the dead-letter table.
    func classify(frames: [Frame], truncated: Int, endpoint: Endpoint, receivedAt: Date, limits: DecodeLimits)
        -> (InboxItem, Article?)
    {
        func rejected(_ code: String, _ reason: String, _ payload: [UInt8]) -> (InboxItem, Article?) {
            let item = InboxItem(
                receivedAt: receivedAt, endpoint: endpoint.name, payload: payload,
                rejection: .init(code: code, reason: reason, payloadSHA256: PayloadHash.sha256Hex(payload))
            )
            return (item, nil)
        }
        guard !frames.isEmpty else { return rejected("empty_payload", "message has no payload frame", []) }
        if frames.count > Self.maxFrames || truncated > 0 {
            let total = frames.count + truncated
            return rejected(
                "too_many_frames",
                "message has \(total) frames; expected 1 (JSON) or 2 (topic, JSON)",
                Array(frames.joined())
            )
        }
        let payload = frames[frames.count - 1]
        let article: Article
        do {
            article = try ArticleDecoder.decode(payload, limits: limits)
        } catch {
            return rejected(error.code, error.reason, payload)
        }
        return (InboxItem(receivedAt: receivedAt, endpoint: endpoint.name, payload: payload, rejection: nil), article)
    }

    /// Writes a batch durably, retrying while the store fails: messages already taken from the sockets are held
    /// until they are safe, and nothing new is read (nor acked) meanwhile.
    func persist(_ batch: [InboxItem], articles: [Article?], stop: StopFlag) {
        var delay = 0.05
        while true {
            do {
                self.state.inboxHandoff.put(try self.store.accept(batch), articles: articles)
                if !self.state.inboxWritable.exchange(true, ordering: .relaxed) {
                    self.logger.notice("store writable again; ingest resumed")
                }
                break
            } catch {
                if self.state.inboxWritable.exchange(false, ordering: .relaxed) {
                    self.logger.error(
                        "store write failed; ingest paused, nothing acked until it succeeds",
                        metadata: ["error": "\(error)", "ingest.batch": "\(batch.count)"]
                    )
                }
                if stop.isRaised {
                    // Shutting down with a broken store: ROUTER clients got no ack and will resend; PULL and SUB
                    // messages in this batch cannot be kept anywhere, so say so.
                    self.logger.critical(
                        "shutting down with unwritable store; unacknowledged batch dropped",
                        metadata: ["ingest.batch": "\(batch.count)"]
                    )
                    return
                }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
            }
        }
        self.state.inboxWritten.add(batch.count, ordering: .releasing)
        let rejected = batch.count(where: { $0.rejection != nil })
        self.state.accepted.add(batch.count - rejected, ordering: .relaxed)
        self.state.rejected.add(rejected, ordering: .relaxed)
        self.state.backlog.add(batch.count, ordering: .relaxed)
        self.state.backlogGauge.record(self.state.backlog.load(ordering: .relaxed))
        self.state.acceptedCounter.increment(by: batch.count - rejected)
        self.state.rejectedCounter.increment(by: rejected)
    }
}

extension DecodeLimits {
    init(config: WirewatchConfig) {
        var limits = DecodeLimits.default
        limits.maxPayloadBytes = config.ingest.maxPayloadBytes
        limits.maxDepth = config.ingest.maxDepth
        self = limits
    }
}
