import Foundation
import Testing

@testable import Analysis

@Suite struct SummaryTests {
    static let article = """
        Flooding forced thousands of residents from their homes in the river valley on Tuesday. Emergency crews \
        worked through the night to rescue families trapped by the rising water.

        The river burst its banks after three days of heavy rain, officials said. Forecasters expect more rain \
        later this week, raising fears that the flooding could spread to towns downstream.

        "We lost everything," one resident said.

        Local schools were closed and turned into shelters for the displaced families. The regional governor \
        promised emergency funds to repair homes and roads damaged by the flooding.

        In other news, the town's football team won its match on Saturday.
        """

    @Test func threeSentencesInDocumentOrder() {
        let document = Document(text: Self.article)
        let summary = Summarizer.shared.summary(document)
        #expect(summary.count == 3)
        let all = document.sentences.map { document.text($0.start, $0.end) }
        let positions = summary.map { sentence in all.firstIndex(of: sentence) }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.map { $0! } == positions.map { $0! }.sorted())
        #expect(!summary.contains("\"We lost everything,\" one resident said."))
        #expect(!summary.contains { $0.contains("football") })
    }

    @Test func shortDocumentsGiveWhatTheyHave() {
        #expect(Summarizer.shared.summary(Document(text: "")).isEmpty)
        #expect(Summarizer.shared.summary(Document(text: "Only one sentence here.")) == ["Only one sentence here."])
        #expect(Summarizer.shared.summary(Document(text: "One. Two words.")).count == 2)
        #expect(Summarizer.shared.summary(Document(text: Self.article), sentences: 0).isEmpty)
    }

    @Test func hostileInputStaysBoundedForEveryStep() {
        let text = String(repeating: "missile ", count: 131_072)  // 1 MB of one word
        let document = Document(text: text)
        let terms = DocumentTerms(document)
        #expect(terms.stems.count == 1)
        let started = Date()
        let themes = ThemeClassifier.shared.themes(document, terms: terms)
        let tone = ToneScorer.shared.tone(document, terms: terms)
        let phrases = KeyphraseExtractor.shared.keyphrases(document, terms: terms)
        let summary = Summarizer.shared.summary(document, terms: terms)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(themes.count <= 4)
        #expect(tone.wordCount == 131_072)
        #expect(phrases.first?.phrase == "missile")
        #expect(summary.count <= 3)
    }
}
