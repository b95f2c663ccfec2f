import Articles
import Foundation
import Testing

@testable import Analysis

/// The shared sample article and the labelled news data, read at run time from `../shared` (never copied).
@Suite struct DateSampleAndQualityTests {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared")
        .standardized

    static func read(_ path: String) -> String? {
        try? String(contentsOf: Self.shared.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func sampleArticleQuantityAndDates() throws {
        guard let text = Self.read("samples/seed-article.txt") else {
            print("skipped: ../shared/samples/seed-article.txt is absent")
            return
        }
        // 2024-11-20T12:00:00Z
        let document = Document(text: text, publishedAt: Date(timeIntervalSince1970: 1_732_104_000))
        let dates = DateExtractor.shared.extract(document)
        let quantities = QuantityExtractor.shared.extract(document, excluding: dates)

        let fighters = try #require(quantities.first { $0.value == 6000 }, "\(quantities)")
        #expect(fighters.qualifier == "more than")
        #expect(fighters.object == "Daesh fighters")
        #expect(dates.contains { $0.text == "August 2021" && $0.resolved == "2021-08" })
        #expect(dates.contains { $0.text == "July of this year" && $0.resolved == "2024-07" })
        #expect(dates.contains { $0.text == "July this year" && $0.resolved == "2024-07" })
        #expect(dates.contains { $0.text.lowercased() == "the past two years" && $0.resolved == "2022-11-20/2024-11-20" })
        // No part of a date is also counted as an amount.
        for quantity in quantities {
            #expect(!dates.contains { $0.start < quantity.end && quantity.start < $0.end }, "\(quantity)")
        }
    }

    /// Prints recall of the DATE spans of the GUM news file (exact and overlapping); asserts only a floor far
    /// below the measured figure, so the number is reported, not tuned to.
    @Test func gumNewsDateRecall() throws {
        guard let lines = Self.read("data/ner-gum-news.jsonl") else {
            print("skipped: ../shared/data/ner-gum-news.jsonl is absent")
            return
        }
        struct Entity: Decodable {
            let start: Int
            let end: Int
            let label: String
            let nested: Bool?
        }
        struct Record: Decodable {
            let text: String
            let date: String?
            let entities: [Entity]
        }
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withFullDate]
        var gold = 0
        var exact = 0
        var overlap = 0
        var predicted = 0
        var predictedOverlapping = 0
        for line in lines.split(separator: "\n") where !line.isEmpty {
            let record = try JSONDecoder().decode(Record.self, from: Data(line.utf8))
            let document = Document(text: record.text, publishedAt: record.date.flatMap { parser.date(from: $0) })
            let found = DateExtractor.shared.extract(document)
            let spans = record.entities.filter { $0.label == "DATE" && $0.nested != true }
            gold += spans.count
            for span in spans {
                if found.contains(where: { $0.start == span.start && $0.end == span.end }) { exact += 1 }
                if found.contains(where: { $0.start < span.end && span.start < $0.end }) { overlap += 1 }
            }
            predicted += found.count
            predictedOverlapping += found.filter { date in spans.contains { date.start < $0.end && $0.start < date.end } }.count
        }
        let exactRecall = Double(exact) / Double(max(gold, 1))
        let overlapRecall = Double(overlap) / Double(max(gold, 1))
        print(
            "GUM news DATE spans: gold \(gold), exact \(exact) (recall \(exactRecall)), overlapping \(overlap) "
                + "(recall \(overlapRecall)); predicted \(predicted), \(predictedOverlapping) overlapping a gold span")
        #expect(overlapRecall > 0.5)
    }
}
