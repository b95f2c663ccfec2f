import Articles
import Foundation

/// Finds counted and measured amounts: "more than 6000 Daesh fighters", "$5bn", "40 per cent", "hundreds of".
///
/// A quantity's span runs from its qualifier (or currency sign, or number) to the end of its object when one is
/// found, else to the end of its unit or number: "more than 6000 Daesh fighters", "£3.2m", "40 per cent".
/// `value` is the number with its scale applied ("1.2 million" → 1200000); a vague plural ("hundreds of",
/// "dozens of", "tens of thousands of") gives the magnitude it names (100, 12, 10000) and the words as its
/// qualifier. `unit` is an ISO 4217 code for money, a symbol for a unit of measure ("km", "%", "bbl"); `object` is
/// the counted noun phrase after the number, up to and including its plural head ("Daesh fighters").
///
/// Not quantities: numbers inside the dates passed in (and clock times), years standing alone, ordinals ("15th"),
/// list markers ("1." at a sentence start), numbers glued to others by "-", "/" or ":" (phone numbers, scores,
/// ids), long unseparated digit runs, numbers naming things ("Boeing 737", "Article 370", "No. 5").
public struct QuantityExtractor: Sendable {
    public static let shared = QuantityExtractor()

    let lexicon: QuantityLexicon

    public init() {
        self.lexicon = QuantityLexicon.shared
    }

    public func extract(_ document: Document, excluding dates: [DateResult]) -> [QuantityResult] {
        var scanner = QuantityScanner(document: document, lexicon: self.lexicon, dates: dates)
        return scanner.run()
    }
}

/// The lexicon of `units.tsv`, keyed by lowercased tokens joined with single spaces.
struct QuantityLexicon: Sendable {
    static let shared = QuantityLexicon(
        lines: ResourceFiles.loading("units.tsv", or: []) { try ResourceFiles.lines("units.tsv") })

    var symbols: [String: String] = [:]
    var currencies: [String: String] = [:]
    var scales: [String: Double] = [:]
    var units: [String: String] = [:]
    /// The most tokens any unit or currency form spans.
    var longest = 1
    /// First words of forms of several tokens ("per" of "per cent"), so longer keys are built only after them.
    var multiTokenStarts: Set<String> = []

    init(lines: [Substring]) {
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3 else { continue }
            var tokens: [Token] = []
            let scalars = Array(fields[0].unicodeScalars)
            Tokenizer.tokenize(scalars, 0..<scalars.count, into: &tokens)
            guard !tokens.isEmpty else { continue }
            let key = tokens.map(\.lower).joined(separator: " ")
            let value = String(fields[2])
            switch fields[1] {
            case "symbol": self.symbols[key] = value
            case "currency": self.currencies[key] = value
            case "scale": self.scales[key] = Double(value)
            case "unit": self.units[key] = value
            default: continue
            }
            self.longest = max(self.longest, tokens.count)
            if tokens.count > 1 { self.multiTokenStarts.insert(tokens[0].lower) }
        }
    }
}

struct QuantityScanner {
    static let qualifiers: [[String]] = [
        "more than", "over", "nearly", "almost", "about", "around", "roughly", "approximately", "approx", "circa",
        "at least", "up to", "fewer than", "less than", "some", "an estimated", "estimated", "as many as",
        "as much as", "as few as", "as little as", "at most", "no more than", "no fewer than", "no less than",
        "not more than", "just over", "just under", "well over", "well under", "under", "below", "above",
        "close to", "upwards of", "in excess of", "more than", "only", "just", "a further", "another",
        "an additional", "exactly", "precisely", "a total of", "almost", "barely", "nearly", "around", "an",
        "a", "the", "least", "most", "maximum", "minimum", "a maximum of", "a minimum of", "an average of",
        "on average", "a record", "record",
    ].map { $0.split(separator: " ").map(String.init) }
    /// Qualifiers that are only kept as part of a longer one ("a" in "a further").
    static let bareArticles: Set<String> = ["a", "an", "the", "least", "most", "record"]

