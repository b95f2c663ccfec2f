import Articles
import Foundation
import Testing

@testable import Analysis

@Suite struct QuantityExtractorTests {
    static func quantities(_ text: String, publishedAt: Date? = nil) -> [QuantityResult] {
        let document = Document(text: text, publishedAt: publishedAt)
        return QuantityExtractor.shared.extract(document, excluding: DateExtractor.shared.extract(document))
    }

    static func only(_ text: String) -> QuantityResult? {
        let found = Self.quantities(text)
        #expect(found.count == 1, "\(text): \(found)")
        return found.first
    }

    @Test func countWithQualifierAndObject() throws {
        let text = "Officials said there were more than 6000 Daesh fighters now operating in the province."
        let quantity = try #require(Self.only(text))
        #expect(quantity.value == 6000)
        #expect(quantity.qualifier == "more than")
        #expect(quantity.object == "Daesh fighters")
        #expect(quantity.unit == nil)
        #expect(Document(text: text).text(quantity.start, quantity.end) == "more than 6000 Daesh fighters")
    }

    @Test(arguments: [
        ("The blast killed 12 people on the bridge.", 12.0, nil as String?, "people" as String?),
        ("Some 6,000 residents fled the town.", 6000, "some", "residents"),
        ("Nearly 3.5 million voters stayed home.", 3_500_000, "nearly", "voters"),
        ("At least two soldiers were wounded.", 2, "at least", "soldiers"),
        ("Up to 40 boats sank.", 40, "up to", "boats"),
        ("Fewer than twenty-five delegates came.", 25, "fewer than", "delegates"),
        ("An estimated 1.2 million refugees crossed.", 1_200_000, "an estimated", "refugees"),
        ("Hundreds of protesters gathered outside.", 100, "hundreds", "protesters"),
        ("Dozens of houses burned down.", 12, "dozens", "houses"),
        ("Tens of thousands of workers went on strike.", 10_000, "tens of thousands", "workers"),
        ("A dozen journalists were detained.", 12, nil, "journalists"),
        ("Roughly three hundred families returned.", 300, "roughly", "families"),
        ("Two of the suspects escaped.", 2, nil, "suspects"),
        ("About 500 armed men attacked the post.", 500, "about", "armed men"),
    ])
    func counts(_ text: String, _ value: Double, _ qualifier: String?, _ object: String?) throws {
        let quantity = try #require(Self.only(text))
        #expect(quantity.value == value)
        #expect(quantity.qualifier == qualifier)
        #expect(quantity.object == object)
    }

    @Test(arguments: [
        ("The company raised $5bn from investors.", 5e9, "USD" as String?),
        ("The club paid £3.2m for the striker.", 3.2e6, "GBP"),
        ("The bank lent €700 million to the region.", 7e8, "EUR"),
        ("Inflation reached 40 per cent in the spring.", 40, "%"),
        ("Turnout fell to 40% nationwide.", 40, "%"),
        ("The road runs for 120 km through the hills.", 120, "km"),
        ("They walked 15 miles without water.", 15, "mi"),
        ("Police seized 250 kg of heroin.", 250, "kg"),
        ("The field produces 300,000 barrels per day of crude.", 300_000, "bbl/d"),
        ("Exports reached 2.5 million tonnes of wheat.", 2.5e6, "t"),
        ("The grant was 5 million dollars.", 5e6, "USD"),
        ("The fine was 200 million Pakistani rupees.", 2e8, "PKR"),
        ("They donated US$2.5 billion to the fund.", 2.5e9, "USD"),
        ("The tower is 300 metres tall.", 300, "m"),
        ("Support dropped 3 percentage points.", 3, "pp"),
    ])
    func moneyAndUnits(_ text: String, _ value: Double, _ unit: String?) throws {
        let quantity = try #require(Self.only(text))
        #expect(abs(quantity.value - value) < 1e-6 * value)
        #expect(quantity.unit == unit)
    }

    @Test func twoQuantitiesInOnePhrase() {
        let found = Self.quantities("Revenue rose 2% to $11.1bn in the quarter.")
        #expect(found.count == 2)
        #expect(found.first?.value == 2)
        #expect(found.first?.unit == "%")
        #expect(found.last.map { abs($0.value - 11.1e9) < 1 } == true)
        #expect(found.last?.unit == "USD")
    }

    @Test func percentOfAGroup() throws {
        let quantity = try #require(Self.only("Almost 60 per cent of voters backed the plan."))
        #expect(quantity.value == 60)
        #expect(quantity.qualifier == "almost")
        #expect(quantity.unit == "%")
        #expect(quantity.object == "voters")
    }

    @Test(arguments: [
        "The law was passed in 2021 after a long debate.",
        "He finished 15th in the race.",
        "The meeting starts at 10:30 on Friday.",
        "Call 555-0123 or 555 0199 for tickets.",
        "The attack took place on 15 August 2021.",
        "Flight 370 vanished over the ocean.",
        "The Boeing 737 was grounded.",
        "The 1990s were turbulent.",
        "One of them left early.",
        "They won 3-1 at home.",
        "Resolution 1325 was adopted without a vote.",
    ])
    func notQuantities(_ text: String) {
        #expect(Self.quantities(text).isEmpty, "\(text): \(Self.quantities(text))")
    }

    @Test(arguments: [
        ("About 20% of the region's output was lost.", 20.0, "region's output" as String?),
        ("Two of the council's members resigned.", 2, "council's members"),
        ("The firm ordered 70 Northwind A380 jets.", 70, "Northwind A380 jets"),
        ("The party has 14 Westbridge MPs.", 14, "Westbridge MPs"),
        ("WESTBRIDGE FIRE Three people were hurt.", 3, "people"),
        ("Sales were 24% higher than a year ago.", 24, nil),
        ("The building is 40 years old.", 40, nil),
        ("The £12bn left over goes to schools.", 12e9, nil),
        ("They lost six League and Cup games.", 6, nil),
        ("Nearly 2% of the country's was spent.", 2, nil),
        ("Another 18% came from abroad.", 18, nil),
    ])
    func countedObjects(_ text: String, _ value: Double, _ object: String?) throws {
        let quantity = try #require(Self.only(text))
        #expect(quantity.value == value)
        #expect(quantity.object == object, "\(text)")
    }

    @Test(arguments: [
        "She told Westbridge Radio Five Live about it.",
        "The rapper 42 Cent released an album.",
        "The office at 17 Harbor Street closed.",
        "Polls close at 2200 GMT tonight.",
        "The Westbridge Six were freed in 1991.",
    ])
    func numbersInNamesAreNotCounted(_ text: String) {
        #expect(Self.quantities(text).isEmpty, "\(text): \(Self.quantities(text))")
    }

    @Test func listMarkersAreNotCounted() {
        let found = Self.quantities("1. Ten ships left.\n\n2. The port closed.")
        #expect(found.map(\.value) == [10])
    }

    @Test func hostileInputsDoNotCrash() {
        let digits = String(repeating: "1234567890,", count: 10_000)
        #expect(Self.quantities(digits).isEmpty)
        #expect(Self.quantities("The index was 99999999999999999999999 today.").isEmpty)
        #expect(Self.quantities("It scored 1e400 points.").isEmpty)
        _ = Self.quantities("Mixed: 5 кг и 10 公里 and ٣٠ people, $ , %, 1,, 2.. 3,4567 million.")
        _ = Self.quantities("$ $ $ more than more than more than")
        _ = Self.quantities(String(repeating: "more than 5 ", count: 5_000))
    }
}
