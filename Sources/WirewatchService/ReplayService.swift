import Articles
import Foundation
import Logging
import ServiceLifecycle
import Storage
import ZeroMQ

/// Owns the replay ROUTER on one thread: the Clone pattern's snapshot side. A client (DEALER) sends one JSON
/// request frame; the reply frames are:
///
/// - `{"op":"replay","since":N,"limit":M}` → zero or more `["entry", topic, envelope]` for `seq > N`, oldest
///   first, then `["end", {"last_seq","count","more","oldest_seq"}]`. A client pages by asking again from the last
///   `seq` it got while `more` is true.
/// - `{"op":"inspect","id":ID}` → `["inspect", {"entries":[{"seq","topic","status","envelope"}…]}]`: every journaled
///   envelope of that article and of the other copies in its cluster.
/// - `{"op":"stats"}` → `["stats", {…}]`: live counters, rates, backlog and the recent mix of topics and sources.
/// - anything else → `["error", {"reason"}]`.
struct ReplayService: Service {
    let context: Context
    let config: WirewatchConfig
    let store: Store
    let state: DaemonState
    let rates: RateTracker
    let logger: Logger
    /// CURVE and the client allow-list, when configured.
    var security: SocketSecurity? = nil

    static let maxLimit = 10_000

    func run() async throws {
        try await runServiceLoop(name: "ww-replay") { stop in try self.loop(stop: stop) }
    }

    func loop(stop: StopFlag) throws {
        let socket = try Socket(self.context, type: .router, lingerMilliseconds: 0)
        try socket.setSendHighWaterMark(Self.maxLimit * 2)
        try socket.setMaxMessageSize(1 << 20)
        try self.security.apply(to: socket)
        try socket.bind(self.config.replay)
        self.state.socketsBound.add(1, ordering: .relaxed)
        self.logger.info("replay listening", metadata: ["replay.endpoint": "\(self.config.replay)"])
        var items = [socket.pollItem(.readable)]
        while !stop.isRaised {
            do {
                guard try poll(&items, timeoutMilliseconds: 100) > 0 else { continue }
            } catch {
                if error.isContextTerminated { break }
                throw error
            }
            while let message = try socket.receive(dontWait: true, maxFrames: 4) {
                guard message.frames.count >= 2 else { continue }
                let identity = message.frames[0]
                let replies = self.answer(message.frames[message.frames.count - 1])
                for reply in replies {
                    // Drop the rest of a reply for a client that went away.
                    guard (try? socket.send([identity] + reply, dontWait: true)) == true else { break }
                }
            }
        }
        self.logger.info("replay stopped")
    }

