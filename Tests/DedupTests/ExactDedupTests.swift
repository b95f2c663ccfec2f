import Articles
import Dedup
import Foundation
import Testing

@Suite("Exact dedup through the engine")
struct ExactDedupTests {
    func article(_ id: String, text: String, url: String? = nil) throws -> Article {
        var object: [String: Any] = ["id": id, "text": text]
        if let url { object["url"] = url }
        return try ArticleDecoder.decode([UInt8](try JSONSerialization.data(withJSONObject: object)))
    }

    @Test("a re-send with other whitespace, case and quote style is an exact duplicate of the first")
    func exactText() throws {
        var dedup = DedupEngine()
        let first = dedup.check(try self.article("a", text: "The “Taliban” said\n\nno."))
        #expect(first.info.status == .unique)
        #expect(first.info.cluster == "a")
        let again = dedup.check(try self.article("b", text: "  the \"taliban\"   SAID\nno. "))
        #expect(again.info.status == .exact)
        #expect(again.info.of == "a")
        #expect(again.info.cluster == "a")
        #expect(again.learned.isEmpty)
    }

    @Test("the same canonical URL with new text is an update in the same cluster")
    func updateByURL() throws {
        var dedup = DedupEngine()
        _ = dedup.check(try self.article("v1", text: "First version.", url: "https://www.example.org/story/?utm_source=x"))
        let update = dedup.check(try self.article("v2", text: "First version. And a new paragraph.", url: "http://example.org/story#top"))
        #expect(update.info.status == .update)
        #expect(update.info.of == "v1")
        #expect(update.info.cluster == "v1")
        #expect(update.isNew)
        let resend = dedup.check(try self.article("v3", text: "First version. And a new paragraph."))
        #expect(resend.info.status == .exact)
        // `of` names the story's first-seen copy, whichever version was matched.
        #expect(resend.info.of == "v1")
        #expect(resend.info.cluster == "v1")
    }

    @Test("different articles are all unique")
    func distinct() throws {
        var dedup = DedupEngine()
        for index in 0..<100 {
            #expect(dedup.check(try self.article("n\(index)", text: "Story number \(index).")).info.status == .unique)
        }
    }

    @Test("restored keys are remembered; eviction by age and by count forgets")
    func restoreAndEvict() throws {
        let article = try self.article("x", text: "Remember me.")
        let keys = ExactDedup.keys(of: article)
        var dedup = DedupEngine()
        dedup.exact.restore(key: keys.text, articleID: "x", cluster: "x", firstSeen: Date(timeIntervalSinceNow: -100))
        #expect(dedup.check(try self.article("y", text: "remember me.")).info.status == .exact)
        dedup.evict(olderThan: Date(timeIntervalSinceNow: -50))
        #expect(dedup.check(try self.article("z", text: "Remember me.")).info.status == .unique)

        var small = DedupEngine(maxArticles: 10)
        for index in 0..<50 { _ = small.check(try self.article("s\(index)", text: "Small \(index).")) }
        #expect(small.exact.count <= 30)
        #expect(small.near.count <= 10)
        #expect(small.check(try self.article("again", text: "Small 49.")).info.status == .exact)
        #expect(small.check(try self.article("again0", text: "Small 0.")).info.status == .unique)
    }

    @Test("keys round-trip through their 16 bytes")
    func keyBytes() {
        let key = DedupKey(high: 0x0102_0304_0506_0708, low: 0xF1F2_F3F4_F5F6_F7F8)
        #expect(DedupKey(bytes: key.bytes) == key)
        #expect(DedupKey(bytes: [1, 2, 3]) == nil)
    }
}
