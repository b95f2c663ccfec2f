import Articles
import Foundation

/// The features near-duplicate detection compares: word 5-shingles of the body and its paragraph fingerprints.
///
/// Text is folded first (NFKC, so ligatures and width variants match; lower case; quotes and dashes unified by
/// `TextNormalizer`), repeated paragraphs are dropped (a scraper's repeats must not look like new content), and
/// words are runs of letters and digits, so punctuation and whitespace changes do not move a shingle.
public struct TextFeatures: Sendable {
    /// Distinct 64-bit hashes of the word 5-shingles.
    public let shingles: [UInt64]
    /// Hashes of the normalized paragraphs, in order (repeats removed).
    public let paragraphs: [UInt64]
    /// Word count of each paragraph, parallel to `paragraphs`.
    public let paragraphWords: [Int]
    /// Hashes of each paragraph's first and last `edgeWords` words: a paragraph that only gained a prefix
    /// ("(Agency) - …") or a suffix still matches its original by one of them.
    public let paragraphHeads: [UInt64]
    public let paragraphTails: [UInt64]
    /// Whether each paragraph ends like a sentence (". ! ?", perhaps inside a closing quote), unlike link lines,
    /// headlines and bylines.
    public let paragraphEndsSentence: [Bool]
    /// Whether each paragraph reads like boilerplate (`Boilerplate.matches`): decided here, off the ordered
    /// pipeline thread, once per article rather than once per candidate it is verified against.
    let paragraphIsBoilerplate: [Bool]
    /// Word hashes of the whole text and where each paragraph's words start in them, to confirm that an old
    /// paragraph sits whole inside a new one.
    let tokens: [UInt64]
    let paragraphStarts: [Int]

    public static let edgeWords = 8

    /// The whole text normalized (paragraphs joined by one space), which the exact text key hashes.
    public var normalizedText: String { self.normalizedParagraphs.joined(separator: " ") }
    /// The paragraphs normalized, repeats removed; the exact text key hashes them joined by single spaces.
    public let normalizedParagraphs: [String]

    public init(text: String, shingleSize: Int = 5) {
        var paragraphs: [UInt64] = []
        var paragraphWords: [Int] = []
        var heads: [UInt64] = []
        var tails: [UInt64] = []
        var endsSentence: [Bool] = []
        var boilerplate: [Bool] = []
        var starts: [Int] = []
        var seen: [UInt64: [Int]] = [:]
        var normalizedParts: [String] = []
        let wordTable = TextNormalizer.latin1Word
        var text = text
        // Paragraphs as spans of the text's own bytes, normalized straight from them and tokenized as the
        // normalized text is written: one pass for most paragraphs.
        let spans = text.withUTF8 { TextNormalizer.paragraphSpans(utf8: $0) }
        var tokenizer = Tokenizer(window: [])
        tokenizer.window.reserveCapacity(1024)
        for span in spans {
            let paragraphStart = tokenizer.window.count
            let folded = text.withUTF8 { all in
                wordTable.withUnsafeBufferPointer { words in
                    tokenizer.begin(wordTable: words)
                    defer { tokenizer.finish() }
                    return TextNormalizer.normalizedForHash(utf8: UnsafeBufferPointer(rebasing: all[span.bytes]), sink: &tokenizer)
                }
            }
            let scan = tokenizer.result
            let paragraphHash = scan.paragraphHash
            let words = scan.words
            // A paragraph the scraper repeated is not new content. Keyed by what the scan computed anyway; the
            // texts are compared only when the keys meet.
            let key = paragraphHash ^ UInt64(folded.utf8.count) &* 0x9E37_79B9_7F4A_7C15
            if folded.isEmpty || seen[key]?.contains(where: { normalizedParts[$0] == folded }) == true {
                tokenizer.window.removeSubrange(paragraphStart...)
                continue
            }
            seen[key, default: []].append(normalizedParts.count)
            normalizedParts.append(folded)
            guard words > 0 else { continue }
            paragraphs.append(paragraphHash)
            paragraphWords.append(words)
            starts.append(paragraphStart)
            let tokens = tokenizer.window[paragraphStart...]
            heads.append(Self.edgeHash(tokens.prefix(Self.edgeWords)))
            tails.append(Self.edgeHash(tokens.suffix(Self.edgeWords)))
            let last = folded.unicodeScalars.last { !TextNormalizer.isSpace($0) && !"\"')]»".unicodeScalars.contains($0) }
            endsSentence.append(last == "." || last == "!" || last == "?")
            boilerplate.append(Boilerplate.matches(folded, words: words))
        }
        let window = tokenizer.window
        // Shingles run across paragraph breaks, as the text reads.
        var shingles: [UInt64] = []
        if window.count >= shingleSize {
            shingles.reserveCapacity(window.count - shingleSize + 1)
            // Each word is mixed once; a shingle rotates its words' mixes by their position and mixes the sum
            // once more — one mix per shingle instead of one per word of it.
            let mixed = window.map(Self.mix)
            mixed.withUnsafeBufferPointer { words in
                for start in 0...(words.count - shingleSize) {
                    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
                    for offset in 0..<shingleSize {
                        let word = words[start + offset]
                        let turn = UInt64(offset &* 13 & 63)
                        hash ^= turn == 0 ? word : (word << turn | word >> (64 - turn))
                    }
                    shingles.append(Self.mix(hash))
                }
            }
            shingles = Self.distinct(shingles)
        } else if !window.isEmpty {
            shingles = [window.reduce(0x9E37_79B9_7F4A_7C15) { Self.mix($0 ^ $1) }]
        }
        self.shingles = shingles
        self.paragraphs = paragraphs
        self.paragraphWords = paragraphWords
        self.paragraphHeads = heads
        self.paragraphTails = tails
        self.paragraphEndsSentence = endsSentence
        self.paragraphIsBoilerplate = boilerplate
        self.tokens = window
        self.paragraphStarts = starts
        self.normalizedParagraphs = normalizedParts
    }

