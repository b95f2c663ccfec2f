import Articles
import Foundation

/// Finds date expressions and resolves them against the article's `published_at` (UTC).
///
/// Rules over tokens, left to right, longest match first; a match is never re-entered. What `resolved` holds:
/// - absolute dates as written: "15 August 2021", "Aug. 15, 2021" → `2021-08-15`; "August 2021" → `2021-08`;
///   "in 2021" → `2021` (the span is the year alone); "2021-08-15" → `2021-08-15`; "2019-20" → `2019/2020`.
/// - a month or day without a year ("August 15", "in July") takes the publication year.
/// - "July of this year", "July last year" → that month of the publication year, or of the year before.
/// - "today", "yesterday", "tomorrow", "last night", "this morning" → the day.
/// - "this/last/next week" → the ISO week (Monday to Sunday) as a day range, granularity `week`;
///   "this/last/next month|year" → the month or year.
/// - a weekday ("on Monday") → the most recent such day on or before publication, since news reports the past;
///   "last Monday" → strictly before it; "next Monday" → strictly after it.
/// - "two years ago" → the year (months → month, weeks → week, days → day).
/// - "the past two years", "over the last three months" → a day range ending at publication, granularity
///   `range` (the leading preposition is not part of the span); "since 2019" → `2019/<publication day>`,
///   "since" included in the span.
/// - decades ("the 1990s", "'90s") → `1990/1999`, granularity `decade`; "early/mid/late" narrow a year to
///   months (1–4, 5–8, 9–12), a month to days (1–10, 11–20, 21–end) and a decade to years, granularity `range`.
/// - clock times ("22:30", "3 p.m.") are reported with granularity `time` and no resolution, so quantities can
///   leave them out.
/// Without `published_at`, relative expressions are still reported, with `resolved` nil.
public struct DateExtractor: Sendable {
    public static let shared = DateExtractor()

    public init() {}

    public func extract(_ document: Document) -> [DateResult] {
        var scanner = DateScanner(document: document)
        return scanner.run()
    }
}

/// A resolved stretch of days and how precisely each end is written.
struct DateInterval {
    enum Precision { case day, month, year }

    var first: CivilDate
    var last: CivilDate
    var firstPrecision: Precision
    var lastPrecision: Precision
    var granularity: String

    static func day(_ date: CivilDate) -> DateInterval {
        DateInterval(first: date, last: date, firstPrecision: .day, lastPrecision: .day, granularity: "day")
    }

    static func month(_ year: Int, _ month: Int) -> DateInterval {
        DateInterval(
            first: CivilDate(year: year, month: month, day: 1),
            last: CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year)),
            firstPrecision: .month, lastPrecision: .month, granularity: "month")
    }

    static func year(_ year: Int) -> DateInterval {
        DateInterval(
            first: CivilDate(year: year, month: 1, day: 1), last: CivilDate(year: year, month: 12, day: 31),
            firstPrecision: .year, lastPrecision: .year, granularity: "year")
    }

    static func decade(_ start: Int) -> DateInterval {
        var interval = DateInterval.range(.year(start), .year(start + 9))
        interval.granularity = "decade"
        return interval
    }

    static func week(containing date: CivilDate) -> DateInterval {
        let monday = date.adding(days: 1 - date.weekday)
        var interval = DateInterval.range(.day(monday), .day(monday.adding(days: 6)))
        interval.granularity = "week"
        return interval
    }

    static func range(_ from: DateInterval, _ to: DateInterval) -> DateInterval {
        DateInterval(
            first: from.first, last: to.last, firstPrecision: from.firstPrecision, lastPrecision: to.lastPrecision,
            granularity: "range")
    }

    var resolved: String {
        let start = Self.format(self.first, self.firstPrecision)
        let end = Self.format(self.last, self.lastPrecision)
        return start == end ? start : start + "/" + end
    }

    static func format(_ date: CivilDate, _ precision: Precision) -> String {
        switch precision {
        case .day: return date.isoDay
        case .month: return date.isoMonth
        case .year: return CivilDate.isoYear(date.year)
        }
    }
}

