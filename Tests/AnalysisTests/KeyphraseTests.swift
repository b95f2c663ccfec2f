import Testing

@testable import Analysis

@Suite struct KeyphraseTests {
    @Test func inflectionsMergeIntoOneKeyphrase() {
        let text = """
            The army tested a new missile on Monday. Two more missiles will be tested next month, officials said. \
            The missile flew 500 kilometres before landing in the sea. Neighbouring states criticised the missiles.
            """
        let phrases = KeyphraseExtractor.shared.keyphrases(Document(text: text))
        let missile = phrases.filter { $0.phrase.lowercased().hasPrefix("missile") }
        #expect(missile.count == 1)
        #expect(phrases.first?.phrase.lowercased().hasPrefix("missile") == true)
    }

    @Test func phrasesHaveNoStopwordsOrPunctuationAtTheirEdges() {
        let text = """
            The Bank of England raised interest rates again. The Bank of England said interest rates would stay \
            high, and mortgage lenders warned that interest rates hurt first-time buyers.
            """
        let phrases = KeyphraseExtractor.shared.keyphrases(Document(text: text), limit: 10)
        #expect(!phrases.isEmpty)
        #expect(phrases.count <= 10)
        #expect(phrases.contains { $0.phrase == "Bank of England" })
        #expect(phrases.contains { $0.phrase == "interest rates" })
        for phrase in phrases {
            let words = phrase.phrase.split(separator: " ")
            #expect(words.count <= 4)
            #expect(!["the", "of", "and", "a", "that"].contains(words.first!.lowercased()))
            #expect(!["the", "of", "and", "a", "that"].contains(words.last!.lowercased()))
            #expect(phrase.phrase.last!.isLetter || phrase.phrase.last!.isNumber)
        }
        #expect(phrases.first?.score == 1)
        #expect(phrases.map(\.score) == phrases.map(\.score).sorted(by: >))
    }

    @Test func limitIsHonoured() {
        let text = "Farmers in the valley grow apples, pears, plums, cherries and grapes for export to cities."
        #expect(KeyphraseExtractor.shared.keyphrases(Document(text: text), limit: 2).count == 2)
        #expect(KeyphraseExtractor.shared.keyphrases(Document(text: text), limit: 0).isEmpty)
        #expect(KeyphraseExtractor.shared.keyphrases(Document(text: "")).isEmpty)
    }
}