    struct ParagraphScan {
        var paragraphHash: UInt64 = 0xCBF2_9CE4_8422_2325
        var words = 0
    }

    /// Splits normalized text into word hashes, appended to `window`, scalar by scalar as the normalizer writes
    /// them. FNV-1a over the scalar values: cheap and stable across runs (unlike Hasher). "peer-to-peer", "2,850",
    /// "u.s" and "don't" are one word each: joiners count only between word characters. Scalars below U+0100 are
    /// classified by table, and all state is in this struct, so the loop runs without property lookups or
    /// exclusivity checks.
    struct Tokenizer: ScalarSink {
        static let prime: UInt64 = 0x0000_0100_0000_01B3
        static let basis: UInt64 = 0xCBF2_9CE4_8422_2325
        var window: [UInt64]
        var result = ParagraphScan()
        var token = Self.basis
        var inToken = false
        /// A joiner seen inside a word (never 0), hashed only if a word character follows it.
        var pendingJoiner: UInt64 = 0
        var wordTable = UnsafeBufferPointer<Bool>(start: nil, count: 0)
        /// Where the paragraph's words start in `window`.
        var paragraphStart = 0

        mutating func begin(wordTable: UnsafeBufferPointer<Bool>) {
            self.wordTable = wordTable
            self.paragraphStart = self.window.count
            self.restart()
        }

        mutating func restart() {
            self.window.removeSubrange(self.paragraphStart...)
            self.result = ParagraphScan()
            self.token = Self.basis
            self.inToken = false
            self.pendingJoiner = 0
        }

        @inline(__always)
        mutating func take(_ value: UInt32) {
            let isWord =
                value < 0x100
                ? self.wordTable[Int(value)] : Unicode.Scalar(value).map(TextNormalizer.isWordScalar) ?? false
            if isWord {
                if self.pendingJoiner != 0 {
                    self.token = (self.token ^ self.pendingJoiner) &* Self.prime
                    self.pendingJoiner = 0
                }
                self.token = (self.token ^ UInt64(value)) &* Self.prime
                self.inToken = true
            } else if self.inToken, self.pendingJoiner == 0,
                value == 0x2D || value == 0x2C || value == 0x2E || value == 0x27
            {
                self.pendingJoiner = UInt64(value)
            } else {
                self.endToken()
            }
        }

        @inline(__always)
        mutating func endToken() {
            self.pendingJoiner = 0
            guard self.inToken else { return }
            self.window.append(self.token)
            self.result.paragraphHash = TextFeatures.mix(self.result.paragraphHash ^ self.token)
            self.result.words += 1
            self.token = Self.basis
            self.inToken = false
        }

        /// Ends the paragraph (and its last word); the wordTable pointer is not kept past its scope.
        mutating func finish() {
            self.endToken()
            self.wordTable = UnsafeBufferPointer(start: nil, count: 0)
        }
    }

