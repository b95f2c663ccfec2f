import Articles
import Foundation
import Testing

@testable import Analysis

@Suite struct QuoteExtractorTests {
    let extractor = QuoteExtractor.shared

    func quotes(_ text: String, entities: [EntityResult] = []) -> [QuoteResult] {
        self.extractor.extract(Document(text: text), entities: entities)
    }

    /// The single direct quote of `text`.
    func direct(_ text: String) -> QuoteResult? {
        let found = self.quotes(text).filter { $0.kind == "direct" }
        #expect(found.count == 1, "expected one direct quote in: \(text) — got \(found.map(\.text))")
        return found.first
    }

    @Test func lexiconLoads() {
        #expect(self.extractor.hasLexicon)
    }

    @Test(arguments: [
        ("\u{201C}The bridge will reopen in May,\u{201D} said the mayor of Easton.", "The bridge will reopen in May", "the mayor of Easton", "said"),
        ("\"We are not leaving,\" Maria Keller said.", "We are not leaving", "Maria Keller", "said"),
        ("Chief Engineer Tom Hale said: \"The pumps failed twice.\"", "The pumps failed twice.", "Chief Engineer Tom Hale", "said"),
        ("The coach said \"nobody expected this result\" after the game.", "nobody expected this result", "The coach", "said"),
        ("\u{201C}Prices will keep rising,\u{201D} Lena Ortiz, an analyst at Harbor Bank, said on Monday.", "Prices will keep rising", "Lena Ortiz, an analyst at Harbor Bank", "said"),
        ("\u{201C}Nothing is decided yet\u{201D} \u{2014} Paul Winter.", "Nothing is decided yet", "Paul Winter", nil),
        ("According to the fire brigade, \u{201C}the blaze is under control.\u{201D}", "the blaze is under control.", "the fire brigade", "According to"),
        ("\"We will appeal,\" she told reporters outside the court.", "We will appeal", "she", "told"),
        ("\u{201C}The west has been slow to act,\u{201D} said a retired diplomat associated with the Ministry of Trade.", "The west has been slow to act", "a retired diplomat associated with the Ministry of Trade", "said"),
        ("\u{2018}We need more buses,\u{2019} said Councillor Ann Price.", "We need more buses", "Councillor Ann Price", "said"),
        ("\"It was my last race,\" the 34-year-old sprinter said.", "It was my last race", "the 34-year-old sprinter", "said"),
    ] as [(String, String, String, String?)])
    func directLayouts(text: String, content: String, speaker: String, cue: String?) {
        guard let quote = self.direct(text) else { return }
        #expect(quote.text == content)
        #expect(quote.speaker == speaker)
        #expect(quote.cue == cue)
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[quote.start..<quote.end])) == quote.text)
        if let start = quote.speakerStart, let end = quote.speakerEnd {
            #expect(String(String.UnicodeScalarView(scalars[start..<end])) == speaker)
        }
    }

    @Test func quoteAttributedInTheNextSentenceAndItsContinuation() {
        let text = "\u{201C}The harvest was poor this year.\u{201D} Farmer Jon Beck said so at the market.\n\n"
            + "\u{201C}We lost half the wheat,\u{201D} Beck said. \u{201C}Rain came too late.\u{201D}\n\n"
            + "\u{201C}Next year must be better.\u{201D}"
        let found = self.quotes(text).filter { $0.kind == "direct" }
        #expect(found.map(\.speaker) == ["Farmer Jon Beck", "Beck", "Beck", "Beck"])
    }

    @Test func multiParagraphQuoteIsOneQuoteWithOneSpeaker() {
        let text = "The minister spoke at length.\n\n\u{201C}We will build the road first. Then the school.\n\n"
            + "\u{201C}After that, the clinic,\u{201D} said Minister Olga Hart.\n\nThe crowd applauded."
        let found = self.quotes(text).filter { $0.kind == "direct" }
        #expect(found.count == 1)
        #expect(found.first?.speaker == "Minister Olga Hart")
        #expect(found.first?.text.hasPrefix("We will build the road first.") == true)
        #expect(found.first?.text.hasSuffix("After that, the clinic") == true)
    }

    @Test func quoteWithoutAttributionHasNoSpeaker() {
        let text = "The sign read \u{201C}closed for repairs\u{201D} all week. Nobody knew why."
        let found = self.quotes(text)
        #expect(found.count == 1)
        #expect(found.first?.speaker == nil)
        #expect(found.first?.speakerEntity == nil)
    }

    @Test(arguments: [
        ("The governor said that the budget would be cut.", "the budget would be cut", "The governor", "said"),
        ("Officials told reporters that the border would stay closed.", "the border would stay closed", "Officials", "told"),
        ("The Russian government warned that sanctions would backfire.", "sanctions would backfire", "The Russian government", "warned"),
        ("The company denied that it had misled investors.", "it had misled investors", "The company", "denied"),
        ("According to the police, two men were arrested.", "two men were arrested", "the police", "According to"),
        ("The dam is safe, the engineers insisted.", "The dam is safe", "the engineers", "insisted"),
        ("Foreign Minister Sergey Lavrov said talks would resume in March.", "talks would resume in March", "Foreign Minister Sergey Lavrov", "said"),
        ("The rally was peaceful, said a police spokesman.", "The rally was peaceful", "a police spokesman", "said"),
    ] as [(String, String, String, String)])
    func indirectSpeech(text: String, content: String, speaker: String, cue: String) {
        let found = self.quotes(text)
        #expect(found.count == 1)
        guard let quote = found.first else { return }
        #expect(quote.kind == "indirect")
        #expect(quote.text == content)
        #expect(quote.speaker == speaker)
        #expect(quote.cue == cue)
    }

    @Test func notEveryVerbOfSayingIsAReport() {
        #expect(self.quotes("The museum described the plan in a leaflet.").isEmpty)
        #expect(self.quotes("Nobody said anything.").isEmpty)
    }

    @Test func speakersResolveToEntities() {
        let text = "Foreign Minister Sergey Lavrov said the talks were useful. \u{201C}We will meet again,\u{201D} he added. "
            + "\u{201C}Not soon,\u{201D} Lavrov said. \u{201C}It is late,\u{201D} said a Pakistani expert associated with the Government of Pakistan."
        func mention(_ name: String) -> Mention {
            let scalars = Array(text.unicodeScalars)
            let needle = Array(name.unicodeScalars)
            let start = (0...(scalars.count - needle.count)).first { Array(scalars[$0..<$0 + needle.count]) == needle }!
            return Mention(start: start, end: start + needle.count)
        }
        let entities = [
            EntityResult(name: "Sergey Lavrov", canonical: "Sergey Lavrov", type: "PER", aliases: ["Lavrov"], count: 1,
                         salience: 1, mentions: [mention("Sergey Lavrov")]),
            EntityResult(name: "Government of Pakistan", canonical: "Pakistan", type: "ORG", aliases: [], count: 1,
                         salience: 0.5, mentions: [mention("Government of Pakistan")]),
        ]
        let found = self.quotes(text, entities: entities)
        #expect(found.map(\.speaker) == ["Foreign Minister Sergey Lavrov", "he", "Lavrov", "a Pakistani expert associated with the Government of Pakistan"])
        #expect(found.map(\.speakerEntity) == ["Sergey Lavrov", "Sergey Lavrov", "Sergey Lavrov", nil])
    }

    @Test func hostileMarks() {
        // An inch mark, apostrophes and an unbalanced opener.
        let inches = self.quotes("He bought a 55\" television and didn't regret it.")
        #expect(inches.isEmpty)
        let apostrophes = self.quotes("The players' union and Pakistan's army met on the '90s agenda.")
        #expect(apostrophes.isEmpty)
        let unbalanced = self.quotes("The report called it \"a failure and moved on. Nobody objected.")
        #expect(unbalanced.allSatisfy { $0.speaker == nil })
        // A nested quote stays inside its outer quote.
        let nested = self.quotes("\u{201C}He told me \u{2018}never again\u{2019} and left,\u{201D} said Ana Ruiz.")
        #expect(nested.count == 1)
        #expect(nested.first?.speaker == "Ana Ruiz")
        #expect(nested.first?.text == "He told me \u{2018}never again\u{2019} and left")
        // A stray closer before any opener is ignored.
        #expect(self.quotes("\u{201D} the end.").isEmpty)
    }

    @Test func manyQuoteMarksStayLinear() {
        // A 50 KB paragraph of quote marks and short words must not make the scans quadratic.
        var text = ""
        while text.utf8.count < 50_000 { text += "\"a\" \u{201C}said \u{201D} \"" }
        let document = Document(text: text)
        let found = self.extractor.extract(document, entities: [])
        #expect(found.count < document.tokens.count)
        let wall = String(repeating: "\"", count: 50_000)
        #expect(self.extractor.extract(Document(text: wall), entities: []).count <= 25_000)
    }

    @Test func sampleArticleQuotesHaveTheirDescriptions() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/samples/seed-article.txt").standardizedFileURL
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            print("skipped: the sample article is not at \(url.path)")
            return
        }
        // The article repeats its body; a quote counts once however often it appears.
        let scalars = Array(text.unicodeScalars)
        var bySpeech: [String: QuoteResult] = [:]
        for quote in self.quotes(text) where quote.kind == "direct" && quote.cue == "said" {
            bySpeech[quote.text] = bySpeech[quote.text] ?? quote
        }
        #expect(bySpeech.count == 2)
        for quote in bySpeech.values {
            #expect(quote.text.count > 60)
            guard let start = quote.speakerStart, let end = quote.speakerEnd, let speaker = quote.speaker else {
                Issue.record("no speaker for \(quote.text)")
                continue
            }
            // The description as the article gives it: everything from after "said" to the sentence's period.
            var stop = end
            while stop < scalars.count && scalars[stop] != "." { stop += 1 }
            #expect(stop == end)
            #expect(speaker.hasPrefix("a "))
            #expect(speaker.hasSuffix("expert") || speaker.hasSuffix("Government of Pakistan"))
            #expect(String(String.UnicodeScalarView(scalars[start..<end])) == speaker)
            #expect(quote.speakerEntity == nil)
        }
        #expect(bySpeech.values.contains { $0.speaker == "a Pakistani expert associated with the Government of Pakistan" })
    }

    @Test("a name's surname is its last word, trailing spaces aside")
    func lastWord() {
        #expect(SpeakerResolver.lastWord("Imran Khan") == "Khan")
        #expect(SpeakerResolver.lastWord("Khan") == "Khan")
        #expect(SpeakerResolver.lastWord("José María  ") == "María")
        #expect(SpeakerResolver.lastWord("   ") == nil)
        #expect(SpeakerResolver.lastWord("") == nil)
    }
}
