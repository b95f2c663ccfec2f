import Foundation

/// Text normalization for hashing and paragraph handling.
public enum TextNormalizer {
    /// The form two copies of one text share whatever their whitespace, case, quote style, Unicode composition
    /// or HTML entities: NFC, lower case, straight quotes, ASCII dashes, entities decoded, whitespace collapsed.
    public static func normalizedForHash(_ text: String) -> String {
        var decoded = text.contains("&") ? Self.decodeEntities(text) : text
        decoded = decoded.precomposedStringWithCanonicalMapping.lowercased()
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in decoded.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{00A0}" {
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
    public static func paragraphs(_ text: String) -> [Paragraph] {
        var paragraphs: [Paragraph] = []
        var current = String.UnicodeScalarView()
        var start = -1
        var lastContentEnd = 0
        var offset = 0
        func flush() {
            if start >= 0 {
                // Trailing whitespace was appended; trim it off the text (offsets already exclude it).
                var scalars = current
                while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
                paragraphs.append(Paragraph(start: start, end: lastContentEnd, text: String(scalars)))
            }
            current = String.UnicodeScalarView()
            start = -1
        }
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\u{2029}" || scalar == "\u{2028}" {
                flush()
            } else if start < 0 && scalar.properties.isWhitespace {
                // Leading whitespace is not part of the paragraph.
            } else {
                if start < 0 { start = offset }
                current.append(scalar)
                if !scalar.properties.isWhitespace { lastContentEnd = offset + 1 }
            }
            offset += 1
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
