import Articles
import Dedup
import Foundation
import Testing

/// Near-duplicate detection on texts written for these tests.
@Suite("Near-duplicate detection")
struct NearDedupTests {
    static let paragraphs = [
        "The city council voted on Tuesday to close the old harbour bridge to heavy traffic after engineers found cracks in two of its main supports.",
        "Officials said lorries would be diverted through the industrial estate for at least six months while repairs are carried out on the structure.",
        "Local businesses warned that the diversion would add up to forty minutes to deliveries and called for compensation from the regional government.",
        "The bridge, which opened in 1931, carries around twelve thousand vehicles a day and is the main route between the port and the motorway.",
        "A spokesperson for the transport department said the safety of drivers came first and that a full inspection report would be published next month.",
        "Campaigners have long argued that the crossing needs replacing rather than patching, pointing to three earlier closures in the past decade.",
    ]

    static var original: String { Self.paragraphs.joined(separator: "\n\n") }

    func article(_ id: String, _ text: String, url: String? = nil) throws -> Article {
        var object: [String: Any] = ["id": id, "text": text]
        if let url { object["url"] = url }
        return try ArticleDecoder.decode([UInt8](try JSONSerialization.data(withJSONObject: object)))
    }

    func verdict(of copy: String, url: String? = nil) throws -> DedupVerdict {
        var engine = DedupEngine()
        #expect(engine.check(try self.article("orig", Self.original)).info.status == .unique)
        return engine.check(try self.article("copy", copy, url: url))
    }

    @Test("boilerplate around a syndicated copy makes it a near duplicate, not an update")
    func boilerplate() throws {
        let copy = "(Example Wire) - " + Self.original
            + "\n\nThis story first appeared on Example Wire.\nRead more: Harbour traffic plans unveiled\nShare this article"
        let verdict = try self.verdict(of: copy)
        #expect(verdict.info.status == .near)
        #expect(verdict.info.of == "orig")
        #expect(verdict.info.cluster == "orig")
        #expect((verdict.info.similarity ?? 0) > 0.8)
    }

    @Test("a prefixed copy of formulaic paragraphs (sharing their last words) is still only a near duplicate")
    func formulaic() throws {
        let paragraphs = (1...6).map { index in
            "Paragraph \(index) says inspectors found \(index * 3) new cracks in the supports of the bridge on Tuesday."
        }
        var engine = DedupEngine()
        _ = engine.check(try self.article("story", paragraphs.joined(separator: "\n\n")))
        let copy = "(Example Wire) - " + paragraphs.joined(separator: "\n\n") + "\n\nRead more: Harbour news"
        let verdict = engine.check(try self.article("copy", copy))
        #expect(verdict.info.status == .near)
        #expect(verdict.info.of == "story")
    }

    @Test("a truncated copy is a near duplicate (containment, though Jaccard is low)")
    func truncated() throws {
        let copy = Self.paragraphs.prefix(3).joined(separator: "\n\n")
        #expect(try self.verdict(of: copy).info.status == .near)
    }

    @Test("a copy with a new paragraph of news is an update; repeated paragraphs or a link line are not")
    func update() throws {
        var updated = Self.paragraphs
        updated.insert("Late on Tuesday the council confirmed that emergency repairs would begin on Monday morning.", at: 4)
        let verdict = try self.verdict(of: updated.joined(separator: "\n\n"))
        #expect(verdict.info.status == .update)
        #expect(verdict.info.of == "orig")
        #expect(verdict.isNew)

        // Once the scraper's repeat is removed the text is the original's: an exact copy, not news.
        var repeated = Self.paragraphs
        repeated.insert(Self.paragraphs[1], at: 3)
        #expect(try self.verdict(of: repeated.joined(separator: "\n")).info.status == .exact)
        repeated.append("Read more: harbour news")
        #expect(try self.verdict(of: repeated.joined(separator: "\n")).info.status == .near)
    }

