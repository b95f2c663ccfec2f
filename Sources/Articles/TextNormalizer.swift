import Foundation

/// Receives, one by one, the scalars of a text being normalized.
public protocol ScalarSink {
    mutating func take(_ scalar: UInt32)
    /// The byte-level path gave up part way through: forget the scalars taken so far, the whole result follows.
    mutating func restart()
}

/// For normalizing without looking at the result on the way.
public struct NoScalarSink: ScalarSink {
    @inlinable public init() {}
    @inlinable public mutating func take(_ scalar: UInt32) {}
    @inlinable public mutating func restart() {}
}

/// Text normalization for hashing and paragraph handling.
public enum TextNormalizer {
    /// The form two copies of one text share whatever their whitespace, case, quote style, Unicode composition
    /// or HTML entities: NFKC (so ligatures and width variants fold too), lower case, straight quotes, ASCII
    /// dashes, entities decoded, whitespace collapsed to single spaces, trimmed.
    public static func normalizedForHash(_ text: String) -> String {
        var text = text
        return text.withUTF8 { Self.normalizedForHash(utf8: $0) }
    }

    /// The same over UTF-8 bytes (valid UTF-8, as a String's), so a caller holding a slice of a larger text does
    /// not have to make a String of it first.
    public static func normalizedForHash(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String {
        var sink = NoScalarSink()
        return Self.normalizedForHash(utf8: bytes, sink: &sink)
    }

    /// The same, handing every scalar of the result to `sink` as well, so a caller can tokenize in the same pass
    /// (on the byte-level path, as each is written). Inlinable so that it is specialized for the caller's sink.
    @inlinable
    public static func normalizedForHash<Sink: ScalarSink>(utf8 bytes: UnsafeBufferPointer<UInt8>, sink: inout Sink)
        -> String
    {
        let hasEntities = Self.mayHaveEntities(bytes)
        if !hasEntities, let common = Self.normalizedCommon(bytes, sink: &sink) { return common }
        sink.restart()
        let text = String(decoding: bytes, as: UTF8.self)
        let normalized: String
        if hasEntities {
            let decoded = Self.decodeEntities(text)
            normalized = Self.normalizedCommon(decoded) ?? Self.normalizedGeneral(decoded)
        } else {
            // The byte-level path already declined this text.
            normalized = Self.normalizedGeneral(text)
        }
        for scalar in normalized.unicodeScalars { sink.take(scalar.value) }
        return normalized
    }

    /// Whether the text has an "&", which may start an HTML entity: only such text needs entities decoded.
    @inlinable
    static func mayHaveEntities(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.baseAddress.map { memchr($0, Int32(UInt8(ascii: "&")), bytes.count) != nil } ?? false
    }

    /// `normalizedForHash` for any text with entities decoded: NFKC (skipped where it changes nothing), lower case,
    /// quotes, dashes and spaces folded, scalar by scalar.
    @usableFromInline
    static func normalizedGeneral(_ decoded: String) -> String {
        // Text whose non-ASCII scalars NFKC leaves alone (Latin-1 letters, £, €, typographic quotes and dashes)
        // skips the costly normalization: the result is the same.
        let folded =
            decoded.unicodeScalars.allSatisfy(Self.isNFKCStable)
            ? decoded.lowercased() : decoded.precomposedStringWithCompatibilityMapping.lowercased()
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if isSpace(scalar) {
                pendingSpace = !result.isEmpty
                continue
            }
            let mapped: Unicode.Scalar
            switch scalar {
            case "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "\u{2032}", "`", "\u{00B4}": mapped = "'"
            case "\u{201C}", "\u{201D}", "\u{201E}", "\u{201F}", "\u{2033}", "\u{00AB}", "\u{00BB}": mapped = "\""
            case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}": mapped = "-"
            case "\u{2026}":
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(contentsOf: "...".unicodeScalars)
                continue
            case "\u{200B}", "\u{200C}", "\u{200D}", "\u{FEFF}", "\u{00AD}": continue
            default: mapped = scalar
            }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            result.append(mapped)
        }
        return String(result)
    }

    /// Scalars that NFKC maps to themselves and that are composed already, so skipping NFKC changes nothing.
    static func isNFKCStable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x7F: return true
        // Latin-1, less its compatibility characters (¨ ª ¯ ² ³ ´ µ ¸ ¹ º ¼ ½ ¾).
        case 0xA8, 0xAA, 0xAF, 0xB2, 0xB3, 0xB4, 0xB5, 0xB8, 0xB9, 0xBA, 0xBC, 0xBD, 0xBE: return false
        case 0x80...0xFF: return true
        case 0x2010, 0x2012...0x2015, 0x2018...0x201F, 0x200B...0x200D, 0x20AC: return true
        default: return false
        }
    }

    /// The same result, over UTF-8 bytes, for text made of ASCII, Latin-1 and the typographic quotes, dashes,
    /// zero-width characters and euro sign that news copy is made of; nil for anything else, which takes the
    /// general path. Most articles take this one: Unicode property lookups and scalar-by-scalar string building
    /// cost far more than the byte tests that decide the same thing here.
    @usableFromInline
    static func normalizedCommon(_ text: String) -> String? {
        var text = text
        var sink = NoScalarSink()
        return text.withUTF8 { Self.normalizedCommon($0, sink: &sink) }
    }

    @inlinable
    static func normalizedCommon<Sink: ScalarSink>(_ input: UnsafeBufferPointer<UInt8>, sink: inout Sink) -> String? {
        // The result is never longer than the input: each scalar maps to as many bytes or fewer.
        try? String(unsafeUninitializedCapacity: max(1, input.count)) { output in
            let length = Self.asciiMap.withUnsafeBufferPointer {
                Self.normalizedCommon(input, into: output, asciiMap: $0, sink: &sink)
            }
            guard let length else { throw NotCommon() }
            return length
        }
    }

    @usableFromInline
    struct NotCommon: Error {
        @usableFromInline init() {}
    }

    /// Over buffers with only local state: no closures capturing variables, which would cost dynamic exclusivity
    /// checks on every byte. Returns the length written, or nil for text outside the common repertoire (having
    /// written part of it). `sink` takes every scalar of the result as it is written, so a caller can tokenize
    /// in the same pass; inlinable so that it is specialized for the caller's sink.
    @inlinable
    static func normalizedCommon<Sink: ScalarSink>(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
        asciiMap: UnsafeBufferPointer<UInt8>, sink: inout Sink
    ) -> Int? {
        var written = 0
        var pendingSpace = false
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            // The bytes to write for this scalar: `width` of them (0 for a space or a dropped character).
            var first: UInt8 = 0
            var second: UInt8 = 0
            var third: UInt8 = 0
            var width = 0
            var space = false
            if byte < 0x80 {
                // The common case, by table: the byte to write, or 0xFF for whitespace.
                index += 1
                let mapped = asciiMap[Int(byte)]
                if mapped == 0xFF {
                    pendingSpace = written > 0
                } else {
                    if pendingSpace {
                        output[written] = 0x20
                        written += 1
                        pendingSpace = false
                        sink.take(0x20)
                    }
                    output[written] = mapped
                    written += 1
                    sink.take(UInt32(mapped))
                }
                continue
            } else if byte == 0xC2 || byte == 0xC3, index + 1 < count {
                let value = UInt32(byte & 0x1F) << 6 | UInt32(input[index + 1] & 0x3F)
                index += 2
                switch value {
                case 0x85, 0xA0: space = true
                // Compatibility characters NFKC would rewrite.
                case 0xA8, 0xAA, 0xAF, 0xB2, 0xB3, 0xB4, 0xB5, 0xB8, 0xB9, 0xBA, 0xBC, 0xBD, 0xBE: return nil
                case 0xAB, 0xBB: (first, width) = (UInt8(ascii: "\""), 1)
                case 0xAD: break
                case 0xC0...0xDE where value != 0xD7:
                    (first, second, width) = (0xC3, UInt8(0x80 | ((value + 0x20) & 0x3F)), 2)
                default:
                    (first, second, width) = (UInt8(0xC0 | (value >> 6)), UInt8(0x80 | (value & 0x3F)), 2)
                }
            } else if byte == 0xE2, index + 2 < count {
                let value = UInt32(input[index + 1] & 0x3F) << 6 | UInt32(input[index + 2] & 0x3F) | 0x2000
                switch value {
                case 0x2018...0x201B: (first, width) = (UInt8(ascii: "'"), 1)
                case 0x201C...0x201F: (first, width) = (UInt8(ascii: "\""), 1)
                case 0x2010, 0x2012...0x2015: (first, width) = (UInt8(ascii: "-"), 1)
                case 0x200B...0x200D: break
                case 0x20AC: (first, second, third, width) = (0xE2, input[index + 1], input[index + 2], 3)
                default: return nil
                }
                index += 3
            } else {
                return nil
            }
            if space {
                pendingSpace = written > 0
            } else if width > 0 {
                // A pending space only follows output, and the scalar before it took at least one input byte
                // for the space itself, so there is room.
                if pendingSpace {
                    output[written] = 0x20
                    written += 1
                    pendingSpace = false
                    sink.take(0x20)
                }
                output[written] = first
                if width > 1 { output[written + 1] = second }
                if width > 2 { output[written + 2] = third }
                written += width
                sink.take(
                    width == 1
                        ? UInt32(first)
                        : width == 2 ? UInt32(first & 0x1F) << 6 | UInt32(second & 0x3F) : 0x20AC
                )
            }
        }
        return written
    }

    /// `normalizedCommon`'s ASCII bytes: lower case, the backtick as an apostrophe, 0xFF for whitespace.
    public static let asciiMap: [UInt8] = (0..<128).map { value in
        let byte = UInt8(value)
        switch byte {
        case 0x20, 0x09...0x0D: return 0xFF
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte | 0x20
        case UInt8(ascii: "`"): return UInt8(ascii: "'")
        default: return byte
        }
    }

    /// Whitespace, with the ASCII cases decided without a Unicode property lookup.
    @inlinable
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x100 {
            // Unicode's White_Space below U+0100.
            return scalar.value == 0x20 || (scalar.value >= 0x09 && scalar.value <= 0x0D) || scalar.value == 0x85
                || scalar.value == 0xA0
        }
        return scalar.properties.isWhitespace || scalar == "\u{00A0}"
    }

