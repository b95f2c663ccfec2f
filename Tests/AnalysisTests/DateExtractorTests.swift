import Articles
import Foundation
import Testing

@testable import Analysis

@Suite struct DateExtractorTests {
    /// Wednesday 15 November 2023, 18:00 UTC.
    static let published = Date(timeIntervalSince1970: 1_700_071_200)

    static func dates(_ text: String, publishedAt: Date? = Self.published) -> [DateResult] {
        DateExtractor.shared.extract(Document(text: text, publishedAt: publishedAt))
    }

    @Test func anchorIsAWednesday() {
        let day = CivilDate(Self.published)
        #expect(day == CivilDate(year: 2023, month: 11, day: 15))
        #expect(day.weekday == 3)
        #expect(CivilDate(daysSinceEpoch: day.daysSinceEpoch) == day)
        #expect(CivilDate(year: 2024, month: 3, day: 31).adding(months: -1) == CivilDate(year: 2024, month: 2, day: 29))
    }

    @Test(arguments: [
        ("Talks resumed in July of this year.", "July of this year", "2023-07" as String?, "month"),
        ("Prices peaked in July last year.", "July last year", "2022-07", "month"),
        ("Growth slowed this year.", "this year", "2023", "year"),
        ("The law passed last year.", "last year", "2022", "year"),
        ("Elections are due next month.", "next month", "2023-12", "month"),
        ("The minister resigned last week.", "last week", "2023-11-06/2023-11-12", "week"),
        ("The border reopened yesterday.", "yesterday", "2023-11-14", "day"),
        ("Markets are closed today.", "today", "2023-11-15", "day"),
        ("Shots were heard last night.", "last night", "2023-11-14", "day"),
        ("The ministers met on Monday.", "Monday", "2023-11-13", "day"),
        ("The report came out on Wednesday.", "Wednesday", "2023-11-15", "day"),
        ("The vote was held last Wednesday.", "last Wednesday", "2023-11-08", "day"),
        ("The court sits again next Monday.", "next Monday", "2023-11-20", "day"),
        ("The dam was finished two years ago.", "two years ago", "2021", "year"),
        ("The deal was signed three months ago.", "three months ago", "2023-08", "month"),
        ("Fighting has flared for the past two years.", "the past two years", "2021-11-15/2023-11-15", "range"),
        ("Exports grew over the last three months.", "the last three months", "2023-08-15/2023-11-15", "range"),
        ("The mine has been closed since 2019.", "since 2019", "2019/2023-11-15", "range"),
        ("The city fell in August 2021.", "August 2021", "2021-08", "month"),
        ("The city fell on 15 August 2021.", "15 August 2021", "2021-08-15", "day"),
        ("The city fell on Aug. 15, 2021, after a siege.", "Aug. 15, 2021", "2021-08-15", "day"),
        ("The city fell on August 15 after a siege.", "August 15", "2023-08-15", "day"),
        ("The filing is dated 2021-08-15 in the register.", "2021-08-15", "2021-08-15", "day"),
        ("The dam was built in 2021 by a consortium.", "2021", "2021", "year"),
        ("The city boomed in the 1990s.", "1990s", "1990/1999", "decade"),
        ("Work began in early 2020.", "early 2020", "2020-01/2020-04", "range"),
        ("Work began in mid-2020.", "mid-2020", "2020-05/2020-08", "range"),
        ("The band peaked in the late 1990s.", "late 1990s", "1997/1999", "range"),
        ("The 2019-20 season was cut short.", "2019-20", "2019/2020", "range"),
        ("Output doubled between 2010 and 2015.", "2010 and 2015", "2010/2015", "range"),
        ("The quake struck in March.", "March", "2023-03", "month"),
        ("The 15th of August 2021 was a Sunday.", "15th of August 2021", "2021-08-15", "day"),
    ])
    func resolves(_ text: String, _ span: String, _ resolved: String?, _ granularity: String) throws {
        let found = Self.dates(text)
        let date = try #require(found.first { $0.text == span }, "\(text): \(found)")
        #expect(date.resolved == resolved, "\(text)")
        #expect(date.granularity == granularity, "\(text)")
        #expect(Document(text: text).text(date.start, date.end) == span)
    }

    @Test func clockTimesAreReportedUnresolved() {
        let found = Self.dates("The blast came at 10:30 and the second at 3 p.m. sharp.")
        #expect(found.map(\.text) == ["10:30", "3 p.m."])
        #expect(found.allSatisfy { $0.granularity == "time" && $0.resolved == nil })
    }

    @Test func withoutPublicationRelativeDatesStayUnresolved() {
        let found = Self.dates("Last week the army said it had held the town since August 2021.", publishedAt: nil)
        #expect(found.map(\.text) == ["Last week", "since August 2021"])
        #expect(found.allSatisfy { $0.resolved == nil })
        let absolute = Self.dates("The town fell in August 2021.", publishedAt: nil)
        #expect(absolute.first?.resolved == "2021-08")
    }

    @Test(arguments: [
        "May I ask a question?",
        "March on the capital, they said.",
        "About 2000 people marched.",
        "The bill costs $2021 per family.",
        "He finished 5th of 40.",
        "She writes for the Sunday Herald in Westbridge.",
        "He told Westbridge Radio's Today programme about the plan.",
        "The mayor told Westbridge TODAY that the bridge will close.",
    ])
    func notDates(_ text: String) {
        #expect(Self.dates(text).isEmpty, "\(text): \(Self.dates(text))")
    }

    @Test func daysStayDaysBeforeTheirPossessive() {
        let found = Self.dates("Sunday's match was moved, and on Monday the council met. The Friday ruling stands.")
        #expect(found.map(\.resolved) == ["2023-11-12", "2023-11-13", "2023-11-10"])
    }

    @Test func hostileInputsDoNotCrash() {
        _ = Self.dates(String(repeating: "1234567890,", count: 10_000))
        _ = Self.dates("99999999999999999999999 1e400 since since since the past the last last last")
        _ = Self.dates("Mixed ٢٠٢١ 二〇二一年 August ٢٠٢١ 15 Августа 2021 mid- mid-May early early early")
        _ = Self.dates(String(repeating: "since ", count: 20_000) + "2019")
        _ = Self.dates(String(repeating: "early ", count: 20_000) + "2019")
        _ = Self.dates("Published on 31 February 2021 and 2021-02-30 and 0 August.", publishedAt: Date(timeIntervalSince1970: 1e300))
    }
}

extension DateExtractorTests {
    @Test func yearsAsModifiersAndGluedClockTimes() {
        #expect(Self.dates("Turnout fell after the 2014 protests.").map(\.text) == ["2014"])
        #expect(Self.dates("She worked from 6:00am to noon.").map(\.granularity) == ["time"])
    }
}
