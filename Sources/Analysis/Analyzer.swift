import Articles

/// The analysis of one article: a pure function of its text, run in parallel on every core.
public struct Analyzer: Sendable {
    public init() {}

    /// The text an article is analyzed on: its paragraphs with repeats removed.
    public struct PreparedText: Sendable {
        public let paragraphs: [TextNormalizer.Paragraph]
        public let repeatedParagraphsRemoved: Int
    }

    public func prepare(_ text: String) -> PreparedText {
        let (kept, removed) = TextNormalizer.removeRepeatedParagraphs(TextNormalizer.paragraphs(text))
        return PreparedText(paragraphs: kept, repeatedParagraphsRemoved: removed)
    }

    public func analyze(_ article: Article) -> AnalysisResult {
        let prepared = self.prepare(article.text)
        var body = ""
        body.reserveCapacity(article.text.utf8.count)
        for paragraph in prepared.paragraphs {
            body += paragraph.text
            body += "\n"
        }
        let language = LanguageDetector.detect(body, hint: article.languageHint)
        var words = 0
        var sentences = 0
        for paragraph in prepared.paragraphs {
            let counts = TextCounter.count(paragraph.text)
            words += counts.words
            sentences += counts.sentences
        }
        return AnalysisResult(
            language: language,
            text: TextStats(
                words: words, sentences: sentences, paragraphs: prepared.paragraphs.count,
                repeatedParagraphsRemoved: prepared.repeatedParagraphsRemoved
            )
        )
    }
}

/// Word and sentence counts over UTF-8 bytes and Unicode scalars, without building `Character`s.
enum TextCounter {
    /// Abbreviations whose final period does not end a sentence.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep",
        "inc", "ltd", "co", "corp", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "mt", "ft", "approx", "est", "dept", "univ",
    ]

    static func count(_ text: String) -> (words: Int, sentences: Int) {
        let scalars = Array(text.unicodeScalars)
        var words = 0
        var sentences = 0
        var index = 0
        var pendingEnd = false
        var sawContent = false
        func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
            TextNormalizer.isWordScalar(scalar)
        }
        while index < scalars.count {
            let scalar = scalars[index]
            guard isLetterOrDigit(scalar) else {
                if scalar == "!" || scalar == "?" || scalar == "。" || scalar == "！" || scalar == "？" {
                    pendingEnd = pendingEnd || sawContent
                }
                index += 1
                continue
            }
            if pendingEnd {
                sentences += 1
                pendingEnd = false
            }
            // A word: letters and digits, joined by apostrophes, hyphens and inner periods (U.S., 3.5).
            var token = ""
            while index < scalars.count {
                let current = scalars[index]
                if isLetterOrDigit(current) {
                    token.unicodeScalars.append(current)
                    index += 1
                } else if ["'", "’", "-", "."].contains(current), index + 1 < scalars.count,
                    isLetterOrDigit(scalars[index + 1])
                {
                    token.unicodeScalars.append(current)
                    index += 1
                } else {
                    break
                }
            }
            words += 1
            sawContent = true
            if index < scalars.count && scalars[index] == "." {
                let lower = token.lowercased()
                // "Dr." and initials ("J.", "U.S.") rarely end a sentence.
                let isAbbreviation = Self.abbreviations.contains(lower) || lower.count == 1 || lower.contains(".")
                if !isAbbreviation { pendingEnd = true }
            }
        }
        // The last sentence of a paragraph counts even without a final stop (headlines, list items).
        if sawContent { sentences += 1 }
        return (words, sentences)
    }
}
