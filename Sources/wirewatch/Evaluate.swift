import Analysis
import ArgumentParser
import Dedup
import Foundation
import WirewatchService

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score Wirewatch's engines on a labelled JSON Lines file.",
        discussion: """
            --task dedup: each line is an article with "kind" (unique, exact, near or update), "dup_of" (the \
            original's id or null) and optionally "hard_negative_of", in the order the daemon would receive them \
            (the schema of shared/data/dedup-dev.jsonl). Prints precision, recall and F1 overall and per kind, \
            with counts. A copy counts as found when its verdict is not unique and names its original.

            --task ner: records with "text" and "entities" [{start, end, label}] (offsets in Unicode scalars; the \
            schema of shared/data/ner-gum-news.jsonl and ner-gmb-train.jsonl). Exact span and type over PER, ORG \
            and LOC (gold and predicted GPE count as LOC, as spaCy's scorer in shared/peer/ner_f1.py does).

            --task geo: records with "text" and "toponyms" [{start, end, lat, lon}] (geo-geovirus.jsonl, \
            geo-trnews.jsonl). Toponym span precision/recall/F1, and accuracy within 161 km (100 miles) over the \
            found toponyms whose gold has coordinates.

            --task quotes: records with "text" and "quotes" [{content, source, has_quote_marks}] \
            (quotes-polnear-dev.jsonl). Speaker span precision/recall/F1 of the quotes found, direct and indirect.

            --task summary: records with "text" and a reference "summary" (summaries-bbc-dev.jsonl). ROUGE-1/2/L \
            F of the 3-sentence summary, beside the lead-3 baseline on the same records.

            Examples:
              wirewatch evaluate --task dedup ../shared/data/dedup-dev.jsonl
              wirewatch evaluate --task ner ../shared/data/ner-gum-news.jsonl
              wirewatch evaluate --task geo ../shared/data/geo-trnews.jsonl --format json
              wirewatch evaluate --task dedup labelled.jsonl --format json | jq .by_kind
            """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case dedup, ner, geo, quotes, summary
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .long, help: "What to score: dedup, ner, geo, quotes or summary.")
    var task: Task

    @Option(name: .long, help: "Output format: text or json.")
    var format: Format = .text

    @Option(name: .long, help: ArgumentHelp("Take the dedup thresholds from this daemon configuration file.", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "List every miss and false alarm.")
    var verbose = false

    @Argument(help: ArgumentHelp("The labelled JSON Lines file.", valueName: "file"))
    var file: String

    func run() async throws {
        if self.task != .dedup {
            try await reportingFailures { try self.runAnalysisTask() }
            return
        }
        try await reportingFailures {
            var settings = NearDedupSettings()
            if let config = self.config {
                do {
                    settings = try await WirewatchConfig.load(file: config).dedup.settings
                } catch {
                    throw Failure("configuration error: \(error)")
                }
            }
            let items = try ArticleFiles.read(self.file)
            let started = Date()
            let showProgress = isTerminal(2) && self.format == .text
            let report = try DedupEvaluation(settings: settings).run(items) { done, total in
                if showProgress && (done % 100 == 0 || done == total) {
                    ProgressBar.draw(done: done, total: total, started: started)
                }
            }
            if showProgress { ProgressBar.finish() }
            if self.format == .json {
                var trimmed = report
                if !self.verbose {
                    trimmed.misses = []
                    trimmed.falseAlarms = []
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(trimmed), as: UTF8.self))
                return
            }
            print("dedup on \(self.file): \(report.counts["records"] ?? 0) records in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            func row(_ name: String, _ p: Double, _ r: Double, _ f: Double, _ extra: String) -> String {
                name.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + String(format: "P %.4f  R %.4f  F1 %.4f  ", p, r, f) + extra
            }
            print(row("overall", report.precision, report.recall, report.f1, ""))
            for kind in ["exact", "near", "update", "near+update"] {
                guard let score = report.byKind[kind] else { continue }
                print(row(kind, score.precision, score.recall, score.f1,
                          "tp \(score.truePositives) fp \(score.falsePositives) fn \(score.falseNegatives)"))
            }
            let counts = report.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("counts: " + counts.joined(separator: ", "))
            let limit = self.verbose ? Int.max : 10
            if !report.misses.isEmpty {
                print("missed (\(report.misses.count)):")
                for miss in report.misses.prefix(limit) { print("  " + miss) }
            }
            if !report.falseAlarms.isEmpty {
                print("false alarms (\(report.falseAlarms.count)):")
                for alarm in report.falseAlarms.prefix(limit) { print("  " + alarm) }
            }
        }
    }

    /// Scores one analysis stage, the way the daemon runs it.
    func runAnalysisTask() throws {
        guard FileManager.default.isReadableFile(atPath: self.file) else { throw Failure("cannot read \(self.file)") }
        warnAboutUnusableResources()
        let analyzer = Analyzer()
        let started = Date()
        let showProgress = isTerminal(2) && self.format == .text
        func progress(_ done: Int, _ total: Int) {
            if showProgress && (done % 20 == 0 || done == total) { ProgressBar.draw(done: done, total: total, started: started) }
        }
        var report: AnalysisEvaluationReport
        switch self.task {
        case .ner:
            report = try NEREvaluation.run(file: self.file, progress: progress)
        case .geo:
            report = try GeoEvaluation.run(file: self.file) { document in
                analyzer.locations(in: document, entities: analyzer.entities(in: document))
            }
        case .quotes:
            report = try QuoteEvaluation.run(file: self.file) { document in
                QuoteExtractor.shared.extract(document, entities: analyzer.entities(in: document))
            }
        case .summary:
            report = try SummaryEvaluation.run(file: self.file) { document in Summarizer.shared.summary(document) }
        case .dedup:
            return
        }
        if showProgress { ProgressBar.finish() }
        if report.seconds == 0 { report.seconds = Date().timeIntervalSince(started) }
        if self.format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text(file: self.file))
        }
    }
}