    /// Letters and digits, with the ASCII cases decided without a Unicode property lookup.
    @inlinable
    public static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x100 { return Self.latin1Word[Int(value)] }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// `isWordScalar` for U+0000…U+00FF, from the Unicode properties once.
    public static let latin1Word: [Bool] = (0..<256).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…", "laquo": "«", "raquo": "»",
    ]

    /// Decodes `&name;`, `&#NN;` and `&#xHH;` entities; anything else is left as it is.
    @usableFromInline
    static func decodeEntities(_ text: String) -> String {
        var result = ""
        var index = text.startIndex
        while let amp = text[index...].firstIndex(of: "&") {
            result += text[index..<amp]
            guard let semi = text[amp...].prefix(12).firstIndex(of: ";") else {
                result += "&"
                index = text.index(after: amp)
                continue
            }
            let name = text[text.index(after: amp)..<semi]
            var replacement: String? = nil
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                replacement = Self.namedEntities[String(name)]
            }
            if let replacement {
                result += replacement
                index = text.index(after: semi)
            } else {
                result += "&"
                index = text.index(after: amp)
            }
        }
        result += text[index...]
        return result
    }

    /// One paragraph of a text: its trimmed content and its place in the original, in Unicode scalars.
    public struct Paragraph: Sendable, Equatable {
        /// Offset of the first scalar, counted in Unicode scalars from the start of the text.
        public let start: Int
        /// Offset just past the last scalar.
        public let end: Int
        public let text: String

        public init(start: Int, end: Int, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    /// Splits on line breaks, dropping empty lines; each paragraph is trimmed, offsets point at the trimmed text.
    ///
    /// Works over UTF-8 bytes, slicing the original instead of rebuilding each paragraph scalar by scalar; a
    /// scalar is decoded only where a byte is not ASCII.
    public static func paragraphs(_ text: String) -> [Paragraph] {
        var text = text
        return text.withUTF8 { Self.paragraphs(utf8: $0) }
    }

    static func paragraphs(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Paragraph] {
        Self.paragraphSpans(utf8: bytes).map { span in
            Paragraph(
                start: span.start, end: span.end,
                text: String(decoding: UnsafeBufferPointer(rebasing: bytes[span.bytes]), as: UTF8.self)
            )
        }
    }

    /// Where a paragraph is: its UTF-8 bytes and, as in `Paragraph`, its scalar offsets.
    public struct Span: Sendable {
        public let bytes: Range<Int>
        public let start: Int
        public let end: Int
    }

    /// `paragraphs` without making Strings: the spans of `bytes` they would hold.
    public static func paragraphSpans(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Span] {
        var paragraphs: [Span] = []
        var scalarOffset = 0
        var index = 0
        var startByte = -1
        var startScalar = 0
        var endByte = 0
        var endScalar = 0
        // One pass past the end flushes the last paragraph; no local function, so no variable is captured.
        while index <= bytes.count {
            if index == bytes.count {
                if startByte >= 0 {
                    paragraphs.append(Span(bytes: startByte..<endByte, start: startScalar, end: endScalar))
                }
                break
            }
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x80 {
                // A run of printable ASCII and spaces, the bulk of most text, one scalar a byte: only where its
                // content starts and ends matters.
                var end = index
                var firstContent = -1
                var lastContent = -1
                while end < bytes.count {
                    let next = bytes[end]
                    if next < 0x20 || next >= 0x80 { break }
                    if next != 0x20 {
                        if firstContent < 0 { firstContent = end }
                        lastContent = end
                    }
                    end += 1
                }
                if lastContent >= 0 {
                    if startByte < 0 {
                        startByte = firstContent
                        startScalar = scalarOffset + (firstContent - index)
                    }
                    endByte = lastContent + 1
                    endScalar = scalarOffset + (lastContent + 1 - index)
                }
                scalarOffset += end - index
                index = end
                continue
            }
            let width: Int
            let isBreak: Bool
            let isBlank: Bool
            if byte < 0x80 {
                width = 1
                isBreak = byte == 0x0A || byte == 0x0D
                isBlank = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
            } else {
                width = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                var value = UInt32(byte) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                for continuation in 1..<width where index + continuation < bytes.count {
                    value = value << 6 | (UInt32(bytes[index + continuation]) & 0x3F)
                }
                isBreak = value == 0x2028 || value == 0x2029
                isBlank = isBreak || Unicode.Scalar(value).map(Self.isSpace) ?? false
            }
            if isBreak {
                if startByte >= 0 {
                    paragraphs.append(Span(bytes: startByte..<endByte, start: startScalar, end: endScalar))
                }
                startByte = -1
            } else if !isBlank {
                if startByte < 0 {
                    startByte = index
                    startScalar = scalarOffset
                }
                endByte = index + width
                endScalar = scalarOffset + 1
            }
            index += width
            scalarOffset += 1
        }
        return paragraphs
    }

    /// Drops every paragraph that repeats an earlier one (same text after `normalizedForHash`), as broken
    /// scrapers repeat whole blocks.
    public static func removeRepeatedParagraphs(_ paragraphs: [Paragraph]) -> (kept: [Paragraph], removed: Int) {
        // Paragraphs are told apart by a keyed hash of their normalized bytes (seeded at random per process, so no
        // text can be crafted to collide with another), written into one scratch buffer: a String per paragraph
        // was most of this step. Text outside the byte-level path's repertoire takes `normalizedForHash` as before.
        var seen = Set<Int>()
        var kept: [Paragraph] = []
        kept.reserveCapacity(paragraphs.count)
        var scratch: [UInt8] = []
        let map = Self.asciiMap
        for paragraph in paragraphs {
            var text = paragraph.text
            let key = text.withUTF8 { input -> Int in
                var sink = NoScalarSink()
                if input.count > scratch.count { scratch = [UInt8](repeating: 0, count: input.count) }
                let length =
                    Self.mayHaveEntities(input)
                    ? nil
                    : scratch.withUnsafeMutableBufferPointer { output in
                        map.withUnsafeBufferPointer { Self.normalizedCommon(input, into: output, asciiMap: $0, sink: &sink) }
                    }
                var hasher = Hasher()
                if let length {
                    scratch.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
                } else {
                    var normalized = Self.normalizedForHash(utf8: input)
                    normalized.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
                }
                return hasher.finalize()
            }
            if seen.insert(key).inserted { kept.append(paragraph) }
        }
        return (kept, paragraphs.count - kept.count)
    }
}

/// Plain-text article files: the first non-empty line is the title, the rest the body.
public enum PlainTextArticle {
    public static func parse(_ contents: String, fileName: String?) -> ArticleInput {
        var lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst() }
        guard !lines.isEmpty else { return ArticleInput(text: "") }
        let title = lines.removeFirst().trimmingCharacters(in: .whitespacesAndNewlines)
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst() }
        return ArticleInput(title: title, text: lines.joined(separator: "\n"))
    }
}