    @Test(
        "verification judges a text of a hundred paragraphs as one of six: prefixes, suffixes, order, news",
        arguments: [1, 17])
    func longTexts(repeats: Int) throws {
        // Seventeen rounds of the story make verification index the old paragraphs rather than scan them.
        let story = (0..<repeats).flatMap { round in
            Self.paragraphs.map { repeats == 1 ? $0 : "In round \(round) of the hearing, " + $0.lowercased() }
        }
        let old = TextFeatures(text: story.joined(separator: "\n\n"))
        let remembered = NearFeatures(
            signature: MinHashSignature(shingles: old.shingles), paragraphs: old.paragraphs,
            paragraphWords: old.paragraphWords, paragraphHeads: old.paragraphHeads, paragraphTails: old.paragraphTails)
        func verify(_ copy: [String]) -> NearVerifier.Match? {
            let new = TextFeatures(text: copy.joined(separator: "\n\n"))
            return NearVerifier.verify(
                new, MinHashSignature(shingles: new.shingles), against: remembered, settings: NearDedupSettings())
        }
        // A wire's tag before each paragraph, or a credit after it: the old paragraphs sit whole inside the new ones.
        let prefixed = verify(story.map { "Harbourside Wire: " + $0 })
        #expect(prefixed?.isUpdate == false)
        let suffixed = verify(story.map { $0 + " (Harbourside Wire)" })
        #expect(suffixed?.isUpdate == false)
        // The same paragraphs in reverse: all shared, out of order.
        let reversed = verify(story.reversed())
        #expect(reversed?.similarity == 1 && reversed?.isUpdate == false)
        // A new paragraph of news, or a share of new words large enough to be news whatever the length.
        let news = "Late on Tuesday the council confirmed that emergency repairs would begin on Monday morning."
        #expect(verify(story + [news])?.isUpdate == true)
        let tags = story.indices.map { "Harbour notice \($0): the crossing stays shut to lorries" }
        #expect(verify(story + tags)?.isUpdate == true)
        // Half of the paragraphs, each cut down to its first words: another text.
        #expect(verify(story.enumerated().filter { $0.offset % 2 == 0 }.map { String($0.element.prefix(30)) }) == nil)
    }

    @Test("format-only changes (ligatures, curly quotes, spacing) are duplicates")
    func formatOnly() throws {
        let copy = Self.original.replacingOccurrences(of: "fi", with: "\u{FB01}")
            .replacingOccurrences(of: " ", with: "  ").replacingOccurrences(of: "\n\n", with: "\r\n")
        let status = try self.verdict(of: copy).info.status
        #expect(status == .near || status == .exact)
    }

    @Test("a different story on the same topic, sharing vocabulary, is unique")
    func hardNegative() throws {
        let other = """
            Engineers inspecting the harbour tunnel on Tuesday reported water leaking through joints in its eastern section.
            The transport department said the tunnel would stay open while divers examine the seals over the coming weeks.
            Drivers heading to the port were told to expect short delays at night when one lane will be closed for the work.
            Council members asked for a report on the cost of replacing the seals before the end of the financial year.
            """
        #expect(try self.verdict(of: other).info.status == .unique)
    }

    @Test("the same URL with a rewritten text is an update of the story")
    func sameURLRewritten() throws {
        var engine = DedupEngine()
        _ = engine.check(try self.article("v1", Self.original, url: "https://example.org/bridge"))
        let rewritten = try self.article("v2", "Completely different text about a football match and its result.", url: "https://www.example.org/bridge/")
        let verdict = engine.check(rewritten)
        #expect(verdict.info.status == .update)
        #expect(verdict.info.cluster == "v1")
    }

