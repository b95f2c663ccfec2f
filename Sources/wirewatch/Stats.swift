import ArgumentParser
import Articles
import Foundation
import WirewatchService
import ZeroMQ

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the daemon's live rates, duplicate ratio, errors, backlog and what the news is about.",
        discussion: """
            Rates are per second over the last minute; the topic, source, language, entity and theme tallies \
            cover the envelopes journaled in the last 15 minutes.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    func run() async throws {
        try await reportingFailures {
            let config = try await self.daemon.resolve()
            let context = try Context()
            defer { context.terminate() }
            let session = try WirewatchClient(context: context, curve: try self.daemon.curve()).replaySession(config.replay)
            let stats = try session.query("stats")
            if self.format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(JSONValue.object(stats)), as: UTF8.self))
                return
            }
            func number(_ key: String) -> Double {
                if case .number(let value)? = stats[key] { return value }
                return 0
            }
            func top(_ key: String) -> String {
                guard case .array(let list)? = stats[key], !list.isEmpty else { return "-" }
                return list.compactMap { item -> String? in
                    guard case .object(let object) = item, case .string(let name)? = object["name"],
                        case .number(let count)? = object["count"]
                    else { return nil }
                    return "\(name) (\(Int(count)))"
                }.joined(separator: ", ")
            }
            let rows: [(String, String)] = [
                ("uptime", String(format: "%.0f s", number("uptime_seconds"))),
                ("accepted", String(format: "%.0f  (%.1f/s)", number("accepted"), number("rate_accepted_per_second"))),
                ("published", String(format: "%.0f  (%.1f/s)", number("published"), number("rate_published_per_second"))),
                ("errors", String(format: "%.0f  (%.1f/s), %.0f dead letters", number("rejected"), number("rate_rejected_per_second"), number("dead_letters"))),
                ("duplicate ratio", String(format: "%.1f %% of the last 15 min", number("duplicate_ratio") * 100)),
                ("queue depth", String(format: "%.0f", number("backlog"))),
                ("last seq", String(format: "%.0f (journal holds %.0f)", number("last_seq"), number("journal_entries"))),
                ("dedup memory", String(format: "%.0f articles", number("dedup_remembered"))),
                ("topics", top("top_topics")),
                ("languages", top("top_languages")),
                ("sources", top("top_sources")),
                ("entities", top("top_entities")),
                ("themes", top("top_themes")),
            ]
            for (name, value) in rows {
                print(name.padding(toLength: 16, withPad: " ", startingAt: 0) + value)
            }
        }
    }
}