/// One recognized expression: tokens `first..<end`, resolved or not.
struct DateMatch {
    var first: Int
    var end: Int
    var interval: DateInterval?
    var granularity: String
}

struct DateScanner {
    enum Role {
        case month(Int)
        case weekday(Int)
        case dayOffset(Int)
        case deictic(Int)
        case since
        case the
        case part(Int)
    }

    static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]
    static let monthAbbreviations: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
        "nov": 11, "dec": 12,
    ]
    static let weekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    static let roles: [String: Role] = {
        var roles: [String: Role] = [:]
        for (index, name) in Self.monthNames.enumerated() { roles[name] = .month(index + 1) }
        for (name, month) in Self.monthAbbreviations { roles[name] = .month(month) }
        for (index, name) in Self.weekdayNames.enumerated() { roles[name] = .weekday(index + 1) }
        roles["today"] = .dayOffset(0)
        roles["tonight"] = .dayOffset(0)
        roles["yesterday"] = .dayOffset(-1)
        roles["tomorrow"] = .dayOffset(1)
        roles["this"] = .deictic(0)
        roles["last"] = .deictic(-1)
        roles["next"] = .deictic(1)
        roles["since"] = .since
        roles["the"] = .the
        roles["early"] = .part(0)
        roles["mid"] = .part(1)
        roles["late"] = .part(2)
        return roles
    }()

    /// Every word that can start an expression; others are skipped without hashing.
    static let triggers = WordFilter(
        Array(Self.roles.keys) + Array(NumberWords.cardinals.keys) + ["a", "an", "several", "few"])

    /// Words after which a month or a year is a date even alone ("in May", "since 2019").
    static let datePrepositions: Set<String> = [
        "in", "since", "until", "till", "by", "of", "from", "to", "during", "before", "after", "between", "and",
        "through", "early", "late", "mid", "around", "circa", "last", "next", "this", "that", "each", "every",
        "throughout", "spring", "summer", "autumn", "fall", "winter", "–", "-", "or",
    ]
    /// Words that may follow a bare year without making it a count ("2008 was", "in 2021 the").
    static let yearFollowers: Set<String> = [
        "was", "is", "were", "will", "would", "had", "has", "have", "saw", "and", "or", "to", "when", "as", "for",
        "the", "at", "in", "on", "with", "after", "before", "but", "that", "which", "while", "until", "where",
        "a", "an", "by", "of", "from", "through", "during", "also", "onwards", "onward", "alone", "election",
        "elections", "season", "census", "budget", "report", "survey", "olympics", "games", "cup",
    ]
    /// Determiners before a year used as a modifier ("the 2014 protests", "its 2020 report").
    static let yearDeterminers: Set<String> = ["the", "its", "their", "his", "her", "our", "this", "that", "whose"]
    static let unitWords: [String: Calendar.Component] = [
        "day": .day, "days": .day, "week": .weekOfYear, "weeks": .weekOfYear, "month": .month, "months": .month,
        "year": .year, "years": .year, "decade": .era, "decades": .era,
    ]
    static let rangeLeads: Set<String> = ["for", "over", "in", "during", "within", "throughout"]
    static let clockSuffixes: Set<String> = ["am", "pm", "a.m", "p.m", "a.m.", "p.m.", "gmt", "utc", "o'clock"]

    let document: Document
    let tokens: [Token]
    let scalars: [Unicode.Scalar]
    let anchor: CivilDate?
    /// The lexicons held once per article rather than reached through a lazy global on every token.
    let triggers = DateScanner.triggers
    let roles = DateScanner.roles
    var results: [DateResult] = []

    init(document: Document) {
        self.document = document
        self.tokens = document.tokens
        self.scalars = document.scalars
        self.anchor = document.publishedAt.map { CivilDate($0) }
    }

    mutating func run() -> [DateResult] {
        var index = 0
        while index < self.tokens.count {
            if self.mayStart(index), let match = self.match(index) {
                let start = self.tokens[match.first].start
                let end = self.tokens[match.end - 1].end
                self.results.append(
                    DateResult(
                        text: self.document.text(start, end), resolved: match.interval?.resolved,
                        granularity: match.interval?.granularity ?? match.granularity, start: start, end: end))
                index = match.end
            } else {
                index += 1
            }
        }
        return self.results
    }

    // MARK: Token helpers

    func lower(_ index: Int) -> String? { index < self.tokens.count && index >= 0 ? self.tokens[index].lower : nil }

    /// The token at `index` touches the one before it (no space between).
    func attached(_ index: Int) -> Bool { index < self.tokens.count && !self.tokens[index].spaceBefore }

    func number(_ index: Int, maxDigits: Int) -> Int? {
        guard index < self.tokens.count, self.tokens[index].kind == .number else { return nil }
        let text = self.tokens[index].text
        guard text.utf8.count <= maxDigits else { return nil }
        return Int(text)
    }

    /// A four-digit year token: 1000–2199, no separators.
    func year(_ index: Int) -> Int? {
        guard let value = self.number(index, maxDigits: 4), self.tokens[index].text.utf8.count == 4,
            value >= 1000 && value < 2200
        else { return nil }
        return value
    }

    /// A day of the month: "15" or "15th".
    func dayOfMonth(_ index: Int) -> Int? {
        guard index < self.tokens.count else { return nil }
        let token = self.tokens[index]
        var value: Int?
        if token.kind == .number {
            value = token.text.utf8.count <= 2 ? Int(token.text) : nil
        } else if token.kind == .word {
            value = Self.ordinalValue(token.lower)
        }
        guard let day = value, day >= 1 && day <= 31 else { return nil }
        return day
    }

    static func ordinalValue(_ lower: String) -> Int? {
        let utf8 = Array(lower.utf8)
        guard utf8.count >= 3 && utf8.count <= 4 else { return nil }
        let suffix = String(decoding: utf8[(utf8.count - 2)...], as: UTF8.self)
        guard ["st", "nd", "rd", "th"].contains(suffix) else { return nil }
        return Int(String(decoding: utf8[..<(utf8.count - 2)], as: UTF8.self))
    }

    func month(_ index: Int) -> (month: Int, end: Int)? {
        guard index < self.tokens.count, self.tokens[index].kind == .word, self.tokens[index].isCapitalized,
            case .month(let month)? = Self.roles[self.tokens[index].lower]
        else { return nil }
        if Self.monthAbbreviations[self.tokens[index].lower] != nil {
            // "Aug." or "Aug 15": a bare "Mar" or "Dec" is more often a name.
            if self.lower(index + 1) == ".", self.attached(index + 1) { return (month, index + 2) }
            guard self.dayOfMonth(index + 1) != nil || self.year(index + 1) != nil else { return nil }
        }
        return (month, index + 1)
    }

    /// A count before a calendar unit: "two", "2", "a", "a few" (unresolved: nil value).
    func count(_ index: Int) -> (value: Int?, end: Int)? {
        guard index < self.tokens.count else { return nil }
        let token = self.tokens[index]
        if token.kind == .number { return token.text.utf8.count <= 4 ? (Int(token.text), index + 1) : nil }
        if token.lower == "a" || token.lower == "an" {
            if self.lower(index + 1) == "few" || self.lower(index + 1) == "couple" {
                return (nil, self.lower(index + 2) == "of" ? index + 3 : index + 2)
            }
            return (1, index + 1)
        }
        if token.lower == "several" || token.lower == "few" { return (nil, index + 1) }
        if let value = NumberWords.cardinals[token.lower], value >= 1 && value < 1000 { return (value, index + 1) }
        return nil
    }

    // MARK: Matching

    /// A cheap test on the token's scalars, so most tokens never reach `match`: numbers, an apostrophe before
    /// "'90s", words starting with a digit or "mid-", and words the trigger filter lets through.
    func mayStart(_ index: Int) -> Bool {
        let start = self.tokens[index].start
        let end = self.tokens[index].end
        let first = self.scalars[start].value
        switch self.tokens[index].kind {
        case .number: return true
        case .punctuation: return first == 0x27 || first == 0x2019
        case .word:
            return (first >= 0x30 && first <= 0x39) || ((first == 0x6D || first == 0x4D) && end - start > 4)
                || self.triggers.mayContain(self.scalars, start, end)
        }
    }

    /// The expression starting at `index`. `nested` is set inside "since …" and "early …", which do not nest
    /// again: a run of "since since since" must stay linear.
    func match(_ index: Int, nested: Bool = false) -> DateMatch? {
        switch self.tokens[index].kind {
        case .number:
            return self.clockTime(index) ?? self.isoDate(index) ?? self.dayFirst(index) ?? self.ago(index)
                ?? self.bareYear(index)
        case .punctuation:
            // '90s
            let scalar = self.scalars[self.tokens[index].start].value
            if scalar == 0x27 || scalar == 0x2019, let decade = self.decade(index + 1), self.attached(index + 1) {
                return DateMatch(first: index, end: index + 2, interval: .decade(decade), granularity: "decade")
            }
            return nil
        case .word:
            let first = self.scalars[self.tokens[index].start].value
            if first >= 0x30 && first <= 0x39 {
                if let decade = self.decade(index) {
                    return DateMatch(first: index, end: index + 1, interval: .decade(decade), granularity: "decade")
                }
                return self.dayFirst(index)
            }
            let start = self.tokens[index].start
            let end = self.tokens[index].end
            if first == 0x6D || first == 0x4D, end - start > 4, self.tokens[index].lower.hasPrefix("mid-") {
                return self.midWord(index)
            }
            guard self.triggers.mayContain(self.scalars, start, end) else { return nil }
            let lower = self.tokens[index].lower
            // The commonest words of any text are the triggers here: sort them out before hashing.
            if lower == "the" { return self.pastRange(index) }
            if lower == "a" || lower == "an" { return self.ago(index) }
            guard let role = self.roles[lower] else { return self.ago(index) }
            switch role {
            case .weekday where self.namesSomething(index, weekday: true),
                .dayOffset where self.namesSomething(index, weekday: false):
                return nil
            case .month: return self.monthFirst(index)
            case .weekday(let weekday): return self.weekday(index, weekday, direction: 0, first: index)
            case .dayOffset(let offset):
                return DateMatch(
                    first: index, end: index + 1, interval: self.anchor.map { .day($0.adding(days: offset)) },
                    granularity: "day")
            case .deictic(let direction): return self.deictic(index, direction)
            case .since: return nested ? nil : self.since(index)
            case .the: return self.pastRange(index)
            case .part(let part): return nested ? nil : self.part(index, part, end: index + 1)
            }
        }
    }

    /// Whether a capitalized day's word names a paper or a programme. "Today" or "Tonight" after a word is one
    /// ("Radio 4's Today programme", "the Tonight Show"): the day is lowercase inside a sentence. A weekday is one
    /// after "the" or a possessive and before another capitalized word ("the Sunday Times", "NBC's Saturday Night
    /// Live"); "the Friday ruling" and "Clinton's Tuesday speech" stay days.
    func namesSomething(_ index: Int, weekday: Bool) -> Bool {
        guard index >= 1, self.tokens[index].isCapitalized, self.tokens[index - 1].kind == .word else { return false }
        guard weekday else { return true }
        guard index + 1 < self.tokens.count, self.tokens[index + 1].kind == .word,
            self.tokens[index + 1].isCapitalized || self.tokens[index + 1].isAllCaps
        else { return false }
        let previous = self.tokens[index - 1].lower
        if previous == "the" { return true }
        guard previous == "s", index >= 2, self.attached(index - 1), self.tokens[index - 2].kind == .punctuation else {
            return false
        }
        let mark = self.scalars[self.tokens[index - 2].start].value
        return mark == 0x27 || mark == 0x2019
    }

    func clockTime(_ index: Int) -> DateMatch? {
        guard let hour = self.number(index, maxDigits: 2), hour <= 24 else { return nil }
        var end = index + 1
        if self.lower(index + 1) == ":" && self.attached(index + 1), self.attached(index + 2),
            let minute = self.number(index + 2, maxDigits: 2), minute < 60, self.tokens[index + 2].text.utf8.count == 2
        {
            end = index + 3
            if self.lower(end) == ":", self.attached(end), self.number(end + 1, maxDigits: 2) != nil { end += 2 }
        } else if self.lower(index + 1) == ":", self.attached(index + 1), self.attached(index + 2),
            let glued = self.lower(index + 2), Self.minutesWithSuffix(glued)
        {
            // "6:00am": the tokenizer keeps "00am" as one word.
            return DateMatch(first: index, end: index + 3, interval: nil, granularity: "time")
        } else if hour == 0 || hour > 12 || !(self.lower(index + 1).map { Self.clockSuffixes.contains($0) } ?? false) {
            return nil
        }
        if let suffix = self.lower(end), Self.clockSuffixes.contains(suffix) {
            end += 1
            if suffix.hasSuffix("m"), self.lower(end) == ".", self.attached(end) { end += 1 }
        }
        return DateMatch(first: index, end: end, interval: nil, granularity: "time")
    }

    static func minutesWithSuffix(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard utf8.count == 4, let minutes = Int(String(decoding: utf8[0..<2], as: UTF8.self)), minutes < 60 else {
            return false
        }
        let suffix = String(decoding: utf8[2...], as: UTF8.self)
        return suffix == "am" || suffix == "pm"
    }

    /// 2021-08-15, 2021-08, and year ranges written with a dash: 2019-20, 2019–2020.
    func isoDate(_ index: Int) -> DateMatch? {
        guard let year = self.year(index), let dash = self.lower(index + 1), dash == "-" || dash == "–" || dash == "—"
        else { return nil }
        let tight = self.attached(index + 1) && self.attached(index + 2)
        if tight, dash == "-", let month = self.number(index + 2, maxDigits: 2), self.tokens[index + 2].text.utf8.count == 2,
            self.tokens[index + 2].text.hasPrefix("0") || month <= 12, month >= 1 && month <= 12
        {
            if self.lower(index + 3) == "-", self.attached(index + 3), self.attached(index + 4),
                let day = self.number(index + 4, maxDigits: 2), day >= 1, day <= CivilDate.daysIn(month: month, year: year)
            {
                return DateMatch(
                    first: index, end: index + 5, interval: .day(CivilDate(year: year, month: month, day: day)),
                    granularity: "day")
            }
            if self.tokens[index + 2].text.hasPrefix("0") {
                return DateMatch(first: index, end: index + 3, interval: .month(year, month), granularity: "month")
            }
        }
        if let second = self.year(index + 2), second > year {
            return DateMatch(first: index, end: index + 3, interval: .range(.year(year), .year(second)), granularity: "range")
        }
        if tight, let short = self.number(index + 2, maxDigits: 2), self.tokens[index + 2].text.utf8.count == 2 {
            let second = year / 100 * 100 + short
            if second > year {
                return DateMatch(
                    first: index, end: index + 3, interval: .range(.year(year), .year(second)), granularity: "range")
            }
        }
        return nil
    }

    /// "15 August 2021", "15th of August", "15 Aug".
    func dayFirst(_ index: Int) -> DateMatch? {
        guard let day = self.dayOfMonth(index) else { return nil }
        var next = index + 1
        if self.lower(next) == "of" { next += 1 }
        guard let (month, afterMonth) = self.month(next) else { return nil }
        return self.dayMonthYear(first: index, day: day, month: month, after: afterMonth)
    }

    /// Ends a day-and-month with an optional year; without one, the publication year.
    func dayMonthYear(first: Int, day: Int, month: Int, after: Int) -> DateMatch {
        var end = after
        var year: Int?
        if let value = self.year(end) {
            year = value
            end += 1
        } else if self.lower(end) == ",", let value = self.year(end + 1) {
            year = value
            end += 2
        }
        guard let resolvedYear = year ?? self.anchor?.year, day <= CivilDate.daysIn(month: month, year: resolvedYear)
        else { return DateMatch(first: first, end: end, interval: nil, granularity: "day") }
        return DateMatch(
            first: first, end: end, interval: .day(CivilDate(year: resolvedYear, month: month, day: day)),
            granularity: "day")
    }

    /// "August 15, 2021", "Aug. 15", "August 2021", "July of this year", "July last year", "in May".
    func monthFirst(_ index: Int) -> DateMatch? {
        guard let (month, after) = self.month(index) else { return nil }
        if let day = self.dayOfMonth(after), self.year(after) == nil {
            return self.dayMonthYear(first: index, day: day, month: month, after: after + 1)
        }
        if let year = self.year(after) {
            return DateMatch(first: index, end: after + 1, interval: .month(year, month), granularity: "month")
        }
        if self.lower(after) == ",", let year = self.year(after + 1) {
            return DateMatch(first: index, end: after + 2, interval: .month(year, month), granularity: "month")
        }
        var deicticAt = after
        if self.lower(after) == "of" { deicticAt += 1 }
        if let word = self.lower(deicticAt), case .deictic(let direction)? = Self.roles[word],
            self.lower(deicticAt + 1) == "year"
        {
            return DateMatch(
                first: index, end: deicticAt + 2,
                interval: self.anchor.map { .month($0.year + direction, month) }, granularity: "month")
        }
        // A lone "May" or "March" is a verb or a name unless a preposition makes it a date.
        if month == 3 || month == 5 {
            guard let previous = self.lower(index - 1), Self.datePrepositions.contains(previous) else { return nil }
        }
        return DateMatch(
            first: index, end: after, interval: self.anchor.map { .month($0.year, month) }, granularity: "month")
    }

    func weekday(_ index: Int, _ weekday: Int, direction: Int, first: Int) -> DateMatch? {
        guard self.tokens[index].isCapitalized || direction != 0 else { return nil }
        let interval = self.anchor.map { anchor -> DateInterval in
            let back = (anchor.weekday - weekday + 7) % 7
            switch direction {
            case 0: return .day(anchor.adding(days: -back))
            case -1: return .day(anchor.adding(days: back == 0 ? -7 : -back))
            default:
                let ahead = (weekday - anchor.weekday + 7) % 7
                return .day(anchor.adding(days: ahead == 0 ? 7 : ahead))
            }
        }
        return DateMatch(first: first, end: index + 1, interval: interval, granularity: "day")
    }

    /// "this week", "last month", "next year", "last night", "this morning", "last Monday", "last July".
    func deictic(_ index: Int, _ direction: Int) -> DateMatch? {
        guard let word = self.lower(index + 1) else { return nil }
        let end = index + 2
        switch word {
        case "week":
            return DateMatch(
                first: index, end: end,
                interval: self.anchor.map { .week(containing: $0.adding(days: 7 * direction)) }, granularity: "week")
        case "month":
            return DateMatch(
                first: index, end: end,
                interval: self.anchor.map { anchor in
                    let date = anchor.adding(months: direction)
                    return .month(date.year, date.month)
                }, granularity: "month")
        case "year":
            return DateMatch(
                first: index, end: end, interval: self.anchor.map { .year($0.year + direction) }, granularity: "year")
        case "night", "evening", "morning", "afternoon":
            // "last night" is the evening before; "this morning" is the day itself; "next evening" is rare.
            guard direction == -1 && (word == "night" || word == "evening") || direction == 0 && word != "night"
            else { return nil }
            return DateMatch(
                first: index, end: end, interval: self.anchor.map { .day($0.adding(days: direction)) },
                granularity: "day")
        default:
            guard let role = Self.roles[word] else { return nil }
            if case .weekday(let weekday) = role {
                return self.weekday(index + 1, weekday, direction: direction == 0 ? 0 : direction, first: index)
            }
            if case .month(let month) = role, self.month(index + 1) != nil {
                let interval = self.anchor.map { anchor -> DateInterval in
                    // "last July" is the most recent July before the current month; "next July" the first after.
                    var year = anchor.year + (direction == 0 ? 0 : direction)
                    if direction == -1 && month < anchor.month { year = anchor.year }
                    if direction == 1 && month > anchor.month { year = anchor.year }
                    return .month(year, month)
                }
                return DateMatch(first: index, end: end, interval: interval, granularity: "month")
            }
            return nil
        }
    }

    /// "two years ago", "3 days ago", "a week ago".
    func ago(_ index: Int) -> DateMatch? {
        guard let (count, afterCount) = self.count(index), self.lower(afterCount + 1) == "ago",
            let unitWord = self.lower(afterCount), let unit = Self.unitWords[unitWord]
        else { return nil }
        let end = afterCount + 2
        guard let anchor = self.anchor, let value = count else {
            return DateMatch(first: index, end: end, interval: nil, granularity: Self.granularity(unit))
        }
        let interval: DateInterval
        switch unit {
        case .day: interval = .day(anchor.adding(days: -value))
        case .weekOfYear: interval = .week(containing: anchor.adding(days: -7 * value))
        case .month:
            let date = anchor.adding(months: -value)
            interval = .month(date.year, date.month)
        case .era: interval = .year(anchor.year - 10 * value)
        default: interval = .year(anchor.year - value)
        }
        return DateMatch(first: index, end: end, interval: interval, granularity: interval.granularity)
    }

    static func granularity(_ unit: Calendar.Component) -> String {
        switch unit {
        case .day: return "day"
        case .weekOfYear: return "week"
        case .month: return "month"
        default: return "year"
        }
    }

    /// "the past two years", "the last three months", "the previous week": a day range ending at publication.
    func pastRange(_ index: Int) -> DateMatch? {
        guard let word = self.lower(index + 1), word == "past" || word == "last" || word == "previous" || word == "preceding"
        else { return nil }
        var countEnd = index + 2
        var value: Int? = 1
        if let (parsed, after) = self.count(index + 2), !(self.lower(index + 2) == "a") {
            value = parsed
            countEnd = after
        }
        guard let unitWord = self.lower(countEnd), let unit = Self.unitWords[unitWord] else { return nil }
        // "the last year" alone is ambiguous with the calendar year before; a range is the common news sense.
        let end = countEnd + 1
        guard let anchor = self.anchor, let amount = value else {
            return DateMatch(first: index, end: end, interval: nil, granularity: "range")
        }
        let from: CivilDate
        switch unit {
        case .day: from = anchor.adding(days: -amount)
        case .weekOfYear: from = anchor.adding(days: -7 * amount)
        case .month: from = anchor.adding(months: -amount)
        case .era: from = anchor.adding(months: -120 * amount)
        default: from = anchor.adding(months: -12 * amount)
        }
        return DateMatch(first: index, end: end, interval: .range(.day(from), .day(anchor)), granularity: "range")
    }

    /// "since 2019", "since August 2021", "since Monday": from that date to publication.
    func since(_ index: Int) -> DateMatch? {
        guard index + 1 < self.tokens.count, let inner = self.match(index + 1, nested: true), inner.granularity != "time" else {
            return nil
        }
        guard let from = inner.interval, let anchor = self.anchor else {
            return DateMatch(first: index, end: inner.end, interval: nil, granularity: "range")
        }
        var interval = DateInterval.range(from, .day(anchor))
        if from.first > anchor { interval = from }
        return DateMatch(first: index, end: inner.end, interval: interval, granularity: "range")
    }

    /// "early 2020", "mid-August", "late 1990s": the first, middle or last part of what follows.
    func part(_ index: Int, _ part: Int, end next: Int) -> DateMatch? {
        var target = next
        if self.lower(target) == "-", self.attached(target) { target += 1 }
        guard target < self.tokens.count, let inner = self.match(target, nested: true), let interval = inner.interval else {
            return nil
        }
        guard ["year", "month", "decade"].contains(interval.granularity) else { return nil }
        return DateMatch(first: index, end: inner.end, interval: Self.narrow(interval, part), granularity: "range")
    }

    static func narrow(_ interval: DateInterval, _ part: Int) -> DateInterval {
        let first = interval.first
        switch interval.granularity {
        case "year":
            let months = [(1, 4), (5, 8), (9, 12)][part]
            return .range(.month(first.year, months.0), .month(first.year, months.1))
        case "month":
            let last = CivilDate.daysIn(month: first.month, year: first.year)
            let days = [(1, 10), (11, 20), (21, last)][part]
            return .range(
                .day(CivilDate(year: first.year, month: first.month, day: days.0)),
                .day(CivilDate(year: first.year, month: first.month, day: days.1)))
        default:
            let years = [(0, 3), (4, 6), (7, 9)][part]
            return .range(.year(first.year + years.0), .year(first.year + years.1))
        }
    }

    /// One token "mid-2020", "mid-August", "mid-1990s".
    func midWord(_ index: Int) -> DateMatch? {
        let rest = String(self.tokens[index].lower.dropFirst(4))
        var interval: DateInterval?
        if let value = Int(rest), rest.utf8.count == 4, value >= 1000 && value < 2200 {
            interval = .year(value)
        } else if rest.utf8.count == 5, rest.hasSuffix("0s"), let value = Int(rest.dropLast()), value >= 1000 {
            interval = .decade(value)
        } else if case .month(let month)? = Self.roles[rest], Self.monthAbbreviations[rest] == nil {
            var end = index + 1
            var year = self.anchor?.year
            if let value = self.year(end) {
                year = value
                end += 1
            }
            guard let resolvedYear = year else { return DateMatch(first: index, end: end, interval: nil, granularity: "range") }
            return DateMatch(
                first: index, end: end, interval: Self.narrow(.month(resolvedYear, month), 1), granularity: "range")
        }
        guard let found = interval else { return nil }
        return DateMatch(first: index, end: index + 1, interval: Self.narrow(found, 1), granularity: "range")
    }

    /// "1990s" → 1990.
    func decade(_ index: Int) -> Int? {
        guard index < self.tokens.count, self.tokens[index].kind == .word else { return nil }
        let utf8 = self.tokens[index].lower.utf8
        guard (utf8.count == 5 || utf8.count == 3), utf8.last == UInt8(ascii: "s") else { return nil }
        let digits = String(decoding: utf8.dropLast(), as: UTF8.self)
        guard digits.hasSuffix("0"), let value = Int(digits) else { return nil }
        if utf8.count == 3 { return value >= 30 ? 1900 + value : 2000 + value }
        return value >= 1000 ? value : nil
    }

    /// A year standing alone, or the start of "2010 to 2015" after "from"/"between".
    func bareYear(_ index: Int) -> DateMatch? {
        guard let year = self.year(index) else { return nil }
        let previous = self.lower(index - 1)
        let afterPreposition = previous.map { Self.datePrepositions.contains($0) } ?? false
        if !afterPreposition {
            guard year >= 1900 && year <= 2100 else { return nil }
            if let previous, ["$", "£", "€", "#", "no", "no."].contains(previous) { return nil }
            if let next = self.lower(index + 1) {
                let token = self.tokens[index + 1]
                if next == "%" { return nil }
                // "the 2014 protests" names an event by its year; "2000 people" counts.
                let modifier = previous.map { Self.yearDeterminers.contains($0) } ?? false
                if token.kind == .word && !token.isCapitalized && !Self.yearFollowers.contains(next) && !modifier {
                    return nil
                }
                if token.kind == .number { return nil }
            }
        }
        if let previous, previous == "from" || previous == "between", let joiner = self.lower(index + 1),
            joiner == "to" || joiner == "and" || joiner == "until", let second = self.year(index + 2), second > year
        {
            return DateMatch(
                first: index, end: index + 3, interval: .range(.year(year), .year(second)), granularity: "range")
        }
        return DateMatch(first: index, end: index + 1, interval: .year(year), granularity: "year")
    }
}
