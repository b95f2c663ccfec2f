import Foundation

/// A proleptic Gregorian calendar day in UTC, with the arithmetic relative dates need.
///
/// Not `Calendar`: resolution must not depend on the host's time zone or locale, and the day-count formulas
/// (Howard Hinnant's `days_from_civil`) cost a few integer operations instead of an allocation per call.
struct CivilDate: Sendable, Equatable, Comparable {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day holding `date`.
    init(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        let days = seconds.isFinite ? Int((seconds / 86_400).rounded(.down).clamped(-1e8, 1e8)) : 0
        self.init(daysSinceEpoch: days)
    }

    init(daysSinceEpoch days: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        self.month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.year = yearOfEra + era * 400 + (self.month <= 2 ? 1 : 0)
    }

    var daysSinceEpoch: Int {
        let year = self.month <= 2 ? self.year - 1 : self.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (self.month > 2 ? self.month - 3 : self.month + 9) + 2) / 5 + self.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// 1 = Monday … 7 = Sunday (ISO 8601).
    var weekday: Int {
        let days = self.daysSinceEpoch
        // 1970-01-01 was a Thursday (4).
        return ((days % 7 + 7) % 7 + 3) % 7 + 1
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: self.daysSinceEpoch + days) }

    /// Moves by whole months, clamping the day to the target month's length (31 March − 1 month = 28/29 Feb).
    func adding(months: Int) -> CivilDate {
        let total = self.year * 12 + (self.month - 1) + months
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        return CivilDate(year: year, month: month, day: min(self.day, Self.daysIn(month: month, year: year)))
    }

    static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    var isoDay: String { "\(Self.isoYear(self.year))-\(Self.twoDigits(self.month))-\(Self.twoDigits(self.day))" }
    var isoMonth: String { "\(Self.isoYear(self.year))-\(Self.twoDigits(self.month))" }

    static func isoYear(_ year: Int) -> String {
        guard year >= 0 && year < 1000 else { return String(year) }
        let digits = String(year)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    static func isoMonth(year: Int, month: Int) -> String { "\(Self.isoYear(year))-\(Self.twoDigits(month))" }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
