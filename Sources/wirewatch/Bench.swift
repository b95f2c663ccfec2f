import Analysis
import ArgumentParser
import Foundation
import WirewatchService
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput and latency, end to end through a daemon or in process.",
        discussion: """
            The corpus (JSON Lines articles) is cycled to --articles with --dup-share of them exact or near \
            copies of earlier ones; each round after the first maps every word through a seeded permutation of \
            the vocabulary's words of its length and case, so rounds are new text with the shape of real news. \
            Run release builds \
            (swift build -c release --static-swift-stdlib, as deploy/install.sh builds them) for figures that \
            mean anything.

            Modes:
              (default)   end to end: PUSH the corpus to a running daemon's PULL endpoint (from --config), \
            SUB to its results, match each by id; latency is ingest to publish, split into legs by the \
            envelopes' millisecond timestamps: ingest (send to receipt), pipeline (to processed_at: inbox, \
            dedup, the wait for a worker, analysis) and publish (journal commit, publication, delivery).
              --spawn     the same against a wirewatchd this command starts on free loopback ports with a \
            throwaway store; reports its CPU, its peak RSS and its RSS 2 s after the last result.
              --offline   the in-process pipeline (decode, dedup, analysis, encode) on --workers threads, \
            timed stage by stage; latency is each article's service time. --stage dedup or analysis times one \
            stage; --remembered N first fills the dedup memory with N articles.

            Examples:
              wirewatch bench --spawn --articles 20000
              wirewatch bench --offline --articles 20000 --format json
              wirewatch bench --offline --stage dedup --remembered 1000000
              wirewatch bench --config /etc/wirewatch/wirewatch.yaml --rate 750
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var daemon: DaemonOptions

    @Flag(name: .long, help: "Run the pipeline in process instead of through a daemon.")
    var offline = false

    @Flag(name: .long, help: "Start a wirewatchd on free loopback ports for the run.")
    var spawn = false

    @Option(name: .long, help: ArgumentHelp("JSON Lines articles to send.", valueName: "file"))
    var corpus: String = "../shared/data/bbc-news.jsonl"

    @Option(name: .long, help: ArgumentHelp("Articles to send (the corpus is cycled).", valueName: "n"))
    var articles: Int = 20_000

    @Option(name: .long, help: ArgumentHelp("Share of copies of earlier articles, half exact, half near.", valueName: "share"))
    var dupShare: Double = 0.2

    @Option(name: .long, help: "With --offline: time dedup, analysis or all stages.")
    var stage: OfflineBench.Stage = .all

    @Option(name: .long, help: ArgumentHelp("With --offline --stage dedup: articles remembered before timing.", valueName: "n"))
    var remembered: Int = 0

    @Option(name: .long, help: ArgumentHelp("Articles per second to offer; default: as fast as accepted.", valueName: "n"))
    var rate: Double?

    @Option(name: .long, help: ArgumentHelp("Analysis threads; default: one per core.", valueName: "n"))
    var workers: Int?

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    func validate() throws {
        guard self.articles > 0 else { throw ValidationError("--articles must be at least 1") }
        guard (0..<1).contains(self.dupShare) else { throw ValidationError("--dup-share must be in [0, 1)") }
        if self.offline && self.spawn { throw ValidationError("use --offline or --spawn, not both") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if self.remembered > 0 && !(self.offline && self.stage == .dedup) {
            throw ValidationError("--remembered goes with --offline --stage dedup")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let workers = self.workers ?? ProcessInfo.processInfo.activeProcessorCount
            let showProgress = isTerminal(2) && self.format == .text
            let corpus = try BenchCorpus(path: self.corpus, count: self.articles, duplicateShare: self.dupShare)
            let started = Date()
            let progress: (Int, Int) -> Void = { done, total in
                if showProgress { ProgressBar.draw(done: done, total: total, started: started) }
            }
            let report: BenchReport
            if self.offline {
                report = try OfflineBench(corpus: corpus, workers: workers, stage: self.stage)
                    .run(remembered: self.remembered, progress: progress)
                // After the run, which times the loading itself.
                warnAboutUnusableResources(ResourceFiles.problems)
            } else {
                let context = try Context()
                defer { context.terminate() }
                if self.spawn {
                    let spawned = try SpawnedDaemon(workers: self.workers)
                    defer { spawned.stop() }
                    report = try DaemonBench(
                        corpus: corpus, pull: spawned.pull, publish: spawned.publish, rate: self.rate,
                        daemonPID: spawned.process.processIdentifier, workers: workers
                    ).run(context: context, progress: progress)
                } else {
                    let config = try await self.daemon.resolve()
                    guard let pull = config.ingest.pull.first else { throw Failure("the daemon has no ingest.pull endpoint") }
                    report = try DaemonBench(
                        corpus: corpus, pull: pull, publish: config.publish, rate: self.rate, daemonPID: nil,
                        workers: config.workerCount
                    ).run(context: context, progress: progress)
                }
            }
            if showProgress { ProgressBar.finish() }
            self.print(report)
            if let lost = report.lost, lost > 0 { throw Failure("\(lost) articles produced no result") }
        }
    }

    func print(_ report: BenchReport) {
        if self.format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
            return
        }
        let latencyName = report.mode == "offline" ? "service time" : "ingest→publish"
        Swift.print("\(report.mode) bench, stage \(report.stage), \(report.workers) workers, \(report.articles) articles in \(String(format: "%.2f", report.seconds)) s")
        Swift.print(String(format: "  throughput   %.0f articles/s   %.0f words/s   %.2f MB/s", report.articlesPerSecond, report.wordsPerSecond, report.megabytesPerSecond))
        let l = report.latency
        Swift.print(String(format: "  %@ µs   p50 %.0f   p90 %.0f   p99 %.0f   p99.9 %.0f   max %.0f", latencyName, l.p50, l.p90, l.p99, l.p999, l.max))
        for name in BenchReport.legNames {
            // Millisecond timestamps: printed in ms, not dressed up as microseconds.
            guard let leg = report.legs?[name] else { continue }
            let label = ("    " + name).padding(toLength: 15, withPad: " ", startingAt: 0)
            Swift.print(label + String(format: "ms   p50 %.0f   p90 %.0f   p99 %.0f   p99.9 %.0f   max %.0f", leg.p50 / 1000, leg.p90 / 1000, leg.p99 / 1000, leg.p999 / 1000, leg.max / 1000))
        }
        for name in ["decode", "dedup", "analysis", "encode"] {
            guard let stage = report.stages[name] else { continue }
            let label = ("  " + name).padding(toLength: 15, withPad: " ", startingAt: 0)
            Swift.print(label + String(
                format: "%5.1f %%   %8.1f µs/article   %6.3f ms/1,000 words", stage.share * 100,
                stage.microsecondsPerArticle, stage.millisecondsPerThousandWords))
        }
        if let seconds = report.resourceSeconds {
            Swift.print(String(format: "  resources    loaded in %.2f s, before the clock", seconds))
        }
        if let daemon = report.daemon {
            Swift.print(
                String(
                    format: "  daemon       RSS %.1f MiB (peak %.1f MiB)   CPU %.1f s (%.0f %%)", daemon.rssMiB, daemon.peakRSSMiB,
                    daemon.cpuSeconds, daemon.cpuPercent
                ))
        }
        if let remembered = report.remembered, let bytes = report.bytesPerRemembered {
            let index = Double(report.indexBytes ?? 0) / Double(max(1, remembered))
            Swift.print(String(format: "  memory       %d remembered: %.0f bytes each of RSS (index %.0f)", remembered, bytes, index))
        }
        Swift.print("  verdicts     " + report.verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}

/// A wirewatchd started for a benchmark on free loopback ports, with a store in a temporary directory.
final class SpawnedDaemon {
    let process = Process()
    let directory: URL
    let pull: String
    let publish: String

    init(workers: Int?) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("wirewatch-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        self.pull = "tcp://127.0.0.1:\(LoopbackPort.free())"
        self.publish = "tcp://127.0.0.1:\(LoopbackPort.free())"
        let http = "127.0.0.1:\(LoopbackPort.free())"
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("wirewatchd")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure("--spawn needs wirewatchd beside wirewatch (\(executable.path))")
        }
        self.process.executableURL = executable
        var arguments = [
            "--store", self.directory.appendingPathComponent("state.db").path, "--pull", self.pull,
            "--publish", self.publish, "--replay", "tcp://127.0.0.1:\(LoopbackPort.free())",
            "--acked", "tcp://127.0.0.1:\(LoopbackPort.free())", "--http", http, "--log-level", "warning",
        ]
        if let workers { arguments += ["--workers", "\(workers)"] }
        self.process.arguments = arguments
        self.process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("WIREWATCH_") }
        self.process.standardOutput = FileHandle.nullDevice
        try self.process.run()
    }

    func stop() {
        if self.process.isRunning {
            self.process.terminate()
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }
}
extension OfflineBench.Stage: ExpressibleByArgument {}
