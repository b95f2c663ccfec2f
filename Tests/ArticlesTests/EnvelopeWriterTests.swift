import Articles
import Foundation
import Testing

/// `EnvelopeWriter` must give exactly the bytes the published format had under `JSONEncoder`: subscribers and the
/// journal compare and hash them. The corpus run (real analysis over bbc-news) is in IntegrationTests.
@Suite("EnvelopeWriter: byte-identical to JSONEncoder")
struct EnvelopeWriterTests {
    /// The encoder the pipeline used before `EnvelopeWriter` (`ArticleProcessor.encoder()`).
    static func foundationBytes(_ envelope: ResultEnvelope) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return [UInt8](try encoder.encode(envelope))
    }

    static func expectIdentical(_ envelope: ResultEnvelope, _ comment: String = "",
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try Self.foundationBytes(envelope)
        let written = try EnvelopeWriter.encode(envelope)
        let difference = "\(comment)\nwriter:      \(String(decoding: written, as: UTF8.self))\n"
            + "JSONEncoder: \(String(decoding: expected, as: UTF8.self))"
        #expect(written == expected, "\(difference)", sourceLocation: sourceLocation)
        let decoded = try JSONDecoder().decode(ResultEnvelope.self, from: Data(written))
        #expect(decoded == envelope, sourceLocation: sourceLocation)
    }

    /// Every field present, each string field holding `string` and each number field `number`/`integer`.
    static func full(string s: String = "s", number d: Double = 0.5, integer n: Int = 7) -> ResultEnvelope {
        let mentions = [Mention(start: n, end: n), Mention(start: 0, end: 1)]
        let analysis = AnalysisResult(
            language: LanguageInfo(code: s, confidence: d, reliable: true),
            text: TextStats(words: n, sentences: n, paragraphs: n, repeatedParagraphsRemoved: n),
            coverage: s,
            entities: [
                EntityResult(name: s, canonical: s, type: s, aliases: [s, s], count: n, salience: d, mentions: mentions),
                EntityResult(name: s, canonical: s, type: s, aliases: [], count: n, salience: d, mentions: []),
            ],
            locations: [
                LocationResult(name: s, countryCode: s, admin1: s, lat: d, lon: -d, geonameid: n, count: n,
                               mentions: mentions),
                LocationResult(name: s, countryCode: nil, admin1: nil, lat: d, lon: d, geonameid: n, count: n,
                               mentions: []),
            ],
            quotes: [
                QuoteResult(text: s, speaker: s, speakerEntity: s, cue: s, start: n, end: n, speakerStart: n,
                            speakerEnd: n, kind: s),
                QuoteResult(text: s, speaker: nil, speakerEntity: nil, cue: nil, start: n, end: n, speakerStart: nil,
                            speakerEnd: nil, kind: s),
            ],
            quantities: [
                QuantityResult(value: d, qualifier: s, unit: s, object: s, start: n, end: n),
                QuantityResult(value: d, qualifier: nil, unit: nil, object: nil, start: n, end: n),
            ],
            dates: [
                DateResult(text: s, resolved: s, granularity: s, start: n, end: n),
                DateResult(text: s, resolved: nil, granularity: s, start: n, end: n),
            ],
            themes: [ThemeResult(code: s, label: s, score: d), ThemeResult(code: s, label: s, score: -d)],
            tone: ToneResult(tone: d, positive: d, negative: d, polarity: d, activity: d, selfGroup: d, wordCount: n),
            keyphrases: [KeyphraseResult(phrase: s, score: d)],
            summary: [s, s]
        )
        var envelope = ResultEnvelope(
            seq: Int64(n), id: s, receivedAt: s, processedAt: s,
            dedup: DedupInfo(status: .near, of: s, similarity: d, cluster: s),
            article: ArticleInfo(url: s, canonicalURL: s, title: s, source: s, publishedAt: s, text: s),
            analysis: analysis
        )
        envelope.redelivered = true
        return envelope
    }

    @Test("every field present, and every optional absent")
    func shapes() throws {
        try Self.expectIdentical(Self.full(), "full")
        var bare = ResultEnvelope(
            seq: nil, id: "x", receivedAt: "r", processedAt: "p",
            dedup: DedupInfo(status: .unique, of: nil, similarity: nil, cluster: "c"),
            article: ArticleInfo(url: nil, canonicalURL: nil, title: nil, source: nil, publishedAt: nil, text: nil),
            analysis: nil
        )
        try Self.expectIdentical(bare, "bare")
        bare.redelivered = false
        bare.analysis = AnalysisResult(
            language: LanguageInfo(code: "und", confidence: 0, reliable: false),
            text: TextStats(words: 0, sentences: 0, paragraphs: 0, repeatedParagraphsRemoved: 0)
        )
        try Self.expectIdentical(bare, "empty analysis, no tone")
        for status in [DedupInfo.Status.unique, .exact, .near, .update] {
            bare.dedup.status = status
            try Self.expectIdentical(bare, "\(status)")
        }
    }

    /// Named by an escaped prefix, so the test log stays free of the control characters under test.
    struct Hostile: Sendable, CustomTestStringConvertible {
        let string: String
        var testDescription: String { String(self.string.debugDescription.prefix(60)) }
    }

    static let hostileStrings: [Hostile] = ([
        "",
        "\"",
        "\\",
        "\\\"",
        "\"quoted\" and \\back\\slashed\\",
        "/slash/ </script> http://a/b",
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }),
        "tab\there\nnew line\r\ncarriage\u{08}backspace\u{0C}form feed\u{0}nul\u{1F}unit",
        "\u{7F}del \u{80}\u{9F} C1 controls \u{A0}nbsp",
        "line\u{2028}separator\u{2029}paragraph",
        "emoji 😀 👩‍👩‍👧‍👦 🇬🇧 flag, skin 👍🏽",
        "é composed, e\u{301} decomposed, ß, Ελληνικά, русский, 中文, العربية, עברית",
        "\u{FEFF}bom \u{FFFD} replacement \u{FFFF} noncharacter \u{10FFFF} last",
        "\u{D7FF}\u{E000} around the surrogates",
        "ends with a backslash \\",
        String(repeating: "long run without escapes ", count: 400) + "\"",
        String(repeating: "\n\"\\", count: 300),
    ] as [String]).map(Hostile.init)

    @Test("hostile strings are escaped as JSONEncoder escapes them", arguments: Self.hostileStrings)
    func hostileString(_ hostile: Hostile) throws {
        try Self.expectIdentical(Self.full(string: hostile.string), hostile.testDescription)
    }

    static let edgeNumbers: [Double] = [
        0, -0.0, 1, -1, 3, 0.1, 0.2, 0.30000000000000004, 1.0 / 3, 2.0 / 3, 0.5, 100, -1.5, 12.25,
        1e-4, 1e-5, 1e-7, 2.5e-5, 123e-9, 1e15, 1e16, 1e17, 1e21, 1e22, 1.2345678901234568e17, 9007199254740992,
        4294967296, 2147483648, 1e300, -1e-300, .pi, 51.5072, -0.1278, 179.99999999999997,
        Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        Double.ulpOfOne, 1 + .ulpOfOne, 0.1 + 0.7, 1234.5678, 99.99, 0.000123456789,
    ]

    @Test("edge numbers are formatted as JSONEncoder formats them", arguments: Self.edgeNumbers)
    func edgeNumber(_ number: Double) throws {
        try Self.expectIdentical(Self.full(number: number), "\(number)")
    }

    @Test("integers at and around the limits")
    func integers() throws {
        for integer in [0, 1, -1, 9, 10, 99, 100, -10, 1_000_000_007, Int(Int32.max), Int.max, Int.min, Int.min + 1] {
            var envelope = Self.full(integer: integer)
            envelope.seq = Int64(integer)
            try Self.expectIdentical(envelope, "\(integer)")
        }
    }

    @Test("random doubles across every exponent")
    func randomDoubles() throws {
        var generator = SystemRandomNumberGenerator()
        var numbers: [Double] = []
        while numbers.count < 20_000 {
            let number = Double(bitPattern: generator.next())
            if number.isFinite { numbers.append(number) }
        }
        // Short decimals and whole numbers, as analysis produces them.
        numbers += (0..<2000).map { Double($0) / 100 } + (0..<2000).map { Double($0) * 1234.5 }
        for chunk in stride(from: 0, to: numbers.count, by: 8) {
            let slice = numbers[chunk..<min(numbers.count, chunk + 8)]
            var envelope = Self.full()
            envelope.analysis?.keyphrases = slice.map { KeyphraseResult(phrase: "k", score: $0) }
            let written = try EnvelopeWriter.encode(envelope)
            let expected = try Self.foundationBytes(envelope)
            #expect(written == expected, "\(Array(slice))")
        }
    }

    @Test("a non-finite number fails the envelope, as it fails JSONEncoder")
    func nonFinite() throws {
        for number in [Double.nan, .infinity, -.infinity, .signalingNaN] {
            let envelope = Self.full(number: number)
            #expect(throws: EncodingError.self) { try Self.foundationBytes(envelope) }
            #expect(throws: EnvelopeWriter.NonFiniteNumber.self) { try EnvelopeWriter.encode(envelope) }
        }
    }
}