    func answer(_ request: Frame) -> [[Frame]] {
        func error(_ reason: String) -> [[Frame]] {
            [[Array("error".utf8), Self.json(["reason": .string(reason)])]]
        }
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(request)),
            case .string(let op)? = object["op"]
        else {
            return error("request must be a JSON object with an \"op\": replay, inspect or stats")
        }
        do {
            switch op {
            case "replay":
                var since: Int64 = 0
                if case .number(let value)? = object["since"] { since = Int64(clamping: Int(value.rounded(.down))) }
                var limit = 1000
                if case .number(let value)? = object["limit"] { limit = Int(min(max(value, 1), Double(Self.maxLimit))) }
                let entries = try self.store.journal(after: since, limit: limit)
                var frames = entries.map { [Array("entry".utf8), Array($0.topic.utf8), $0.envelope] }
                let lastSeq = self.state.journaledSeq.load(ordering: .relaxed)
                let oldest = try self.store.journal(after: 0, limit: 1).first?.seq ?? 0
                frames.append([
                    Array("end".utf8),
                    Self.json([
                        "last_seq": .number(Double(lastSeq)), "count": .number(Double(entries.count)),
                        "more": .bool((entries.last?.seq ?? lastSeq) < lastSeq), "oldest_seq": .number(Double(oldest)),
                    ]),
                ])
                return frames
            case "inspect":
                guard case .string(let id)? = object["id"] else { return error("inspect needs an \"id\"") }
                let entries = try self.store.entries(articleID: id)
                let list: [JSONValue] = entries.map { entry in
                    let envelope = (try? JSONDecoder().decode(JSONValue.self, from: Data(entry.envelope))) ?? .null
                    return .object([
                        "seq": .number(Double(entry.seq)), "topic": .string(entry.topic),
                        "status": entry.status.map(JSONValue.string) ?? .null, "envelope": envelope,
                    ])
                }
                return [[Array("inspect".utf8), Self.json(["id": .string(id), "entries": .array(list)])]]
            case "stats":
                return [[Array("stats".utf8), Self.json(try self.stats())]]
            default:
                return error("unknown op '\(op)': use replay, inspect or stats")
            }
        } catch let failure {
            return error("store error: \(failure)")
        }
    }

    /// Counters, rates and the mix of the most recent journal entries.
    func stats() throws -> [String: JSONValue] {
        let snapshot = self.state.snapshot()
        let rates = self.rates.rates()
        let counts = try self.store.counts()
        let lastSeq = self.state.journaledSeq.load(ordering: .relaxed)
        let recent = try self.store.journal(after: max(0, lastSeq - 2000), limit: 2000)
        let cutoff = Date().addingTimeInterval(-15 * 60)
        var topics: [String: Int] = [:]
        var sources: [String: Int] = [:]
        var languages: [String: Int] = [:]
        var entities: [String: Int] = [:]
        var themes: [String: Int] = [:]
        for entry in recent where entry.recordedAt >= cutoff {
            topics[entry.topic, default: 0] += 1
            guard entry.topic.hasPrefix("article."),
                case .object(let envelope)? = try? JSONDecoder().decode(JSONValue.self, from: Data(entry.envelope))
            else { continue }
            if case .object(let article)? = envelope["article"], case .string(let source)? = article["source"] {
                sources[source, default: 0] += 1
            }
            languages[String(entry.topic.dropFirst("article.".count)), default: 0] += 1
            if case .object(let analysis)? = envelope["analysis"] {
                if case .array(let list)? = analysis["entities"] {
                    for case .object(let entity) in list {
                        if case .string(let name)? = entity["canonical"] ?? entity["name"] { entities[name, default: 0] += 1 }
                    }
                }
                if case .array(let list)? = analysis["themes"] {
                    for case .object(let theme) in list {
                        if case .string(let label)? = theme["label"] { themes[label, default: 0] += 1 }
                    }
                }
            }
        }
        func top(_ counts: [String: Int], _ n: Int = 10) -> JSONValue {
            .array(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n).map {
                .object(["name": .string($0.key), "count": .number(Double($0.value))])
            })
        }
        let published = topics.values.reduce(0, +)
        let duplicates = topics["duplicate"] ?? 0
        return [
            "uptime_seconds": .number(snapshot.uptimeSeconds),
            "accepted": .number(Double(snapshot.accepted)),
            "rejected": .number(Double(snapshot.rejected)),
            "published": .number(Double(snapshot.published)),
            "last_seq": .number(Double(lastSeq)),
            "backlog": .number(Double(max(0, snapshot.backlog))),
            "journal_entries": .number(Double(counts.journal)),
            "dead_letters": .number(Double(counts.deadLetters)),
            "dedup_remembered": .number(Double(counts.dedupMemory)),
            "rate_accepted_per_second": .number(rates.accepted),
            "rate_published_per_second": .number(rates.published),
            "rate_rejected_per_second": .number(rates.rejected),
            "window_minutes": .number(15),
            "window_published": .number(Double(published)),
            "duplicate_ratio": .number(published > 0 ? Double(duplicates) / Double(published) : 0),
            "top_topics": top(topics),
            "top_sources": top(sources),
            "top_languages": top(languages),
            "top_entities": top(entities),
            "top_themes": top(themes),
        ]
    }

    static func json(_ object: [String: JSONValue]) -> Frame {
        (try? ArticleProcessor.encoder().encode(JSONValue.object(object))).map { [UInt8]($0) } ?? Array("{}".utf8)
    }
}