    /// The distinct values, in no particular order: open addressing over a power-of-two table, cheaper than
    /// sorting or a Set's hashing for a few hundred values that are well-mixed hashes already.
    static func distinct(_ values: [UInt64]) -> [UInt64] {
        var capacity = 16
        while capacity < values.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        // 0 marks an empty cell; a value of 0 is tracked apart.
        var table = [UInt64](repeating: 0, count: capacity)
        var result: [UInt64] = []
        result.reserveCapacity(values.count)
        var sawZero = false
        for value in values {
            if value == 0 {
                if !sawZero { result.append(0) }
                sawZero = true
                continue
            }
            var cell = Int(truncatingIfNeeded: value) & mask
            while true {
                let held = table[cell]
                if held == value { break }
                if held == 0 {
                    table[cell] = value
                    result.append(value)
                    break
                }
                cell = (cell + 1) & mask
            }
        }
        return result
    }

    /// Whether paragraph `index` reads like boilerplate (a copyright line, a newsletter or "follow us" plug, a
    /// "read more" link): such a line added to a copy is not news. Asked only of a candidate's new paragraphs.
    func isBoilerplate(paragraph index: Int) -> Bool { self.paragraphIsBoilerplate[index] }

    static func edgeHash(_ words: ArraySlice<UInt64>) -> UInt64 {
        words.reduce(0x84CA_A73B_3F1C_7B2D) { Self.mix($0 ^ $1) }
    }

    /// Hash of `edgeWords` words of paragraph `index`, starting `offset` words into it.
    func edgeHash(paragraph index: Int, offset: Int) -> UInt64? {
        let start = self.paragraphStarts[index] + offset
        guard offset >= 0, offset + Self.edgeWords <= self.paragraphWords[index] else { return nil }
        return Self.edgeHash(self.tokens[start..<(start + Self.edgeWords)])
    }

    /// splitmix64's finalizer: a fast, well-spread 64-bit mix.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A MinHash signature by one-permutation hashing: each shingle hash falls in one of `count` bins by its top bits
/// and each bin keeps its minimum; empty bins borrow from the next full bin (rotation densification).
/// One pass over the shingles instead of `count` hash functions per shingle.
public struct MinHashSignature: Sendable, Equatable {
    public static let count = 64
    public var values: [UInt32]
    /// Distinct shingles the signature summarizes, for containment estimates.
    public var shingleCount: Int

    public init(values: [UInt32], shingleCount: Int) {
        self.values = values
        self.shingleCount = shingleCount
    }

    public init(shingles: [UInt64]) {
        var bins = [UInt64](repeating: .max, count: Self.count)
        for shingle in shingles {
            let bin = Int(shingle >> 58)
            let value = shingle & 0x03FF_FFFF_FFFF_FFFF
            if value < bins[bin] { bins[bin] = value }
        }
        var values = [UInt32](repeating: 0, count: Self.count)
        if !shingles.isEmpty {
            for bin in 0..<Self.count {
                var source = bin
                var distance: UInt64 = 0
                while bins[source] == .max {
                    source = (source + 1) % Self.count
                    distance += 1
                }
                // Keep the top 32 bits of the 58-bit minimum; tag borrowed values with the distance so two
                // signatures agree on a borrowed bin only when they borrowed alike.
                values[bin] = UInt32(truncatingIfNeeded: (bins[source] >> 26) ^ (distance &* 0x9E37_79B9))
            }
        }
        self.values = values
        self.shingleCount = shingles.count
    }

    /// Estimated Jaccard similarity: the share of agreeing bins.
    public func jaccard(_ other: MinHashSignature) -> Double {
        var equal = 0
        for index in 0..<Self.count where self.values[index] == other.values[index] { equal += 1 }
        return Double(equal) / Double(Self.count)
    }

    /// LSH band keys: `bands` hashes of `rows` consecutive values each (at most `count` values in all).
    public func bandKeys(bands: Int, rows: Int) -> [UInt64] {
        let bands = min(bands, Self.count / max(1, rows))
        return (0..<bands).map { band in
            var hash = TextFeatures.mix(UInt64(band) &+ 0x5851_F42D_4C95_7F2D)
            for row in 0..<rows {
                hash = TextFeatures.mix(hash ^ UInt64(self.values[band * rows + row]))
            }
            return hash
        }
    }
}
