import ArgumentParser
import Articles
import Dedup
import Foundation
import WirewatchService

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze articles offline, without a daemon: articles in, result lines out.",
        discussion: """
            Each FILE holds one JSON article, JSON Lines or plain text whose first line is the title; "-" reads \
            standard input. Every article yields one result envelope (wirewatch.result.v1, without seq) per line \
            on standard output, deduplicated against the articles before it in the same run. An article that \
            fails validation yields an error envelope (wirewatch.error.v1) instead, and its location and reason \
            on stderr; the exit status is then 1.

            Examples:
              wirewatch analyze article.json --pretty
              wirewatch analyze corpus.jsonl > results.jsonl
            """
    )

    @Option(name: .long, help: ArgumentHelp("Largest article accepted, in bytes.", valueName: "bytes"))
    var maxPayloadBytes: Int = DecodeLimits.default.maxPayloadBytes

    @Flag(name: .long, help: "Pretty-print each envelope (several lines per article).")
    var pretty = false

    @Argument(help: ArgumentHelp("Article files, or - for standard input.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("name at least one FILE, or - for standard input") }
    }

    func run() async throws {
        try await reportingFailures {
            var limits = DecodeLimits.default
            limits.maxPayloadBytes = self.maxPayloadBytes
            warnAboutUnusableResources()
            let processor = ArticleProcessor(limits: limits)
            let encoder = ArticleProcessor.encoder()
            if self.pretty { encoder.outputFormatting.insert(.prettyPrinted) }
            var dedup = DedupEngine()
            var failures = 0
            for file in self.files {
                for item in try ArticleFiles.read(file) {
                    let now = Date()
                    let line: Data
                    do {
                        let admitted = try processor.admit(item.payload, receivedAt: now, dedup: &dedup)
                        let envelope = processor.envelope(for: admitted, seq: nil)
                        line = try self.pretty ? encoder.encode(envelope) : Data(EnvelopeWriter.encode(envelope))
                    } catch let error as DecodeError {
                        failures += 1
                        warn("\(item.location): \(error.code): \(error.reason)")
                        line = try encoder.encode(ErrorEvent(
                            seq: nil, receivedAt: Timestamp.string(now), code: error.code, reason: error.reason,
                            payloadSHA256: PayloadHash.sha256Hex(item.payload), payloadBytes: item.payload.count,
                            endpoint: item.location, deadLetterID: 0
                        ))
                    }
                    FileHandle.standardOutput.write(line + Data("\n".utf8))
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
