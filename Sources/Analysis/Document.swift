import Articles
import Foundation

/// An article cut into tokens and sentences, the common input of every analysis step.
///
/// Every offset counts Unicode scalars into the text exactly as received, so what a step reports can be
/// highlighted in the original. Only the kept paragraphs (repeats removed) are tokenized.
public struct Document: Sendable {
    /// The whole input text as scalars; `text(start, end)` slices it.
    public let scalars: [Unicode.Scalar]
    /// Kept paragraphs, as scalar ranges into `scalars`, in order.
    public let paragraphs: [Range<Int>]
    public let tokens: [Token]
    /// Per token: the 64-bit FNV-1a hash of its lowercase UTF-8, `WordHash.fnv(token.lower)`. The tagger's features,
    /// the alias table, entity linking and the stemmed vocabulary all key words by it; each hashed every token
    /// itself, a pass over the text's scalars apiece.
    public let wordHashes: [UInt64]
    public let sentences: [Sentence]
    /// The article's `published_at`, the anchor for relative dates ("last week").
    public let publishedAt: Date?

    public init(text: String, paragraphs: [Range<Int>]? = nil, publishedAt: Date? = nil) {
        // One decoding pass: `Array(text.unicodeScalars)` decodes the text twice, once only to count.
        let utf8Count = text.utf8.count
        let scalars = [Unicode.Scalar](unsafeUninitializedCapacity: utf8Count) { buffer, count in
            for scalar in text.unicodeScalars {
                buffer[count] = scalar
                count += 1
            }
        }
        self.scalars = scalars
        let ranges = paragraphs ?? TextNormalizer.paragraphs(text).map { $0.start..<$0.end }
        self.paragraphs = ranges
        self.publishedAt = publishedAt
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 5)
        var wordHashes: [UInt64] = []
        wordHashes.reserveCapacity(scalars.count / 5)
        var sentences: [Sentence] = []
        for (index, range) in ranges.enumerated() {
            let first = tokens.count
            Tokenizer.tokenize(scalars, range, into: &tokens, hashes: &wordHashes)
            SentenceSplitter.split(scalars, tokens, first..<tokens.count, paragraph: index, into: &sentences)
        }
        self.tokens = tokens
        self.wordHashes = wordHashes
        self.sentences = sentences
    }

    /// The text between two scalar offsets, encoded straight to UTF-8: appending scalar by scalar to a String
    /// dominated quote extraction, where spans are long and many.
    ///
    /// The String is asked for its exact length, counted first: asked for four bytes a scalar, a name of more than
    /// three letters ("Pakistan") got a heap buffer instead of Swift's inline 15 bytes, and these names were a tenth
    /// of the analysis's allocations.
    public func text(_ start: Int, _ end: Int) -> String {
        let lower = max(0, start)
        let upper = min(end, self.scalars.count)
        guard lower < upper else { return "" }
        return self.scalars.withUnsafeBufferPointer { scalars in
            var length = 0
            for index in lower..<upper { length += UTF8.width(scalars[index]) }
            return String(unsafeUninitializedCapacity: length) { buffer in
                var count = 0
                for index in lower..<upper {
                    let value = scalars[index].value
                    if value < 0x80 {
                        buffer[count] = UInt8(value)
                        count += 1
                    } else if value < 0x800 {
                        buffer[count] = UInt8(0xC0 | (value >> 6))
                        buffer[count + 1] = UInt8(0x80 | (value & 0x3F))
                        count += 2
                    } else if value < 0x10000 {
                        buffer[count] = UInt8(0xE0 | (value >> 12))
                        buffer[count + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
                        buffer[count + 2] = UInt8(0x80 | (value & 0x3F))
                        count += 3
                    } else {
                        buffer[count] = UInt8(0xF0 | (value >> 18))
                        buffer[count + 1] = UInt8(0x80 | ((value >> 12) & 0x3F))
                        buffer[count + 2] = UInt8(0x80 | ((value >> 6) & 0x3F))
                        buffer[count + 3] = UInt8(0x80 | (value & 0x3F))
                        count += 4
                    }
                }
                return count
            }
        }
    }

    /// The text a token range covers, from the first token's start to the last one's end.
    public func text(tokens range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        return self.text(self.tokens[range.lowerBound].start, self.tokens[range.upperBound - 1].end)
    }

    /// The index of the sentence holding token `index` (binary search).
    public func sentenceIndex(ofToken index: Int) -> Int? {
        var low = 0
        var high = self.sentences.count
        while low < high {
            let middle = (low + high) / 2
            let sentence = self.sentences[middle]
            if index < sentence.tokens.lowerBound {
                high = middle
            } else if index >= sentence.tokens.upperBound {
                low = middle + 1
            } else {
                return middle
            }
        }
        return nil
    }

    /// Number of word tokens (letters or digits).
    public var wordCount: Int { self.tokens.reduce(0) { $0 + ($1.kind == .punctuation ? 0 : 1) } }
}

