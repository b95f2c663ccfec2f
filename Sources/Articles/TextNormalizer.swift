import Foundation

/// Text normalization for hashing and paragraph handling.
public enum TextNormalizer {
    /// The form two copies of one text share whatever their whitespace, case, quote style, Unicode composition
    /// or HTML entities: NFKC (so ligatures and width variants fold too), lower case, straight quotes, ASCII
    /// dashes, entities decoded, whitespace collapsed to single spaces, trimmed.
    public static func normalizedForHash(_ text: String) -> String {
        let hasEntities = text.utf8.contains(UInt8(ascii: "&"))
        let decoded = hasEntities ? Self.decodeEntities(text) : text
        if decoded.utf8.allSatisfy({ $0 < 0x80 }) {
            return Self.normalizedASCII(decoded)
        }
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

    /// The same for ASCII text, over bytes: most English copy takes this path, and Unicode property lookups
    /// cost far more than the byte tests that decide the same thing here.
    static func normalizedASCII(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                pendingSpace = !bytes.isEmpty
                continue
            default:
                break
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte | 0x20)
            case UInt8(ascii: "`"): bytes.append(UInt8(ascii: "'"))
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whitespace, with the ASCII cases decided without a Unicode property lookup.
    @inlinable
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            return scalar.value == 0x20 || (scalar.value >= 0x09 && scalar.value <= 0x0D)
        }
        return scalar.properties.isWhitespace || scalar == "\u{00A0}"
    }

    /// Letters and digits, with the ASCII cases decided without a Unicode property lookup.
    @inlinable
    public static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) || (value >= 0x30 && value <= 0x39)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…", "laquo": "«", "raquo": "»",
    ]

    /// Decodes `&name;`, `&#NN;` and `&#xHH;` entities; anything else is left as it is.
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
        let bytes = Array(text.utf8)
        var paragraphs: [Paragraph] = []
        var scalarOffset = 0
        var index = 0
        var startByte = -1
        var startScalar = 0
        var endByte = 0
        var endScalar = 0
        func flush() {
            if startByte >= 0 {
                paragraphs.append(Paragraph(
                    start: startScalar, end: endScalar,
                    text: String(decoding: bytes[startByte..<endByte], as: UTF8.self)
                ))
            }
            startByte = -1
        }
        while index < bytes.count {
            let byte = bytes[index]
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
                flush()
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
        flush()
        return paragraphs
    }

    /// Drops every paragraph that repeats an earlier one (same text after `normalizedForHash`), as broken
    /// scrapers repeat whole blocks.
    public static func removeRepeatedParagraphs(_ paragraphs: [Paragraph]) -> (kept: [Paragraph], removed: Int) {
        var seen = Set<String>()
        var kept: [Paragraph] = []
        kept.reserveCapacity(paragraphs.count)
        for paragraph in paragraphs {
            if seen.insert(Self.normalizedForHash(paragraph.text)).inserted {
                kept.append(paragraph)
            }
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