    static let vaguePlurals: [String: Double] = [
        "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000, "millions": 1_000_000,
        "billions": 1_000_000_000, "tens": 10,
    ]
    /// Words before a number that make it a name or an index, not an amount.
    static let indexWords: Set<String> = [
        "no", "number", "#", "page", "pages", "room", "flight", "route", "chapter", "section", "article", "line",
        "gate", "platform", "grade", "level", "phase", "version", "season", "episode", "act", "rule", "paragraph",
        "clause", "resolution", "highway", "road", "bus", "channel", "lane", "district", "ward", "block", "unit",
        "category", "class", "stage", "round", "game", "week", "day", "verse", "item", "point", "table", "figure",
        "year", "years", "grades", "aged", "age", "ages", "size", "tier", "covid", "g", "p", "mk", "type",
    ]
    /// Words that end a counted noun phrase before it starts or between its words.
    static let stopWords: Set<String> = [
        "the", "a", "an", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "but", "as",
        "than", "that", "which", "who", "whom", "whose", "this", "these", "those", "it", "its", "their", "they",
        "them", "he", "she", "his", "her", "we", "our", "you", "your", "is", "are", "was", "were", "be", "been",
        "being", "have", "has", "had", "do", "does", "did", "will", "would", "can", "could", "may", "might",
        "must", "shall", "should", "not", "no", "now", "still", "also", "already", "just", "only", "even", "more",
        "less", "most", "least", "each", "per", "ago", "since", "until", "into", "onto", "over", "under", "about",
        "around", "after", "before", "during", "between", "among", "against", "across", "through", "there", "here",
        "then", "when", "where", "while", "if", "so", "yet", "up", "down", "out", "off", "away", "back", "again",
        "too", "very", "said", "says", "say", "according", "including", "were", "so-called", "all", "both",
        "last", "next", "earlier", "later", "year", "month", "week", "day", "times", "time", "other", "others",
        "such", "like", "nearly", "almost", "roughly", "some", "many", "much", "few", "several", "own", "what",
        "toward", "towards", "via", "within", "without", "upon", "because", "unless", "although", "though",
    ]
    /// Words that end no counted noun phrase alone: comparisons, the words around an age or a remainder, and
    /// irregular verbs the "-ed" test misses ("24% higher", "16 years old", "the £12bn left over", "20% every
    /// year", "18% came from", "the £130m seen a year earlier"). Not "won", which is also a currency.
    static let notHeads: Set<String> = [
        "higher", "lower", "bigger", "smaller", "larger", "greater", "cheaper", "dearer", "better", "worse",
        "faster", "slower", "longer", "shorter", "older", "younger", "stronger", "weaker", "fewer", "above",
        "below", "old", "left", "every", "apiece", "alone", "overall", "year-on-year", "whereas", "i",
        "came", "come", "saw", "seen", "spent", "went", "gone", "took", "taken", "made", "gave", "given", "got",
        "fell", "fallen", "rose", "risen", "grew", "grown", "lost", "paid", "sold", "bought", "include", "remain",
        "think", "believe", "want",
    ]
    /// Punctuation that glues digit groups into one code: 555-0123, 24/7, 10.30, +44.
    static let glue: Set<String> = ["-", "/", ":", ".", "+"]
    static let irregularPlurals: Set<String> = [
        "people", "men", "women", "children", "police", "personnel", "staff", "cattle", "sheep", "fish", "deer",
        "livestock", "aircraft", "feet", "teeth", "mice", "geese", "militia", "infantry", "crew", "clergy", "youth",
    ]
    /// Determiners after a partitive "of" ("two of the suspects", "40% of its budget").
    static let partitiveDeterminers: Set<String> = [
        "the", "its", "their", "his", "her", "our", "those", "these", "all", "them", "whom", "which",
    ]

