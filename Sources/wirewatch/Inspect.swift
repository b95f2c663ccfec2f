import ArgumentParser
import Articles
import Foundation
import WirewatchService
import ZeroMQ

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the stored envelope of one article and of every copy of it.",
        discussion: """
            Looks the article ID up in the daemon's journal and prints, as JSON, every journaled envelope of that \
            article and of the other members of its dedup cluster (exact copies, near copies, updates), oldest \
            first. Exit status 1 when the journal holds nothing for ID (never seen, or past retention).
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The article id (the scraper's id, or the sha256:… id the daemon derived).")
    var id: String

    func run() async throws {
        try await reportingFailures {
            let config = try await self.daemon.resolve()
            let context = try Context()
            defer { context.terminate() }
            let session = try WirewatchClient(context: context, curve: try self.daemon.curve()).replaySession(config.replay)
            let answer = try session.query("inspect", ["id": .string(self.id)])
            guard case .array(let entries)? = answer["entries"], !entries.isEmpty else {
                throw Failure("no journaled envelope for id '\(self.id)'")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(JSONValue.object(answer)), as: UTF8.self))
        }
    }
}
