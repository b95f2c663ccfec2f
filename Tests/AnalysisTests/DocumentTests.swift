import Testing

@testable import Analysis

@Suite struct DocumentTests {
    @Test func tokensKeepScalarOffsetsOfTheOriginal() {
        let text = "  Café owners in the U.S. said “more than 6,000 Daesh-K fighters” crossed.\n\nPakistan's army didn't."
        let document = Document(text: text)
        let words = document.tokens.map(\.text)
        #expect(words.contains("U.S."))
        #expect(words.contains("6,000"))
        #expect(words.contains("Daesh-K"))
        #expect(words.contains("Pakistan"))
        #expect(words.contains("didn't"))
        let scalars = Array(text.unicodeScalars)
        for token in document.tokens {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[token.start..<token.end])
            #expect(String(view) == token.text)
        }
        #expect(document.tokens.first { $0.text == "6,000" }?.kind == .number)
        #expect(document.tokens.first { $0.text == "Café" }?.start == 2)
    }

    @Test("every token's word hash is WordHash.fnv of its lowercase word: ASCII, accented, all-caps, punctuation")
    func wordHashesAreTheLowercaseWords() {
        let document = Document(text: "ÉCOLE Café in ZÜRICH said “NATO’s” 6,000 Daesh-K — ok. İstanbul ǅemal ẞ")
        #expect(document.wordHashes.count == document.tokens.count)
        for (token, hash) in zip(document.tokens, document.wordHashes) {
            #expect(hash == WordHash.fnv(token.lower), "\(token.text)")
        }
        // Case does not change the hash: the tagger's features and the alias table read words in any case alike.
        let other = Document(text: "école CAFÉ IN zürich")
        #expect(Array(other.wordHashes) == Array(document.wordHashes.prefix(4)))
    }

    @Test func sentencesEndAtStopsButNotAtAbbreviations() {
        let text = "Mr. Smith met Gen. Ali in the U.S. on Friday. He left at 3 p.m. and flew home! “Why?” she asked.\nA new line."
        let document = Document(text: text)
        let sentences = document.sentences.map { document.text($0.start, $0.end) }
        #expect(sentences == [
            "Mr. Smith met Gen. Ali in the U.S. on Friday.", "He left at 3 p.m. and flew home!",
            "“Why?” she asked.", "A new line.",
        ])
        #expect(document.sentenceIndex(ofToken: 0) == 0)
        #expect(document.sentenceIndex(ofToken: document.tokens.count - 1) == 3)
    }
}
