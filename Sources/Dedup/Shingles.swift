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
    /// Word hashes of the whole text and where each paragraph's words start in them, to confirm that an old
    /// paragraph sits whole inside a new one.
    let tokens: [UInt64]
    let paragraphStarts: [Int]

    public static let edgeWords = 8

    /// The whole text normalized (paragraphs joined by one space), which the exact text key hashes.
    public let normalizedText: String

    public init(text: String, shingleSize: Int = 5) {
        var shingleSet = Set<UInt64>()
        var paragraphs: [UInt64] = []
        var paragraphWords: [Int] = []
        var heads: [UInt64] = []
        var tails: [UInt64] = []
        var endsSentence: [Bool] = []
        var starts: [Int] = []
        var window: [UInt64] = []
        window.reserveCapacity(1024)
        var seen = Set<String>()
        var normalizedParts: [String] = []
        for paragraph in TextNormalizer.paragraphs(text) {
            let folded = TextNormalizer.normalizedForHash(paragraph.text)
            // A paragraph the scraper repeated is not new content.
            guard !folded.isEmpty, seen.insert(folded).inserted else { continue }
            normalizedParts.append(folded)
            var paragraphHash: UInt64 = 0xCBF2_9CE4_8422_2325
            var words = 0
            let paragraphStart = window.count
            var token: UInt64 = 0xCBF2_9CE4_8422_2325
            var inToken = false
            func endToken() {
                guard inToken else { return }
                window.append(token)
                paragraphHash = Self.mix(paragraphHash ^ token)
                words += 1
                token = 0xCBF2_9CE4_8422_2325
                inToken = false
            }
            // FNV-1a over the scalar values: cheap and stable across runs (unlike Hasher). "peer-to-peer",
            // "2,850", "u.s" and "don't" are one word each: joiners count only between word characters.
            // ASCII text (most English copy) is read as bytes, which decide the same without property lookups.
            let utf8 = Array(folded.utf8)
            if utf8.allSatisfy({ $0 < 0x80 }) {
                for (index, byte) in utf8.enumerated() {
                    if Self.isASCIIWord(byte) {
                        token = (token ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                        inToken = true
                    } else if inToken, byte == 0x2D || byte == 0x2C || byte == 0x2E || byte == 0x27,
                        index + 1 < utf8.count, Self.isASCIIWord(utf8[index + 1])
                    {
                        token = (token ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                    } else {
                        endToken()
                    }
                }
            } else {
                let scalars = Array(folded.unicodeScalars)
                for (index, scalar) in scalars.enumerated() {
                    if TextNormalizer.isWordScalar(scalar) {
                        token = (token ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3
                        inToken = true
                    } else if inToken, scalar == "-" || scalar == "," || scalar == "." || scalar == "'",
                        index + 1 < scalars.count, TextNormalizer.isWordScalar(scalars[index + 1])
                    {
                        token = (token ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3
                    } else {
                        endToken()
                    }
                }
            }
            endToken()
            guard words > 0 else { continue }
            paragraphs.append(paragraphHash)
            paragraphWords.append(words)
            starts.append(paragraphStart)
            let tokens = window[paragraphStart...]
            heads.append(Self.edgeHash(tokens.prefix(Self.edgeWords)))
            tails.append(Self.edgeHash(tokens.suffix(Self.edgeWords)))
            let last = folded.unicodeScalars.last { !TextNormalizer.isSpace($0) && !"\"')]»".unicodeScalars.contains($0) }
            endsSentence.append(last == "." || last == "!" || last == "?")
        }
        // Shingles run across paragraph breaks, as the text reads.
        if window.count >= shingleSize {
            shingleSet.reserveCapacity(window.count)
            for start in 0...(window.count - shingleSize) {
                var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
                for offset in 0..<shingleSize {
                    hash = Self.mix(hash ^ window[start + offset] &+ UInt64(offset))
                }
                shingleSet.insert(hash)
            }
        } else if !window.isEmpty {
            shingleSet.insert(window.reduce(0x9E37_79B9_7F4A_7C15) { Self.mix($0 ^ $1) })
        }
        self.shingles = Array(shingleSet)
        self.paragraphs = paragraphs
        self.paragraphWords = paragraphWords
        self.paragraphHeads = heads
        self.paragraphTails = tails
        self.paragraphEndsSentence = endsSentence
        self.tokens = window
        self.paragraphStarts = starts
        self.normalizedText = normalizedParts.joined(separator: " ")
    }

    static func edgeHash(_ words: ArraySlice<UInt64>) -> UInt64 {
        words.reduce(0x84CA_A73B_3F1C_7B2D) { Self.mix($0 ^ $1) }
    }

    /// Hash of `edgeWords` words of paragraph `index`, starting `offset` words into it.
    func edgeHash(paragraph index: Int, offset: Int) -> UInt64? {
        let start = self.paragraphStarts[index] + offset
        guard offset >= 0, offset + Self.edgeWords <= self.paragraphWords[index] else { return nil }
        return Self.edgeHash(self.tokens[start..<(start + Self.edgeWords)])
    }

    @inline(__always)
    static func isASCIIWord(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
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
