import Articles
import Foundation
import Testing
import TestSupport
import WirewatchService

/// The benchmark's corpus generator: what `wirewatch bench` sends must be the same whether it is made up front or
/// as it is sent, new text in every round, and duplicates in the share asked for. Reads ../shared/data at run time.
@Suite("Bench corpus")
struct BenchCorpusTests {
    static var path: String { Paths.shared.appendingPathComponent("data/bbc-news.jsonl").path }

    @Test("Made up front or on demand, every article is the same")
    func lazyMatchesMaterialized() throws {
        // Past the corpus's 2,225 articles, so later rounds are compared too.
        let count = 3000
        let made = try BenchCorpus(path: Self.path, count: count, duplicateShare: 0.2, materialize: true)
        let lazy = try BenchCorpus(path: Self.path, count: count, duplicateShare: 0.2, materialize: false)
        #expect(made.count == count && lazy.count == count)
        #expect(made.totalWords == lazy.totalWords)
        for index in stride(from: 0, to: count, by: 7) {
            let same = made[index].payload == lazy[index].payload
            #expect(same, "article \(index) differs")
            #expect(made[index].id == "bench-\(index)" && BenchCorpus.index(ofID: made[index].id) == index)
        }
    }

    @Test("The corpus is the same bytes in every run, so runs compare across versions")
    func stableBytes() throws {
        // 6,000 articles reach the third round. The digest was recorded when permutations began to keep each word's
        // case (runs before that are comparable on the first round only).
        let corpus = try BenchCorpus(path: Self.path, count: 6000, duplicateShare: 0.2, materialize: false)
        var all: [UInt8] = []
        for index in 0..<corpus.count { all += corpus[index].payload }
        #expect(PayloadHash.sha256Hex(all) == "8069b08cda4305e80f629314cba459c85a438550d02423c85d783c43ffbf949b")
    }

    @Test("A later round keeps every word's length and case: names stay names, lowercase words stay lowercase")
    func roundsKeepCase() throws {
        let corpus = try BenchCorpus(path: Self.path, count: 2 * 2225, duplicateShare: 0, materialize: false)
        // Lowercase, capitalized and all-capital words keep their exact shape; mixed ones ("McCain", "iPhone") stay
        // mixed, of the same length.
        func shapes(_ index: Int) throws -> [String] {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(corpus[index].payload)) as? [String: String])
            return try #require(object["text"]).split(whereSeparator: { !$0.isLetter }).map { word in
                let shape = String(word.map { $0.isUppercase ? "X" : $0.isLowercase ? "x" : "?" })
                let plain = shape.dropFirst().allSatisfy { $0 == "x" } || shape.allSatisfy { $0 == "X" }
                return plain ? shape : "mixed \(word.count)"
            }
        }
        var changed = 0
        for index in stride(from: 0, to: 2225, by: 25) {
            let (original, later) = (try shapes(index), try shapes(index + 2225))
            let differing = zip(original, later).filter { $0 != $1 }.count
            #expect(original.count == later.count && differing == 0, "article \(index): \(differing) words changed shape")
            if corpus[index].payload != corpus[index + 2225].payload { changed += 1 }
        }
        #expect(changed == 89, "every sampled article is new text in the next round")
    }

    @Test("Rounds past the corpus are new text of the same shape; copies come in the share asked for")
    func roundsAndDuplicates() throws {
        let corpus = try BenchCorpus(path: Self.path, count: 6000, duplicateShare: 0.2, materialize: false)
        var texts: [String: Int] = [:]
        var kinds: [String: Int] = [:]
        var words = 0
        for index in 0..<corpus.count {
            let item = corpus[index]
            kinds[item.kind, default: 0] += 1
            words += item.words
            let object = try #require(try JSONSerialization.jsonObject(with: Data(item.payload)) as? [String: String])
            let text = try #require(object["text"])
            #expect(item.words == text.split(whereSeparator: \.isWhitespace).count)
            if item.kind == "unique" { texts[text, default: 0] += 1 }
        }
        #expect(words == corpus.totalWords)
        // bbc-news repeats 6 % of its own texts; a round that copied an earlier one would make half of them repeats.
        let uniques = kinds["unique", default: 0]
        #expect(uniques > 2 * 2225, "the run goes past the corpus into later rounds")
        #expect(Double(texts.count) >= 0.9 * Double(uniques), "\(texts.count) distinct texts among \(uniques) new articles")
        let copies = Double(kinds["exact", default: 0] + kinds["near", default: 0]) / Double(corpus.count)
        #expect(abs(copies - 0.2) < 0.02, "copies are \(copies) of the corpus")
        #expect(kinds["exact", default: 0] > 0 && kinds["near", default: 0] > 0)
    }

    @Test("wirewatch bench --offline times analysis without the resource loading, and says how long that took")
    func offlineAnalysisBench() throws {
        let run = try runCLI(
            ["bench", "--offline", "--stage", "analysis", "--articles", "40", "--workers", "1", "--corpus", Self.path,
             "--format", "json"], timeout: 120)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(run.stdout.utf8))
        #expect(report.articles == 40 && report.stage == "analysis")
        let loading = try #require(report.resourceSeconds, "the load time is reported")
        let analysis = try #require(report.stages["analysis"])
        #expect(loading > 0 && analysis.microsecondsPerArticle > 0)
        // The speed target's unit: the stage's milliseconds over the corpus's thousands of words.
        let thousandsOfWords = report.wordsPerSecond * report.seconds / 1000
        let expected = analysis.seconds * 1000 / thousandsOfWords
        #expect(
            abs(analysis.millisecondsPerThousandWords - expected) < 1e-9 * expected,
            "\(analysis.millisecondsPerThousandWords) against \(expected)")
        // Loading the models takes far longer than analyzing one article: an article that waited on it would
        // show as the slowest by about the load time.
        #expect(report.latency.max < loading * 1e6, "slowest article \(report.latency.max) µs, loading \(loading) s")
    }

    @Test("wirewatch bench --spawn splits ingest→publish into legs by the envelopes' timestamps")
    func daemonBenchLegs() throws {
        let run = try runCLI(
            ["bench", "--spawn", "--articles", "60", "--corpus", Self.path, "--rate", "30", "--format", "json"],
            timeout: 180)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(BenchReport.self, from: Data(run.stdout.utf8))
        #expect(report.articles == 60 && report.lost == 0)
        let legs = try #require(report.legs, "the legs are reported")
        #expect(Set(legs.keys) == Set(BenchReport.legNames))
        // Each leg is part of the whole, to the timestamps' millisecond (and the bench's own clock reads).
        let sum = BenchReport.legNames.compactMap { legs[$0]?.mean }.reduce(0, +)
        #expect(abs(sum - report.latency.mean) < 3_000, "legs add up to \(sum) µs, the whole is \(report.latency.mean)")
        for name in BenchReport.legNames { #expect(legs[name]!.max <= report.latency.max + 2_000, "\(name)") }
        // Analysis is the pipeline leg: at 30 articles/s nothing queues, and a debug build analyzes in milliseconds.
        #expect(legs["pipeline"]!.mean > 0)
    }
}
