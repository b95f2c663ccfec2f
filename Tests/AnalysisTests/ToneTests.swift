import Testing

@testable import Analysis

@Suite struct ToneTests {
    @Test func negativeTextHasNegativeTone() {
        let text = """
            The attack killed twelve people and wounded dozens more. Survivors described terrible scenes of panic, \
            grief and destruction, and officials condemned the brutal violence as a horrific crime.
            """
        let tone = ToneScorer.shared.tone(Document(text: text))
        #expect(tone.tone < 0)
        #expect(tone.negative > tone.positive)
        #expect(tone.polarity == ((tone.positive + tone.negative) * 10_000).rounded() / 10_000)
    }

    @Test func positiveTextHasPositiveTone() {
        let text = """
            Residents celebrated a wonderful success as the new library opened. Volunteers were proud and happy, \
            praising the generous support that helped the community win a prize for its excellent work.
            """
        let tone = ToneScorer.shared.tone(Document(text: text))
        #expect(tone.tone > 0)
        #expect(tone.positive > tone.negative)
    }

    @Test func negationTurnsPolarity() {
        let plain = ToneScorer.shared.tone(Document(text: "The talks were good and the result was good."))
        let negated = ToneScorer.shared.tone(Document(text: "The talks were not good and the result was never good."))
        #expect(plain.tone > 0)
        #expect(negated.tone < 0)
    }

    @Test func activityAndSelfReferenceAreWordShares() {
        let tone = ToneScorer.shared.tone(Document(text: "We attacked the town and our troops seized the bridge."))
        #expect(tone.wordCount == 10)
        #expect(tone.activity == 20)  // attacked, seized
        #expect(tone.selfGroup == 20)  // we, our
        // "US" the country is not "us" the pronoun.
        #expect(ToneScorer.shared.tone(Document(text: "The US said it would help.")).selfGroup == 0)
    }

    @Test func emptyDocumentIsNeutral() {
        let tone = ToneScorer.shared.tone(Document(text: ""))
        #expect(tone.wordCount == 0)
        #expect(tone.tone == 0)
    }
}
