import Articles
import Dedup
import Foundation
import Synchronization
import Testing
import TestSupport
import WirewatchService

/// Real articles through the real decode, dedup and analysis: the envelope bytes the pipeline publishes
/// (`EnvelopeWriter`) must be exactly those `JSONEncoder` gave. Reads ../shared/data at run time, never copies it.
@Suite("EnvelopeWriter over the bbc-news corpus")
struct EnvelopeWriterCorpusTests {
    static var corpus: URL { Paths.shared.appendingPathComponent("data/bbc-news.jsonl") }

    /// The corpus as sent, then as HTML pages (so `article.text` is carried), then again (exact duplicates, no
    /// analysis), then with a sentence added (near duplicates and updates, with a similarity).
    static func payloads() throws -> [[UInt8]] {
        let items = try ArticleFiles.read(Self.corpus.path)
        var payloads = items.map(\.payload)
        for (index, item) in items.enumerated() {
            guard var object = try JSONSerialization.jsonObject(with: Data(item.payload)) as? [String: Any],
                let text = object["text"] as? String
            else { continue }
            if index % 4 == 0 {
                let paragraphs = text.components(separatedBy: "\n\n").map { "<p>\($0)</p>" }.joined()
                object["html"] = "<html><head><title>t</title></head><body><nav>Home</nav>\(paragraphs)</body></html>"
                object["text"] = nil
                object["id"] = "\(object["id"] ?? index)-html"
                payloads.append([UInt8](try JSONSerialization.data(withJSONObject: object)))
            } else if index % 4 == 1 {
                payloads.append(item.payload)
            } else if index % 4 == 2 {
                object["text"] = text + "\n\nA spokesman said on Tuesday: \"We will say more later.\""
                object["id"] = "\(object["id"] ?? index)-v2"
                payloads.append([UInt8](try JSONSerialization.data(withJSONObject: object)))
            }
        }
        return payloads
    }

    @Test("every article's envelope is byte-identical to JSONEncoder's")
    func corpus() throws {
        try #require(FileManager.default.fileExists(atPath: Self.corpus.path), "../shared/data is missing")
        let payloads = try Self.payloads()
        #expect(payloads.count > 3800)
        let processor = ArticleProcessor(limits: .default)
        var dedup = DedupEngine()
        let receivedAt = Date()
        var admitted: [ArticleProcessor.Admitted] = []
        for payload in payloads {
            admitted.append(try processor.admit(payload, receivedAt: receivedAt, dedup: &dedup))
        }
        let statuses = Set(admitted.map(\.verdict.info.status))
        #expect(statuses.isSuperset(of: [.unique, .exact, .near]), "\(statuses)")

        let mismatches = Mutex<[String]>([])
        let withText = Atomic<Int>(0)
        let analyzed = Atomic<Int>(0)
        let all = admitted
        DispatchQueue.concurrentPerform(iterations: ProcessInfo.processInfo.activeProcessorCount) { worker in
            let encoder = ArticleProcessor.encoder()
            for index in stride(from: worker, to: all.count, by: ProcessInfo.processInfo.activeProcessorCount) {
                var envelope = processor.envelope(for: all[index], seq: Int64(index + 1))
                envelope.redelivered = index % 7 == 0 ? true : nil
                if envelope.article.text != nil { withText.add(1, ordering: .relaxed) }
                if envelope.analysis != nil { analyzed.add(1, ordering: .relaxed) }
                let expected = (try? encoder.encode(envelope)).map { [UInt8]($0) }
                let written = try? EnvelopeWriter.encode(envelope)
                if written != expected {
                    mismatches.withLock {
                        $0.append("\(envelope.id):\nwriter:      \(written.map { String(decoding: $0, as: UTF8.self) } ?? "nil")\n"
                            + "JSONEncoder: \(expected.map { String(decoding: $0, as: UTF8.self) } ?? "nil")")
                    }
                }
            }
        }
        let found = mismatches.withLock { $0 }
        #expect(found.isEmpty, "\(found.count) of \(all.count) differ; first: \(found.first ?? "")")
        #expect(withText.load(ordering: .relaxed) > 500)
        #expect(analyzed.load(ordering: .relaxed) > 2000)
    }
}
