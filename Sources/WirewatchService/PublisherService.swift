import Articles
import Foundation
import Logging
import ServiceLifecycle
import Storage
import ZeroMQ

/// Owns the PUB socket on one thread: sends journaled envelopes as `[topic, envelope]` in `seq` order, and a
/// `heartbeat` carrying the latest `seq` every `heartbeat_seconds`, so an idle subscriber can still see a gap.
///
/// PUB drops messages for a subscriber whose queue is full (ZeroMQ's design); subscribers see the hole in `seq`
/// and refill it from the replay endpoint.
struct PublisherService: Service {
    let context: Context
    let config: WirewatchConfig
    let store: Store
    let state: DaemonState
    let outbox: BlockingQueue<Outgoing>
    let logger: Logger
    /// CURVE and the client allow-list, when configured.
    var security: SocketSecurity? = nil

    func run() async throws {
        try await runServiceLoop(name: "ww-publish") { stop in try self.loop(stop: stop) }
    }

    func loop(stop: StopFlag) throws {
        let socket = try Socket(self.context, type: .pub, lingerMilliseconds: 2000)
        try socket.setSendHighWaterMark(self.config.publishHighWaterMark)
        try socket.setHeartbeat(intervalMilliseconds: 1000, timeoutMilliseconds: 3000, ttlMilliseconds: 3000)
        try self.security.apply(to: socket)
        try socket.bind(self.config.publish)
        self.state.socketsBound.add(1, ordering: .relaxed)
        self.logger.info("publishing", metadata: ["publish.endpoint": "\(self.config.publish)"])
        let encoder = ArticleProcessor.encoder()
        var lastHeartbeat = Date.distantPast
        while true {
            let batch = self.outbox.popAll(timeout: 0.1)
            for item in batch {
                try socket.send([Array(item.entry.topic.utf8), item.entry.envelope])
                self.state.publishedSeq.store(item.entry.seq, ordering: .relaxed)
                self.state.published.add(1, ordering: .relaxed)
                let kind = item.entry.topic.hasPrefix("article.") ? "article" : item.entry.topic
                self.state.publishedCounters[kind]?.increment()
                if let receivedAt = item.receivedAt {
                    self.state.latencyTimer.recordNanoseconds(Int64(Date().timeIntervalSince(receivedAt) * 1e9))
                }
            }
            if Date().timeIntervalSince(lastHeartbeat) >= self.config.heartbeatSeconds {
                lastHeartbeat = Date()
                let heartbeat = Heartbeat(
                    seq: self.state.publishedSeq.load(ordering: .relaxed), time: Timestamp.string(lastHeartbeat),
                    uptimeSeconds: lastHeartbeat.timeIntervalSince(self.state.startedAt)
                )
                try socket.send([Array("heartbeat".utf8), [UInt8](try encoder.encode(heartbeat))])
            }
            // The pipeline is stopped before the publisher, so an empty outbox after a stop request is final.
            if batch.isEmpty && stop.isRaised && self.outbox.count == 0 { break }
        }
        // The pipeline records progress with each batch; the last stretch is recorded here, so a clean restart
        // republishes nothing.
        let published = self.state.publishedSeq.load(ordering: .relaxed)
        do {
            try self.store.markPublished(through: published)
        } catch {
            self.logger.warning("could not record publish progress", metadata: ["error": "\(error)"])
        }
        self.logger.info("publisher stopped", metadata: ["journal.published": "\(published)"])
    }
}
