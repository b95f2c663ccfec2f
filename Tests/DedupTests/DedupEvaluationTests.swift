import Articles
import Dedup
import Foundation
import Testing
import TestSupport
import WirewatchService

/// The quality bars, measured on the labelled data in ../shared/data (read at run time, never copied).
@Suite("Dedup quality on shared/data")
struct DedupEvaluationTests {
    static let data = Paths.shared.appendingPathComponent("data")

    @Test("dedup-dev: exact 100 %, near + update P ≥ 0.99 and R ≥ 0.97, no hard negative flagged")
    func dedupDev() throws {
        let path = Self.data.appendingPathComponent("dedup-dev.jsonl").path
        try #require(FileManager.default.fileExists(atPath: path), "../shared/data is missing")
        let report = try DedupEvaluation().run(try ArticleFiles.read(path))
        let exact = try #require(report.byKind["exact"])
        let nearUpdate = try #require(report.byKind["near+update"])
        #expect(exact.recall == 1 && exact.precision == 1)
        #expect(nearUpdate.precision >= 0.99)
        #expect(nearUpdate.recall >= 0.97)
        #expect(report.counts["hard_negatives_flagged"] == 0)
        #expect(report.counts["hard_negatives"] == 160)
        // Updates must be published as updates, not swallowed as copies.
        let updates = try #require(report.byKind["update"])
        #expect(updates.recall >= 0.97)
        #expect((report.counts["predicted_update"] ?? 0) <= (report.counts["gold_update"] ?? 0) + 5)
    }

    @Test("bbc-natural-dups: every pair of the corpus with shingle Jaccard ≥ 0.8 ends up in one cluster")
    func naturalDuplicates() throws {
        let corpus = try #require(FileManager.default.contents(atPath: Self.data.appendingPathComponent("bbc-news.jsonl").path))
        let pairs = try #require(FileManager.default.contents(atPath: Self.data.appendingPathComponent("bbc-natural-dups.jsonl").path))
        var engine = DedupEngine()
        var cluster: [String: String] = [:]
        for line in corpus.split(separator: UInt8(ascii: "\n")) {
            let article = try ArticleDecoder.decode([UInt8](line))
            cluster[article.id] = engine.check(article).info.cluster
        }
        var checked = 0
        for line in pairs.split(separator: UInt8(ascii: "\n")) {
            let pair = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            guard let jaccard = pair["jaccard_w5"] as? Double, jaccard >= 0.8,
                let a = pair["a"] as? String, let b = pair["b"] as? String
            else { continue }
            checked += 1
            #expect(cluster[a] != nil && cluster[a] == cluster[b], "\(a) ~ \(b), Jaccard \(jaccard)")
        }
        #expect(checked >= 50, "only \(checked) pairs at Jaccard ≥ 0.8")
    }
}
