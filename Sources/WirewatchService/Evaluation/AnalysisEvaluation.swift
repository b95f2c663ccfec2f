import Foundation

/// Precision, recall and F1 from counts.
public struct Score: Codable, Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
    }

    public var precision: Double {
        self.truePositives + self.falsePositives == 0 ? 0 : Double(self.truePositives) / Double(self.truePositives + self.falsePositives)
    }
    public var recall: Double {
        self.truePositives + self.falseNegatives == 0 ? 0 : Double(self.truePositives) / Double(self.truePositives + self.falseNegatives)
    }
    public var f1: Double {
        let p = self.precision
        let r = self.recall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    public mutating func add(_ other: Score) {
        self.truePositives += other.truePositives
        self.falsePositives += other.falsePositives
        self.falseNegatives += other.falseNegatives
    }

    enum CodingKeys: String, CodingKey {
        case truePositives = "tp"
        case falsePositives = "fp"
        case falseNegatives = "fn"
        case precision, recall, f1
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.truePositives = try container.decode(Int.self, forKey: .truePositives)
        self.falsePositives = try container.decode(Int.self, forKey: .falsePositives)
        self.falseNegatives = try container.decode(Int.self, forKey: .falseNegatives)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.truePositives, forKey: .truePositives)
        try container.encode(self.falsePositives, forKey: .falsePositives)
        try container.encode(self.falseNegatives, forKey: .falseNegatives)
        try container.encode(self.precision, forKey: .precision)
        try container.encode(self.recall, forKey: .recall)
        try container.encode(self.f1, forKey: .f1)
    }
}

/// What `wirewatch evaluate --task ner|geo|quotes|summary` reports: one overall score, scores per label, and
/// task-specific figures (accuracy within 161 km, ROUGE, a baseline's score) with the counts behind them.
public struct AnalysisEvaluationReport: Codable, Sendable {
    public var task: String
    public var records: Int
    public var overall: Score
    public var byLabel: [String: Score]
    /// Named figures, e.g. "accuracy_161km", "rouge1_f", "lead3_rouge1_f".
    public var metrics: [String: Double]
    /// Named counts, e.g. "toponyms_gold", "resolved".
    public var counts: [String: Int]
    public var seconds: Double
    /// What the overall score measures, in one line, for the text report.
    public var scoring: String

    public init(
        task: String, records: Int, overall: Score, byLabel: [String: Score] = [:], metrics: [String: Double] = [:],
        counts: [String: Int] = [:], seconds: Double = 0, scoring: String
    ) {
        self.task = task
        self.records = records
        self.overall = overall
        self.byLabel = byLabel
        self.metrics = metrics
        self.counts = counts
        self.seconds = seconds
        self.scoring = scoring
    }

    enum CodingKeys: String, CodingKey {
        case task, records, overall, metrics, counts, seconds, scoring
        case byLabel = "by_label"
    }

    /// The human-readable report.
    public func text(file: String) -> String {
        var lines = ["\(self.task) on \(file): \(self.records) records in \(String(format: "%.2f", self.seconds)) s",
                     "scoring: \(self.scoring)"]
        func row(_ name: String, _ score: Score) -> String {
            name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "P %.4f  R %.4f  F1 %.4f  ", score.precision, score.recall, score.f1)
                + "(tp \(score.truePositives), fp \(score.falsePositives), fn \(score.falseNegatives))"
        }
        lines.append(row("overall", self.overall))
        for label in self.byLabel.keys.sorted() {
            lines.append(row(label, self.byLabel[label]!))
        }
        // Names are padded to the longest one: a fixed width cut "microseconds_per_1000_words" short and ran its
        // value into it.
        let width = (self.metrics.keys.map(\.count) + self.counts.keys.map(\.count)).reduce(22, max) + 2
        for name in self.metrics.keys.sorted() {
            lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "%.4f", self.metrics[name]!))
        }
        for name in self.counts.keys.sorted() {
            lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + "\(self.counts[name]!)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Reads a labelled JSON Lines file into `Record`s, naming the line of any that does not decode.
public enum LabelledFile {
    public static func read<Record: Decodable>(_ path: String, as type: Record.Type) throws -> [Record] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EvaluationInputError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        var records: [Record] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do {
                records.append(try decoder.decode(Record.self, from: Data(line)))
            } catch {
                throw EvaluationInputError(description: "\(path):\(lineNumber): not a labelled record: \(error)")
            }
        }
        return records
    }
}

public struct EvaluationInputError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