    @Test("remembered records survive serialization; another shingle size is refused")
    func recordBytes() throws {
        var engine = DedupEngine()
        let record = try #require(engine.check(try self.article("orig", Self.original)).record)
        let features = try #require(record.features)
        let bytes = features.bytes(shingleSize: 5)
        #expect(NearFeatures(bytes: bytes, shingleSize: 5) == features)
        #expect(NearFeatures(bytes: bytes, shingleSize: 4) == nil)
        #expect(NearFeatures(bytes: Array(bytes.prefix(40)), shingleSize: 5) == nil)
        // Hostile rows: cut inside the paragraphs, or claiming more paragraphs than the blob holds, are refused.
        #expect(NearFeatures(bytes: Array(bytes.dropLast()), shingleSize: 5) == nil)
        var inflated = bytes
        let countOffset = bytes.count - features.paragraphs.count * 28 - 4
        for (index, byte) in [UInt8(0xA0), 0x86, 0x01, 0x00].enumerated() { inflated[countOffset + index] = byte }
        #expect(NearFeatures(bytes: inflated, shingleSize: 5) == nil)
        #expect(NearFeatures(bytes: inflated + [UInt8](repeating: 0, count: 28), shingleSize: 5) == nil)
        #expect(DedupRecord.keys(from: record.keyBytes) == record.keys)

        // A fresh engine that restores only the keys finds the copy through its source.
        let source = InMemoryDedupRecords()
        source.keep(record)
        var fresh = DedupEngine(source: source)
        fresh.restore(slot: record.slot, firstSeen: record.firstSeen, keys: record.keys)
        let copy = try self.article("copy", Self.paragraphs.dropLast().joined(separator: "\n\n"))
        #expect(fresh.check(copy).info.of == "orig")
    }

    @Test("eviction by age and count forgets near-duplicate memory")
    func eviction() throws {
        var engine = DedupEngine(maxArticles: 2)
        _ = engine.check(try self.article("orig", Self.original), now: Date(timeIntervalSince1970: 100))
        engine.evict(olderThan: Date(timeIntervalSince1970: 200))
        #expect(engine.count == 0)
        let copy = Self.paragraphs.dropLast().joined(separator: "\n\n")
        #expect(engine.check(try self.article("copy", copy)).info.status == .unique)
    }

    static let otherStory = [
        "Firefighters in the northern valley spent the night containing a blaze that destroyed two barns and forced the evacuation of a farming hamlet.",
        "The regional fire service said strong easterly winds had carried embers more than a kilometre across dry fields before crews could reach them.",
        "Residents were allowed to return on Wednesday morning, although the main road through the valley remains closed while power lines are repaired.",
    ]

    @Test("a newsletter plug or a copyright line added to a copy is boilerplate, not news: near, not update")
    func promotionalLines() throws {
        for line in [
            "Sign up for our daily newsletter to get the top stories in your inbox.",
            "Copyright 2024 Example Regional Times. All rights reserved.",
            "Follow us for the latest updates on this developing story.",
        ] {
            #expect(try self.verdict(of: Self.original + "\n\n" + line).info.status == .near, "\(line)")
        }
        let news = "Engineers from the regional government confirmed on Wednesday that a second crack had been found overnight."
        #expect(try self.verdict(of: Self.original + "\n\n" + news).info.status == .update)
    }

    @Test("part of a story beside news of its own, or its paragraphs reshuffled, is another article; a teaser is a copy")
    func partialReuse() throws {
        var long = Self.paragraphs + Self.otherStory + Self.paragraphs.map { "In other news, " + $0.lowercased() }
        long.removeLast(2)
        var engine = DedupEngine()
        #expect(engine.check(try self.article("long", long.joined(separator: "\n\n"))).info.status == .unique)
        // Four paragraphs of the story (over 80 % of this text) and one of its own news.
        let reuse = Array(Self.paragraphs[1...4]) + [
            "Separately, the harbour authority announced a new ferry timetable that adds three evening crossings from next month onward."
        ]
        #expect(engine.check(try self.article("reuse", reuse.joined(separator: "\n\n"))).info.status == .unique)
        let shuffled = [long[6], long[7], long[0], long[1], long[2]]
        #expect(engine.check(try self.article("shuffled", shuffled.joined(separator: "\n\n"))).info.status == .unique)
        // The first paragraphs alone, in order: a teaser of the long text.
        var fresh = DedupEngine()
        _ = fresh.check(try self.article("long", long.joined(separator: "\n\n")))
        let teaser = Array(long[0...4])
        let verdict = fresh.check(try self.article("teaser", teaser.joined(separator: "\n\n")))
        #expect(verdict.info.status == .near && verdict.info.of == "long", "\(verdict.info)")
    }
}