public struct Token: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// Letters, maybe with digits, inner apostrophes, hyphens or periods ("U.S.", "Daesh-K", "don't").
        case word
        /// Digits with inner separators ("6000", "6,000", "3.5", "2021").
        case number
        /// Any other single scalar: punctuation, quotes, symbols.
        case punctuation
    }

    public let start: Int
    public let end: Int
    public let text: String
    /// `text` lowercased, for lexicon lookups.
    public let lower: String
    public let kind: Kind
    /// The first scalar is an uppercase letter.
    public let isCapitalized: Bool
    /// Every letter is uppercase and there are at least two ("CIA", "TTP").
    public let isAllCaps: Bool
    /// Whitespace (or the paragraph start) comes right before this token.
    public let spaceBefore: Bool

    public init(
        start: Int, end: Int, text: String, kind: Kind, isCapitalized: Bool, isAllCaps: Bool, spaceBefore: Bool,
        lower: String? = nil
    ) {
        self.start = start
        self.end = end
        self.text = text
        self.lower = lower ?? text.lowercased()
        self.kind = kind
        self.isCapitalized = isCapitalized
        self.isAllCaps = isAllCaps
        self.spaceBefore = spaceBefore
    }

    public var isWord: Bool { self.kind == .word }

    /// An uppercase letter after the first scalar ("LeT", "McCain", "iPhone"): the case is part of the word.
    /// Computed, not stored: only names ask it, and a stored flag would widen every token.
    public var hasInnerCapital: Bool { self.text.unicodeScalars.dropFirst().contains(where: EntityFeatures.isUpper) }

    /// A quotation mark, straight or typographic.
    public var isQuote: Bool {
        self.kind == .punctuation && Tokenizer.isQuoteMark(self.text.unicodeScalars.first!)
    }
}

public struct Sentence: Sendable, Equatable {
    /// Indexes into `Document.tokens`.
    public let tokens: Range<Int>
    /// Scalar offsets of the first token's start and the last token's end.
    public let start: Int
    public let end: Int
    /// Index into `Document.paragraphs`.
    public let paragraph: Int
}

/// Splits text into word, number and punctuation tokens with scalar offsets.
///
/// Hand-written: the offsets must count Unicode scalars of the original text, and no Debian library tokenizes
/// news English that way; it runs on scalars, never building `Character`s.
public enum Tokenizer {
    static let quoteMarks: Set<Unicode.Scalar> = ["\"", "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}", "\u{00AB}", "\u{00BB}", "\u{201E}", "\u{2039}", "\u{203A}"]

