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
}
