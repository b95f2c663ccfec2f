import Foundation
import Storage
import Testing
@testable import WirewatchService

/// An envelope compressed on a worker before its `seq` is known, then numbered by the pipeline: what the journal
/// keeps must read back as exactly what is published.
struct SequencedEntryTests {
    @Test("the stored form of a numbered envelope reads back as the published one", arguments: [
        "{\"schema\":\"wirewatch.result.v1\",\"analysis\":{\"entities\":[" + String(repeating: "{\"name\":\"Kabul\",\"start\":10},", count: 50) + "{}]}}",
        "{}",
        "{\"x\":1}",
    ])
    func storedMatchesPublished(envelope: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sequenced-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Store(path: directory.appendingPathComponent("state.db").path)
        let body = Array(envelope.utf8)
        let unnumbered = JournalEntry(
            seq: 0, topic: "article.en", articleID: "a", cluster: "a", status: "unique", recordedAt: Date(), envelope: body)
        // As a worker makes it: the envelope without its closing brace, compressed.
        let packedHead = EnvelopeCompression.pack(Array(body.dropLast()))
        let entry = unnumbered.sequenced(41, packedHead: packedHead)
        #expect(entry.envelope == Array((envelope.dropLast() + (envelope.count > 2 ? "," : "") + "\"seq\":41}").utf8))
        #expect(entry.stored != nil)
        var batch = JournalBatch()
        batch.entries = [entry]
        try store.commit(batch)
        #expect(try store.journal(after: 0, limit: 1).first?.envelope == entry.envelope)
    }
}