    /// `quoteMarks.contains(scalar)` without hashing: asked of every punctuation token by several steps.
    @inline(__always)
    static func isQuoteMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x22, 0x27, 0x201C, 0x201D, 0x2018, 0x2019, 0xAB, 0xBB, 0x201E, 0x2039, 0x203A: true
        default: false
        }
    }

    // ASCII answers come from byte ranges: Unicode property lookups cost more than the rest of the tokenizer.
    @inline(__always)
    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    @inline(__always)
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    @inline(__always)
    static func isAlphabetic(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) }
        return scalar.properties.isAlphabetic
    }

    @inline(__always)
    static func isUppercase(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value >= 0x41 && value <= 0x5A }
        return scalar.properties.isUppercase
    }

    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return value == 0xA0 || scalar.properties.isWhitespace
    }

    static func isJoiner(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x27, 0x2D, 0x2E, 0x2019, 0x2010, 0x2011: true
        default: false
        }
    }

    static func tokenize(_ scalars: [Unicode.Scalar], _ range: Range<Int>, into tokens: inout [Token]) {
        var hashes: [UInt64] = []
        Self.tokenize(scalars, range, into: &tokens, hashes: &hashes)
    }

    /// Also appends each token's `WordHash.fnv(lower)` to `hashes`, from the scalars it reads anyway.
    static func tokenize(
        _ scalars: [Unicode.Scalar], _ range: Range<Int>, into tokens: inout [Token], hashes: inout [UInt64]
    ) {
        var index = range.lowerBound
        var spaceBefore = true
        // A non-ASCII token's UTF-8: Strings of up to 15 bytes are built without allocating.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        while index < range.upperBound {
            let scalar = scalars[index]
            if Self.isSpace(scalar) {
                spaceBefore = true
                index += 1
                continue
            }
            let start = index
            guard Self.isLetterOrDigit(scalar) else {
                let text = String(scalar)
                hashes.append(
                    scalar.value < 0x80 ? WordHash.step(WordHash.seed, UInt8(scalar.value)) : WordHash.fnv(text))
                tokens.append(
                    Token(
                        start: start, end: start + 1, text: text, kind: .punctuation, isCapitalized: false,
                        isAllCaps: false, spaceBefore: spaceBefore, lower: text))
                spaceBefore = false
                index += 1
                continue
            }
            var allDigits = Self.isDigit(scalar)
            var letters = 0
            var upper = 0
            if Self.isAlphabetic(scalar) {
                letters += 1
                if Self.isUppercase(scalar) { upper += 1 }
            }
            index += 1
            while index < range.upperBound {
                let current = scalars[index]
                if Self.isLetterOrDigit(current) {
                    if !Self.isDigit(current) { allDigits = false }
                    if Self.isAlphabetic(current) {
                        letters += 1
                        if Self.isUppercase(current) { upper += 1 }
                    }
                    index += 1
                    continue
                }
                guard index + 1 < range.upperBound, Self.isLetterOrDigit(scalars[index + 1]) else {
                    // "U.S." keeps its last period: single letters joined by periods are an abbreviation.
                    if current == ".", index - start >= 3, scalars[index - 2] == ".", Self.isAlphabetic(scalars[index - 1]) {
                        index += 1
                    }
                    break
                }
                let next = scalars[index + 1]
                if allDigits && (current == "," || current == ".") && Self.isDigit(next) && Self.isDigit(scalars[index - 1]) {
                    index += 1  // 6,000 and 3.5 are one number
                } else if !allDigits && Self.isJoiner(current) {
                    // A possessive "'s" ends the word: "Pakistan's" is "Pakistan" + "'s".
                    if (current == "'" || current == "\u{2019}") && (next == "s" || next == "S")
                        && (index + 2 >= range.upperBound || !Self.isLetterOrDigit(scalars[index + 2]))
                    {
                        break
                    }
                    index += 1
                } else {
                    break
                }
            }
            let text: String
            let lower: String
            if scalars[start..<index].allSatisfy({ $0.value < 0x80 }) {
                // Most tokens: one byte per scalar, written straight into the Strings.
                let count = index - start
                var hash = WordHash.seed
                for position in start..<index {
                    let value = UInt8(truncatingIfNeeded: scalars[position].value)
                    hash = WordHash.step(hash, value >= 0x41 && value <= 0x5A ? value | 0x20 : value)
                }
                hashes.append(hash)
                text = String(unsafeUninitializedCapacity: count) { buffer in
                    for offset in 0..<count { buffer[offset] = UInt8(truncatingIfNeeded: scalars[start + offset].value) }
                    return count
                }
                lower = upper == 0 ? text : String(unsafeUninitializedCapacity: count) { buffer in
                    for offset in 0..<count {
                        let value = UInt8(truncatingIfNeeded: scalars[start + offset].value)
                        buffer[offset] = value >= 0x41 && value <= 0x5A ? value + 0x20 : value
                    }
                    return count
                }
            } else {
                bytes.removeAll(keepingCapacity: true)
                for position in start..<index { UTF8.encode(scalars[position]) { bytes.append($0) } }
                text = String(decoding: bytes, as: UTF8.self)
                lower = text.lowercased()
                hashes.append(WordHash.fnv(lower))
            }
            tokens.append(
                Token(
                    start: start, end: index, text: text, kind: allDigits ? .number : .word,
                    isCapitalized: Self.isUppercase(scalar), isAllCaps: letters >= 2 && upper == letters,
                    spaceBefore: spaceBefore, lower: lower))
            spaceBefore = false
        }
    }
}