    let document: Document
    let tokens: [Token]
    let lexicon: QuantityLexicon
    /// Held once per article rather than reached through a lazy global on every token.
    let triggers = QuantityScanner.triggers
    /// Per token: inside a date or time span.
    var excluded: [Bool]
    /// Per token: opens a sentence, to spot list markers and sentence-initial capitals.
    var sentenceStarts: [Bool]
    var results: [QuantityResult] = []

    init(document: Document, lexicon: QuantityLexicon, dates: [DateResult]) {
        self.document = document
        self.tokens = document.tokens
        self.lexicon = lexicon
        self.excluded = Array(repeating: false, count: document.tokens.count)
        self.sentenceStarts = Array(repeating: false, count: document.tokens.count)
        for sentence in document.sentences where sentence.tokens.lowerBound < self.sentenceStarts.count {
            self.sentenceStarts[sentence.tokens.lowerBound] = true
        }
        guard !dates.isEmpty else { return }
        // Tokens and dates are both in text order: one merge pass marks what the dates cover.
        let sorted = dates.sorted { $0.start < $1.start }
        var dateIndex = 0
        for (index, token) in self.tokens.enumerated() {
            while dateIndex < sorted.count && sorted[dateIndex].end <= token.start { dateIndex += 1 }
            guard dateIndex < sorted.count else { break }
            if token.start < sorted[dateIndex].end && token.end > sorted[dateIndex].start { self.excluded[index] = true }
        }
    }

    mutating func run() -> [QuantityResult] {
        var index = 0
        while index < self.tokens.count {
            if !self.excluded[index], self.mayStart(index), let end = self.quantity(at: index) {
                index = end
            } else {
                index += 1
            }
        }
        return self.results
    }

    // MARK: Helpers

    /// A cheap test on the token's scalars, so most tokens never reach `quantity(at:)`: numbers, words starting
    /// with a digit ("5bn"), and words the trigger filter lets through ("two", "hundreds", "a").
    func mayStart(_ index: Int) -> Bool {
        switch self.tokens[index].kind {
        case .number: return true
        case .punctuation: return false
        case .word:
            let start = self.tokens[index].start
            let first = self.document.scalars[start].value
            return (first >= 0x30 && first <= 0x39)
                || self.triggers.mayContain(self.document.scalars, start, self.tokens[index].end)
        }
    }

    func lower(_ index: Int) -> String? { index >= 0 && index < self.tokens.count ? self.tokens[index].lower : nil }

    func attached(_ index: Int) -> Bool { index < self.tokens.count && !self.tokens[index].spaceBefore }

    func isNumber(_ index: Int) -> Bool { index >= 0 && index < self.tokens.count && self.tokens[index].kind == .number }

