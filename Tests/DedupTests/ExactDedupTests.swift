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
        #expect(again.record == nil, "an exact copy adds nothing to the memory")
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

    @Test("eviction by age and by count forgets; memory stays bounded")
    func evict() throws {
        var dedup = DedupEngine()
        _ = dedup.check(try self.article("x", text: "Remember me."), now: Date(timeIntervalSinceNow: -100))
        #expect(dedup.check(try self.article("y", text: "remember me.")).info.status == .exact)
        dedup.evict(olderThan: Date(timeIntervalSinceNow: -50))
        #expect(dedup.check(try self.article("z", text: "Remember me.")).info.status == .unique)

        var small = DedupEngine(maxArticles: 10)
        for index in 0..<50 { _ = small.check(try self.article("s\(index)", text: "Small \(index).")) }
        #expect(small.count == 10)
        #expect(small.check(try self.article("again", text: "Small 49.")).info.status == .exact)
        #expect(small.check(try self.article("again0", text: "Small 0.")).info.status == .unique)
    }

    /// Keys as the index gets them: hashes, spread over all 64 bits.
    static func hashed(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @Test("the key index holds several slots per key and drops dead ones on compaction")
    func keyIndex() {
        var index = KeyIndex(capacity: 4)
        for slot in 0..<1000 { index.insert(Self.hashed(UInt64(slot % 10)), slot: UInt32(slot)) }
        index.insert(0, slot: 5000)
        #expect(index.count == 1001)
        #expect(index.slots(for: Self.hashed(3), before: 5001).count == 100)
        #expect(index.slots(for: 0, before: 5001).contains(5000))
        index.compact(before: 5001) { $0 >= 900 }
        #expect(index.count == 101)
        #expect(index.slots(for: Self.hashed(3), before: 5001).sorted() == Array(stride(from: UInt32(903), through: 993, by: 10)))
        #expect(index.slots(for: Self.hashed(12345), before: 5001).isEmpty)
        #expect(index.memoryBytes < 101 * 6 * 2)
    }

    @Test("slots are read back whole from their low 24 bits, across a wrap of the 32-bit counter")
    func keyIndexSlotBits() {
        var index = KeyIndex(capacity: 4)
        let high: UInt32 = 0xFFFF_FF00 &- 3 * 0x100_0000
        // A window of 3,000 consecutive slots that crosses 2²⁴ boundaries and, further on, the wrap of UInt32.
        for base in [UInt32(0), 0x00FF_FF00, high, 0xFFFF_FF00] {
            var index = KeyIndex(capacity: 4)
            for offset in 0..<3000 { index.insert(Self.hashed(UInt64(offset % 7)), slot: base &+ UInt32(offset)) }
            let next = base &+ 3000
            let expected = stride(from: 5, to: 3000, by: 7).map { base &+ UInt32($0) }.sorted()
            #expect(index.slots(for: Self.hashed(5), before: next).sorted() == expected, "base \(base)")
        }
        index.insert(Self.hashed(1), slot: 7)
        #expect(index.slots(for: Self.hashed(1), before: 8) == [7])
    }
}

@Test("the text key streamed over paragraphs equals the key of the joined text; features hold the repeats once")
func streamedTextKey() {
    let text = "First PARAGRAPH, with “quotes”.\n\nSecond — one.\n\nfirst paragraph, with \"quotes\".\n\nThird: £5."
    let features = TextFeatures(text: text)
    #expect(features.normalizedParagraphs == ["first paragraph, with \"quotes\".", "second - one.", "third: £5."])
    #expect(ExactKeys.text(paragraphs: features.normalizedParagraphs) == ExactKeys.text(features.normalizedText))
    #expect(ExactKeys.text(paragraphs: []) == ExactKeys.text(""))
}