/// Sentence boundaries inside one paragraph.
public enum SentenceSplitter {
    /// Lowercased words whose following period does not end a sentence.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep",
        "inc", "ltd", "co", "corp", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "mt", "ft", "approx", "est", "dept", "univ", "maj", "adm", "brig", "cmdr",
        "rev", "hon", "pres", "supt", "insp", "det", "cpl", "pvt", "fig", "vol", "op", "ave", "blvd", "rd",
    ]

    static let closerScalars: Set<Unicode.Scalar> = ["\"", "'", "\u{201D}", "\u{2019}", ")", "]", "\u{00BB}"]

    /// Every stop and closer is a one-scalar punctuation token: they are compared as scalars, and token fields are
    /// read in place (copying a Token retains its two Strings).
    static func split(
        _ scalars: [Unicode.Scalar], _ tokens: [Token], _ range: Range<Int>, paragraph: Int,
        into sentences: inout [Sentence]
    ) {
        tokens.withUnsafeBufferPointer { tokens in
            var start = range.lowerBound
            var index = range.lowerBound
            func close(_ end: Int) {
                guard end > start else { return }
                sentences.append(
                    Sentence(tokens: start..<end, start: tokens[start].start, end: tokens[end - 1].end, paragraph: paragraph))
                start = end
            }
            func isStop(_ scalar: Unicode.Scalar) -> Bool {
                scalar == "." || scalar == "!" || scalar == "?" || scalar == "\u{2026}" || scalar == "\u{3002}"
            }
            while index < range.upperBound {
                guard tokens[index].kind == .punctuation else {
                    index += 1
                    continue
                }
                let scalar = scalars[tokens[index].start]
                guard isStop(scalar) else {
                    index += 1
                    continue
                }
                if scalar == ".", index > start, tokens[index - 1].kind == .word {
                    let previous = index - 1
                    if Self.abbreviations.contains(tokens[previous].lower)
                        || (tokens[previous].end - tokens[previous].start == 1 && tokens[previous].isCapitalized)
                    {
                        index += 1
                        continue
                    }
                }
                var end = index + 1
                while end < range.upperBound && tokens[end].kind == .punctuation && !tokens[end].spaceBefore {
                    let next = scalars[tokens[end].start]
                    guard next == "." || next == "!" || next == "?" || Self.closerScalars.contains(next) else { break }
                    end += 1
                }
                if end < range.upperBound {
                    // A lowercase word after a stop continues the sentence ("... 3 p.m. on Friday").
                    if tokens[end].kind == .word && !tokens[end].isCapitalized
                        && scalars[tokens[end].start].properties.isLowercase
                    {
                        index = end
                        continue
                    }
                }
                close(end)
                index = end
            }
            close(range.upperBound)
        }
    }
}