    /// The value of "6000", "6,000", "3.5"; nil for malformed grouping or anything absurdly long.
    static func digitsValue(_ text: String) -> Double? {
        let utf8 = text.utf8
        guard utf8.count <= 24 else { return nil }
        // The digits and point are written straight into a String, which holds up to 15 bytes without a heap
        // buffer: a byte array and then a String were made for every number in the text.
        var valid = true
        var sawPoint = false
        var sawComma = false
        var groupLength = 0
        var firstGroup = true
        let cleaned = String(unsafeUninitializedCapacity: utf8.count) { buffer in
            var count = 0
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    buffer[count] = byte
                    count += 1
                    groupLength += 1
                case UInt8(ascii: ","):
                    guard !sawPoint, groupLength >= 1, firstGroup ? groupLength <= 3 : groupLength == 3 else {
                        valid = false
                        return 0
                    }
                    sawComma = true
                    firstGroup = false
                    groupLength = 0
                case UInt8(ascii: "."):
                    guard !sawPoint, !sawComma || groupLength == 3 else {
                        valid = false
                        return 0
                    }
                    sawPoint = true
                    buffer[count] = byte
                    count += 1
                    groupLength = 0
                default:
                    valid = false
                    return 0
                }
            }
            return count
        }
        guard valid else { return nil }
        if sawComma && !sawPoint && groupLength != 3 { return nil }
        guard let value = Double(cleaned), value.isFinite else { return nil }
        return value
    }

    /// The longest unit, currency or symbol form starting at `index`: (kind table value, end).
    /// The table is passed itself, not as a key path: a key path argument was built at run time on every call.
    func lookup(_ table: [String: String], at index: Int) -> (String, Int)? {
        let first = self.tokens[index].lower
        var length = self.lexicon.multiTokenStarts.contains(first) ? min(self.lexicon.longest, self.tokens.count - index) : 1
        while length >= 1 {
            var key = first
            if length > 1 {
                for offset in 1..<length { key += " " + self.tokens[index + offset].lower }
            }
            if let value = table[key] { return (value, index + length) }
            length -= 1
        }
        return nil
    }

    /// A currency sign or code ending right before `index` ("$", "US$", "Rs.", "USD"): (ISO, first token).
    func currencyBefore(_ index: Int) -> (String, Int)? {
        for length in stride(from: 2, through: 1, by: -1) {
            let first = index - length
            guard first >= 0 else { continue }
            var key = self.tokens[first].lower
            for offset in 1..<length where length > 1 { key += " " + self.tokens[first + offset].lower }
            if let code = self.lexicon.symbols[key] { return (code, first) }
            if length == 1, self.tokens[first].isAllCaps, let code = self.lexicon.currencies[key] { return (code, first) }
        }
        return nil
    }

    /// Qualifiers by their last word, so only the few that can end before a number are compared.
    static let qualifiersByLastWord: [String: [[String]]] = Dictionary(grouping: Self.qualifiers) { $0.last! }

    /// The longest qualifier ending right before `index`: (canonical words, first token).
    func qualifierBefore(_ index: Int) -> (String, Int)? {
        guard index >= 1, let candidates = Self.qualifiersByLastWord[self.tokens[index - 1].lower] else { return nil }
        var best: (String, Int)?
        for phrase in candidates {
            let first = index - phrase.count
            guard first >= 0, best == nil || first < best!.1 else { continue }
            var matches = true
            for (offset, word) in phrase.enumerated() where self.tokens[first + offset].lower != word {
                matches = false
                break
            }
            if matches && !(phrase.count == 1 && Self.bareArticles.contains(phrase[0])) {
                best = (phrase.joined(separator: " "), first)
            }
        }
        return best
    }

    // MARK: The number

    /// The number starting at `index`: value, first token after it, and a unit or vague qualifier it carries.
    struct Core {
        var value: Double
        var end: Int
        var unit: String?
        var vague: String?
        var digits: Bool
        var scaled = false
    }

    func core(at index: Int) -> Core? {
        switch self.tokens[index].kind {
        case .number:
            guard let value = Self.digitsValue(self.tokens[index].text) else { return nil }
            return Core(value: value, end: index + 1, digits: true)
        case .word:
            let first = self.document.scalars[self.tokens[index].start].value
            if first >= 0x30 && first <= 0x39 {
                return self.suffixed(index)
            }
            return self.wordNumber(index)
        case .punctuation:
            return nil
        }
    }

    /// "5bn", "3.2m", "10km", "40pc"; not "15th", "1990s", "1e400", "G7".
    func suffixed(_ index: Int) -> Core? {
        let lower = self.tokens[index].lower
        guard let split = lower.unicodeScalars.firstIndex(where: { !Tokenizer.isDigit($0) && $0 != "." && $0 != "," })
        else { return nil }
        let digits = String(lower.unicodeScalars[..<split])
        let suffix = String(lower.unicodeScalars[split...])
        guard let value = Self.digitsValue(digits) else { return nil }
        if let scale = self.lexicon.scales[suffix], suffix != "hundred" {
            return Core(value: value * scale, end: index + 1, digits: true, scaled: true)
        }
        if let unit = self.lexicon.units[suffix] { return Core(value: value, end: index + 1, unit: unit, digits: true) }
        return nil
    }

    /// Every word that can start a number; others are skipped without hashing.
    static let triggers = WordFilter(
        Array(NumberWords.cardinals.keys) + Array(Self.vaguePlurals.keys) + ["a", "an", "half"])

    static let scaleWords = WordFilter(["dozen", "hundred", "thousand", "million", "billion", "trillion"])

    /// "two", "twenty-five", "a dozen", "a million", "hundreds of", "tens of thousands of".
    func wordNumber(_ index: Int) -> Core? {
        guard self.triggers.mayContain(self.document.scalars, self.tokens[index].start, self.tokens[index].end) else {
            return nil
        }
        let lower = self.tokens[index].lower
        if let value = NumberWords.cardinals[lower] {
            if self.lower(index + 1) == "dozen" { return Core(value: Double(value) * 12, end: index + 2, digits: false) }
            return Core(value: Double(value), end: index + 1, digits: false)
        }
        if lower == "a" || lower == "an" {
            guard let next = self.lower(index + 1), Self.triggers.mayContain(next) || Self.scaleWords.mayContain(next)
            else { return nil }
            if next == "dozen" { return Core(value: 12, end: index + 2, digits: false) }
            if let scale = self.lexicon.scales[next], self.tokens[index + 1].kind == .word, next.utf8.count > 2 {
                return Core(value: scale, end: index + 2, digits: false, scaled: true)
            }
            return nil
        }
        if lower == "half", self.lower(index + 1) == "a", let next = self.lower(index + 2),
            let scale = self.lexicon.scales[next], next.utf8.count > 2
        {
            return Core(value: scale / 2, end: index + 3, digits: false, scaled: true)
        }
        if let magnitude = Self.vaguePlurals[lower] {
            // "tens of thousands of", "hundreds of millions of", "dozens of", "thousands more".
            var value = magnitude
            var words = lower
            var end = index + 1
            if self.lower(end) == "of", let next = self.lower(end + 1), let larger = Self.vaguePlurals[next],
                larger >= 1000, larger > magnitude
            {
                value = magnitude * larger
                words += " of " + next
                end += 2
            } else if lower == "tens" {
                return nil
            }
            if self.lower(end) == "of" {
                end += 1
            } else if lower == "scores" || lower == "dozens" {
                return nil
            }
            return Core(value: value, end: end, vague: words, digits: false)
        }
        return nil
    }

    /// Applies scale words after the number: "1.2 million", "two hundred thousand".
    func scaled(_ core: Core) -> Core {
        var result = core
        while result.vague == nil, let next = self.lower(result.end), let scale = self.lexicon.scales[next],
            self.tokens[result.end].kind == .word, next.utf8.count > 2 || (result.digits && self.attached(result.end))
        {
            result.value *= scale
            result.end += 1
            result.scaled = true
        }
        return result
    }

    // MARK: Exclusions

    /// A digit token that is part of an id, phone number, score, list marker or a name.
    func isNotAnAmount(_ index: Int) -> Bool {
        let token = self.tokens[index]
        // Glued to another number: 555-0123, 3-1, 24/7, 10.30.
        if index >= 2, self.attached(index), let glue = self.lower(index - 1), Self.glue.contains(glue),
            self.isNumber(index - 2) && self.attached(index - 1)
        {
            return true
        }
        if let glue = self.lower(index + 1), glue != "+", Self.glue.contains(glue), self.attached(index + 1),
            self.attached(index + 2), self.isNumber(index + 2)
        {
            return true
        }
        if token.kind == .number, token.text.utf8.count >= 10, !token.text.contains(",") { return true }
        // "0199" and runs of spaced digit groups ("555 0199") are codes and phone numbers.
        if token.kind == .number, token.text.utf8.count >= 2, token.text.utf8.first == UInt8(ascii: "0"),
            !token.text.hasPrefix("0.")
        {
            return true
        }
        if self.isNumber(index + 1) && !self.excluded[index + 1] || self.isNumber(index - 1) && !self.excluded[index - 1] {
            return true
        }
        // "1." or "2)" opening a sentence or paragraph.
        if index == 0 || self.sentenceStarts[index],
            let next = self.lower(index + 1), next == "." || next == ")", self.attached(index + 1)
        {
            return true
        }
        guard index >= 1 else { return false }
        let previous = self.tokens[index - 1]
        if Self.indexWords.contains(previous.lower) && previous.kind != .punctuation || previous.text == "#" {
            return true
        }
        // "Boeing 737", "Apollo 11": a capitalized word right before, not opening the sentence.
        if previous.kind == .word, previous.isCapitalized, !self.sentenceStarts[index - 1],
            self.qualifierBefore(index) == nil, self.lexicon.currencies[previous.lower] == nil,
            self.lexicon.symbols[previous.lower] == nil
        {
            return true
        }
        return false
    }

    // MARK: The quantity

    /// Reads one quantity at `index`; returns the token after it, or nil when there is none here.
    mutating func quantity(at index: Int) -> Int? {
        guard var core = self.core(at: index) else { return nil }
        if core.digits && self.isNotAnAmount(index) { return nil }
        let cardinal = NumberWords.cardinals[self.tokens[index].lower]
        core = self.scaled(core)
        for covered in index..<core.end where self.excluded[covered] { return nil }

        var first = index
        var unit = core.unit
        var qualifier = core.vague
        if let (code, symbolStart) = self.currencyBefore(index), unit == nil {
            unit = code
            first = symbolStart
        }
        var end = core.end
        if unit == nil, end < self.tokens.count, !self.excluded[end] {
            if let (code, after) = self.lookup(self.lexicon.currencies, at: end) {
                unit = code
                end = after
            } else if self.lower(end) == "pounds" {
                // Money when scaled ("5 million pounds"), weight otherwise ("5 pounds of rice").
                unit = core.scaled ? "GBP" : "lb"
                end += 1
            } else if let (symbol, after) = self.lookup(self.lexicon.units, at: end) {
                unit = symbol
                end = after
            }
        }
        // A lone "one" is a pronoun or an article far more often than a count.
        if cardinal == 1 && unit == nil && !core.scaled { return nil }
        if cardinal == 0 && unit == nil { return nil }
        if let (words, qualifierStart) = self.qualifierBefore(first), qualifier == nil {
            qualifier = words
            first = qualifierStart
        }

        var object = self.object(after: end, unit: unit, vague: core.vague != nil)
        // "Radio Five Live", "Channel Four", "Six Nations": a capitalized number word after a name's word is part
        // of the name, unless what follows is counted in lowercase ("SHOOTING Three people", a headline run on).
        if !core.digits, index >= 1, self.tokens[index].isCapitalized, !self.sentenceStarts[index],
            self.tokens[index - 1].kind == .word, self.tokens[index - 1].isCapitalized,
            !self.sentenceStarts[index - 1],
            !(object.map { $0.plural && !self.tokens[$0.first].isCapitalized } ?? false)
        {
            return nil
        }
        // "50 Cent", "10 Downing Street", "2200 GMT": bare digits before a capitalized word, with nothing counted
        // after it ("70 Airbus A380 jets"), name something or give an address or a time. Spelled, scaled or
        // followed by what it counts ("six League and Cup games", "two million Kurds"), the number still counts,
        // but not that word.
        if unit == nil, qualifier == nil, object?.plural != true, end < self.tokens.count, !self.sentenceStarts[end],
            self.tokens[end].kind == .word, self.tokens[end].isCapitalized || self.tokens[end].isAllCaps
        {
            guard !core.digits || core.scaled || self.pluralAhead(end) else { return nil }
            object = nil
        }
        if core.digits, unit == nil, !core.scaled, qualifier == nil, core.value >= 1000, core.value < 2200,
            self.tokens[index].text.utf8.count == 4, object?.plural != true
        {
            return nil  // a year the date rules did not take
        }
        let last = object?.end ?? end
        let start = self.tokens[first].start
        let stop = self.tokens[last - 1].end
        self.results.append(
            QuantityResult(
                value: core.value, qualifier: qualifier, unit: unit,
                object: object.map { self.document.text(tokens: $0.first..<$0.end) }, start: start, end: stop))
        return core.end
    }

    /// The counted noun phrase from `index`: up to four words ending at a plural head, or a short phrase.
    func object(after index: Int, unit: String?, vague: Bool) -> (first: Int, end: Int, plural: Bool)? {
        var start = index
        if let of = self.lower(start), of == "of", !vague {
            // Partitive: "40% of voters", "two of the suspects".
            guard let next = self.lower(start + 1) else { return nil }
            start += Self.partitiveDeterminers.contains(next) && next != "them" ? 2 : 1
            if next == "them" || next == "whom" || next == "which" { return nil }
        } else if vague, let next = self.lower(start), next == "the" || next == "their" || next == "its" {
            start += 1
        }
        var end = start
        var words = 0
        while end < self.tokens.count && words < 4 {
            let token = self.tokens[end]
            guard token.kind == .word, !self.excluded[end], !Self.stopWords.contains(token.lower),
                !(token.lower.hasSuffix("ly") && token.lower.utf8.count > 4),
                NumberWords.cardinals[token.lower] == nil, self.sentenceIndexSame(index, end)
            else { break }
            end += 1
            words += 1
            if Self.isPlural(token) { return (start, end, true) }
            // A possessive goes on to what it owns: "2% of the country's output" counts output, not the country.
            if self.isPossessive(at: end) { end += 2 }
        }
        guard words > 0, words <= 2, !self.isPossessive(at: end - 2) else { return nil }
        // A verb right after the number ("6000 joined") is not what is counted, nor a comparison ("24% higher").
        let head = self.tokens[end - 1].lower
        if head.hasSuffix("ed") || head.hasSuffix("ing") || Self.notHeads.contains(head) { return nil }
        if let after = self.lower(end), after == "-" { return nil }
        return (start, end, false)
    }

    /// A lowercase plural within the next six tokens of the sentence, through names, numbers and hyphens but no
    /// other punctuation: "Airbus A380 superjumbo jets", "Fortune 500 companies", "Hong Kong music and film stars".
    func pluralAhead(_ index: Int) -> Bool {
        var position = index
        while position < min(index + 6, self.tokens.count), self.sentenceIndexSame(index, position) {
            let token = self.tokens[position]
            if token.kind == .punctuation && token.text != "-" && token.text != "&" { return false }
            if token.kind == .word && !token.isCapitalized && !token.isAllCaps && Self.isPlural(token) { return true }
            position += 1
        }
        return false
    }

    /// An apostrophe and "s" glued to the word before `index`: "the country's".
    func isPossessive(at index: Int) -> Bool {
        guard index >= 1, index + 1 < self.tokens.count, self.attached(index), self.attached(index + 1),
            self.tokens[index].text == "'" || self.tokens[index].text == "\u{2019}"
        else { return false }
        return self.tokens[index + 1].lower == "s"
    }

    func sentenceIndexSame(_ a: Int, _ b: Int) -> Bool { a == b || !self.sentenceStarts[b] }

    static func isPlural(_ token: Token) -> Bool {
        let lower = token.lower
        if Self.irregularPlurals.contains(lower) { return true }
        let utf8 = lower.utf8
        // An acronym's plural: "MPs", "PCs".
        if token.text.utf8.count >= 3, token.text.utf8.last == UInt8(ascii: "s"),
            token.text.utf8.dropLast().allSatisfy({ $0 >= 0x41 && $0 <= 0x5A })
        {
            return true
        }
        guard utf8.count >= 4, utf8.last == UInt8(ascii: "s") else { return false }
        return !(lower.hasSuffix("ss") || lower.hasSuffix("us") || lower.hasSuffix("is") || lower.hasSuffix("'s"))
    }
}
