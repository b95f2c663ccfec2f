import ArgumentParser
import Foundation
import WirewatchService
import ZeroMQ

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit articles and wait until the daemon has stored each one.",
        discussion: """
            Each FILE holds one JSON article, JSON Lines (one article per line) or plain text whose first line is \
            the title; "-" reads standard input. Articles go to the acked ingest endpoint, which answers only \
            after the article is durably stored, so an acknowledged article is never lost.

            Exit status 0 only when every article was acknowledged as accepted. An article the daemon rejects \
            (malformed, too large, no body…) is reported with its reason and location, and makes the exit \
            status 1; it is still recorded by the daemon as a dead letter and an error event.

            Examples:
              wirewatch send article.json                      one article
              wirewatch send feed.jsonl                        one article per line, with a progress bar
              scraper | wirewatch send -                       from standard input
            """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for an answer before giving up.", valueName: "seconds"))
    var timeout: Double = 30

    @Option(name: .long, help: ArgumentHelp("Articles in flight at once.", valueName: "n"))
    var window: Int = 500

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Argument(help: ArgumentHelp("Article files, or - for standard input.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("name at least one FILE, or - for standard input") }
        guard self.window > 0 else { throw ValidationError("--window must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let config = try await self.daemon.resolve()
            guard !config.ingest.acked.isEmpty else {
                throw Failure("the acked ingest is disabled (ingest.acked is empty); set --acked")
            }
            var items: [ArticleFiles.Item] = []
            for file in self.files { items += try ArticleFiles.read(file) }
            let context = try Context()
            defer { context.terminate() }
            let showProgress = !self.quiet && isTerminal(2) && items.count >= 50
            let started = Date()
            let acks = try WirewatchClient(context: context, curve: try self.daemon.curve()).send(
                items, to: config.ingest.acked, window: self.window, timeout: self.timeout
            ) { done, total in
                if showProgress && (done % 25 == 0 || done == total) {
                    ProgressBar.draw(done: done, total: total, started: started)
                }
            }
            if showProgress { ProgressBar.finish() }
            let accepted = acks.count(where: \.ok)
            for ack in acks where !ack.ok {
                warn("\(ack.location): rejected (\(ack.code ?? "?")): \(ack.reason ?? "")")
            }
            let unanswered = items.count - acks.count
            if unanswered > 0 {
                warn("wirewatch: \(unanswered) of \(items.count) articles not acknowledged within \(Int(self.timeout)) s (is wirewatchd running at \(config.ingest.acked)?)")
            }
            if !self.quiet {
                let seconds = Date().timeIntervalSince(started)
                print("\(accepted) of \(items.count) articles accepted in \(String(format: "%.2f", seconds)) s")
            }
            if accepted != items.count { throw ExitCode(1) }
        }
    }
}

/// A one-line progress bar on stderr.
enum ProgressBar {
    static func draw(done: Int, total: Int, started: Date) {
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let rate = Double(done) / max(Date().timeIntervalSince(started), 0.001)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total)  \(Int(rate))/s ".utf8))
    }

    static func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
