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

    /// A source that has not written anything yet, as the daemon's store before the journal commits a batch.
    struct UnwrittenRecords: DedupRecordSource {
        func record(_ slot: UInt32) -> DedupRecord? { nil }
        func keep(_ record: DedupRecord) {}
        func forget(below slot: UInt32) {}
    }

    @Test("records not yet written stay in the recent cache, however many are in flight")
    func unwrittenRecords() throws {
        var dedup = DedupEngine(source: UnwrittenRecords(), unwritten: 3000)
        for index in 0..<3000 { _ = dedup.check(try self.article("u\(index)", text: "Story number \(index) of the day.")) }
        let copy = dedup.check(try self.article("again", text: "Story number 0 of the day."))
        #expect(copy.info.status == .exact)
        #expect(copy.info.of == "u0")
    }

    /// Keys as the index gets them: hashes, spread over all 64 bits.
    static func hashed(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @Test("the key index holds several slots per key, across frozen blocks and a wrap of the 32-bit counter")
    func keyIndex() {
        for base in [UInt32(0), 0xFFFF_FFFF &- 100_000] {
            var index = KeyIndex(capacity: 4)
            // Three blocks frozen and part of a fourth open; each slot under a shared key and a key of its own.
            for offset in 0..<200_000 {
                index.insert(Self.hashed(UInt64(offset % 1000)), slot: base &+ UInt32(offset))
                index.insert(Self.hashed(1_000_000 + UInt64(offset)), slot: base &+ UInt32(offset))
            }
            #expect(index.count == 400_000)
            #expect(index.frozenEntries == 3 * 65_536 * 2)
            let sevens = stride(from: 7, to: 200_000, by: 1000).map { base &+ UInt32($0) }
            #expect(index.slots(for: Self.hashed(7)).sorted { $0 &- base < $1 &- base } == sevens, "base \(base)")
            for offset in [0, 65_535, 65_536, 123_456, 199_999] {
                #expect(index.slots(for: Self.hashed(1_000_000 + UInt64(offset))) == [base &+ UInt32(offset)])
            }
            #expect(index.slots(for: Self.hashed(12_345_678)).isEmpty)

            // Forgotten slots are skipped at once, and dropped from the frozen table when the next block is merged.
            index.forget(below: base &+ 131_073, next: base &+ 200_000)
            for offset in [65_536, 131_072] {
                #expect(index.slots(for: Self.hashed(1_000_000 + UInt64(offset))).isEmpty)
            }
            #expect(index.slots(for: Self.hashed(1_000_000 + 131_073)) == [base &+ 131_073])
            let live = stride(from: 132_007, to: 200_000, by: 1000).map { base &+ UInt32($0) }
            #expect(index.slots(for: Self.hashed(7)).sorted { $0 &- base < $1 &- base } == live)
            for offset in 200_000..<262_145 {
                index.insert(Self.hashed(UInt64(offset % 1000)), slot: base &+ UInt32(offset))
                index.insert(Self.hashed(1_000_000 + UInt64(offset)), slot: base &+ UInt32(offset))
            }
            #expect(index.frozenEntries == (262_144 - 131_073) * 2)
            let later = stride(from: 132_007, to: 262_145, by: 1000).map { base &+ UInt32($0) }
            #expect(index.slots(for: Self.hashed(7)).sorted { $0 &- base < $1 &- base } == later)
            #expect(index.slots(for: Self.hashed(1_000_000 + 131_073)) == [base &+ 131_073])
            #expect(index.slots(for: Self.hashed(1_000_000 + 262_144)) == [base &+ 262_144])
            // A table wholly before the window goes at once.
            index.forget(below: base &+ 262_144, next: base &+ 262_145)
            #expect(index.frozenEntries == 0)
            #expect(index.count == 2)
            #expect(index.slots(for: Self.hashed(144)) == [base &+ 262_144])
        }
    }

    @Test("a sliding window reads back what a plain multimap holds, the wrap of the counter included")
    func keyIndexSlidingWindow() {
        for (base, window) in [(UInt32(7), 150_000), (0xFFFF_FFFF &- 200_000, 150_000), (UInt32(0), 40_000)] {
            var index = KeyIndex(capacity: 4)
            // A few keys shared by many slots (near-duplicate bands), the rest each a slot's own.
            var model: [UInt64: [UInt32]] = [:]
            var keysOfSlot: [[UInt64]] = []
            let total = 300_000
            for offset in 0..<total {
                let slot = base &+ UInt32(offset)
                var keys = [Self.hashed(10_000_000 + 2 * UInt64(offset)), Self.hashed(10_000_001 + 2 * UInt64(offset)), Self.hashed(UInt64(offset % 5000))]
                if offset % 3 == 0 { keys.append(Self.hashed(7_000_000 + UInt64(offset / 3))) }
                if offset % 11 == 0 { keys.append(keys[0]) }  // a key listed twice for one slot
                for key in keys {
                    index.insert(key, slot: slot)
                    model[key, default: []].append(slot)
                }
                keysOfSlot.append(keys)
                // As the dedup engine does: the window's oldest slot goes as each new one comes, at times in a jump.
                let live = offset + 1 - window
                if live > 0 && (offset % 50_000 < 40_000 || offset % 50_000 == 49_999) {
                    index.forget(below: base &+ UInt32(live), next: slot &+ 1)
                }
            }
            let live = total - window
            var extra = 0
            var lookups = 0
            for offset in stride(from: 0, to: total, by: 37) {
                for key in keysOfSlot[offset] {
                    let expected = model[key]!.filter { $0 &- base >= UInt32(live) }
                    let found = index.slots(for: key)
                    lookups += 1
                    // Only a key's upper bits are kept: a slot of another key may come too, never one missing.
                    let counted = Dictionary(found.map { ($0, 1) }, uniquingKeysWith: +)
                    for (slot, times) in Dictionary(expected.map { ($0, 1) }, uniquingKeysWith: +) {
                        #expect(counted[slot, default: 0] >= times, "window \(window) base \(base) slot \(slot)")
                    }
                    #expect(found.allSatisfy { $0 &- base >= UInt32(live) && $0 &- base < UInt32(total) })
                    extra += found.count - expected.count
                }
            }
            #expect(extra >= 0 && extra * 1000 <= lookups, "window \(window): \(extra) extra slots in \(lookups) lookups")
            // The frozen table holds the live slots and at most one block of forgotten ones (3.4 keys a slot here),
            // 4 bytes an entry and a directory cell per few entries; the open block at most a block's entries.
            #expect(index.frozenEntries <= (window + 65_536) * 4)
            #expect(index.memoryBytes <= index.frozenEntries * 9 + 65_536 * 4 * 12)
        }
    }

    @Test("a window shorter than a block drops the open block's dead entries once they are a third of it")
    func keyIndexShortWindow() {
        var index = KeyIndex(capacity: 4)
        for slot in 0..<10_000 { index.insert(Self.hashed(UInt64(slot % 10)), slot: UInt32(slot)) }
        index.forget(below: 9000, next: 10_000)
        #expect(index.count == 1000)
        #expect(index.slots(for: Self.hashed(3)).sorted() == Array(stride(from: UInt32(9003), to: 10_000, by: 10)))
        // New slots after the rebase read back whole.
        index.insert(Self.hashed(3), slot: 10_000)
        #expect(index.slots(for: Self.hashed(3)).max() == 10_000)
        // A thousand live entries at half load, grown once: far below the 10,000 entries the block held.
        #expect(index.memoryBytes < 1001 * 6 * 4)
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
