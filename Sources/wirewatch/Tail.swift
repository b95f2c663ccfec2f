import ArgumentParser
import Articles
import Foundation
import WirewatchService
import ZeroMQ

struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the daemon's results live, with gaps refilled from the journal.",
        discussion: """
            Subscribes to the result stream. Every envelope carries a sequence number; when one is missing \
            (a slow terminal made the PUB socket drop, or the network blinked), tail fetches the gap from the \
            replay endpoint and says how many it refilled, so nothing is silently lost. Heartbeats reveal a gap \
            even when the stream is idle.

            TOPIC arguments are prefixes: article (every language), article.en, duplicate, error, heartbeat. \
            Without any, tail shows articles, duplicates and errors.

            Formats: pretty (a readable block per envelope; colour on a terminal), compact (one line each), \
            json (one envelope per line with an added "topic" field, for jq).

            Examples:
              wirewatch tail                                   follow articles, duplicates and errors
              wirewatch tail article.en --format compact       English articles, one line each
              wirewatch tail --since 0 --format json | jq .    the whole journal, then live
              wirewatch tail --last 20 --count 20              the 20 latest envelopes, then exit
              wirewatch tail error --where code=too_large      only oversize rejections
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pretty, compact, json
    }

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: ArgumentHelp("Topic prefixes to show.", valueName: "topic"))
    var topics: [String] = []

    @Option(name: .long, help: "Output format: pretty, compact or json.")
    var format: Format = .pretty

    @Option(name: .long, help: ArgumentHelp("Exit after this many envelopes.", valueName: "n"))
    var count: Int?

    @Option(name: .long, help: ArgumentHelp("First replay every envelope after this sequence number.", valueName: "seq"))
    var since: Int64?

    @Option(name: .long, help: ArgumentHelp("First replay the last N envelopes.", valueName: "n"))
    var last: Int?

    @Option(name: .long, help: ArgumentHelp("Exit when nothing arrives for this long (exit 1 if --count was not reached).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("where"), help: ArgumentHelp("Show only envelopes whose field equals a value, e.g. analysis.language.code=en; repeat to require several.", valueName: "path=value"))
    var conditions: [String] = []

    @Flag(name: .long, help: "Say on stderr when the live stream is joined (the sequence number it starts from).")
    var verbose = false

    @Flag(name: .long, help: "Never colour the output.")
    var noColor = false

    func validate() throws {
        if self.since != nil && self.last != nil { throw ValidationError("use --since or --last, not both") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let last, last < 1 { throw ValidationError("--last must be at least 1") }
        for condition in self.conditions where !condition.contains("=") {
            throw ValidationError("--where takes path=value, got '\(condition)'")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let config = try await self.daemon.resolve()
            let context = try Context()
            defer { context.terminate() }
            var printer = EnvelopePrinter(
                format: self.format, color: !self.noColor && isTerminal(1) && self.format == .pretty,
                topics: self.topics.isEmpty ? ["article.", "duplicate", "error"] : self.topics,
                conditions: self.conditions.map { condition in
                    let parts = condition.split(separator: "=", maxSplits: 1)
                    return (String(parts[0]), String(parts.count > 1 ? parts[1] : ""))
                }
            )
            // Subscribe first, then replay: the Clone pattern, so nothing falls between the two.
            let subscriber = try Socket(context, type: .sub, lingerMilliseconds: 0)
            try subscriber.setReceiveHighWaterMark(100_000)
            try subscriber.subscribe("")
            try self.daemon.curve().apply(to: subscriber)
            try subscriber.connect(config.publish)
            var session = try WirewatchClient(context: context, curve: try self.daemon.curve()).replaySession(config.replay)
            session.timeout = 10
            var tracker = SequenceTracker()
            var printed = 0
            func done() -> Bool { self.count.map { printed >= $0 } ?? false }
            func show(_ topic: String, _ envelope: [UInt8]) {
                if printer.print(topic: topic, envelope: envelope) { printed += 1 }
            }
            func refill(from: Int64, to: Int64, announce: Bool, _ session: borrowing ReplaySession) throws {
                var after = from - 1
                var count = 0
                while after < to && !done() {
                    let page = try session.replay(since: after, limit: 1000)
                    if page.entries.isEmpty { break }
                    for entry in page.entries where entry.seq <= to && !done() {
                        show(entry.topic, entry.envelope)
                        count += 1
                    }
                    after = page.entries.last!.seq
                }
                if announce {
                    warn("wirewatch: gap in seq \(from)–\(to); refilled \(count) envelopes from replay")
                }
                tracker.caughtUp(to: to)
            }
            if self.since != nil || self.last != nil {
                let latest = try session.lastSeq()
                let start = self.since ?? max(0, latest - Int64(self.last!))
                if latest > start { try refill(from: start + 1, to: latest, announce: false, session) }
                tracker.caughtUp(to: max(start, latest))
            }
            // Test-only fault switch: lose every Nth live envelope, as a PUB socket does for a slow subscriber,
            // so the refill path can be exercised deterministically.
            let dropEvery = Int(ProcessInfo.processInfo.environment["WIREWATCH_TEST_DROP_EVERY"] ?? "") ?? 0
            var liveCount = 0
            var items = [subscriber.pollItem(.readable)]
            var lastActivity = Date()
            while !done() {
                try poll(&items, timeoutMilliseconds: 200)
                if let timeout = self.timeout, Date().timeIntervalSince(lastActivity) > timeout {
                    if let count = self.count {
                        throw Failure("timed out after \(timeout) s with \(printed) of \(count) envelopes")
                    }
                    return
                }
                while !done(), let message = try subscriber.receive(dontWait: true) {
                    guard message.frames.count == 2, let topic = message.string(0) else { continue }
                    let envelope = message.frames[1]
                    guard let seq = ReplaySession.seq(of: envelope) else { continue }
                    if self.verbose && tracker.lastSeq == nil {
                        warn("wirewatch: following live from seq \(seq)")
                    }
                    if topic == "heartbeat" {
                        if case .refill(let from, let to) = tracker.heartbeat(seq) {
                            try refill(from: from, to: to, announce: true, session)
                        }
                        if self.topics.contains(where: { "heartbeat".hasPrefix($0) }) { show(topic, envelope) }
                        continue
                    }
                    lastActivity = Date()
                    liveCount += 1
                    if dropEvery > 0 && liveCount % dropEvery == 0 { continue }
                    switch tracker.observe(seq) {
                    case .skip:
                        continue
                    case .deliver:
                        show(topic, envelope)
                    case .refill(let from, let to):
                        try refill(from: from, to: to, announce: true, session)
                        tracker.caughtUp(to: seq)
                        show(topic, envelope)
                    }
                }
            }
        }
    }
}
