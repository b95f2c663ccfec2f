import Foundation
import Testing
import TestSupport

/// `wirewatch evaluate` as a user runs it: the built binary on a labelled file, in both output formats, and on files
/// it must refuse. The texts are made up here; the quality figures on ../shared/data are the analysis suites'.
@Suite("wirewatch evaluate")
struct EvaluateCommandTests {
    /// Two records: seven scored gold names (GPE folds into LOC; one is nested, which flat scoring drops) and a DATE.
    static let labelled = """
        {"text":"Angela Merkel met Emmanuel Macron in Paris on Monday.","entities":[{"start":0,"end":13,"label":"PER"},{"start":18,"end":33,"label":"PER"},{"start":37,"end":42,"label":"GPE"},{"start":46,"end":52,"label":"DATE"}]}
        {"text":"The Bank of England raised rates, said Andrew Bailey in London.","entities":[{"start":4,"end":19,"label":"ORG"},{"start":12,"end":19,"label":"LOC","nested":true},{"start":39,"end":52,"label":"PER"},{"start":56,"end":62,"label":"LOC"}]}

        """

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-\(UUID().uuidString).jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    struct Report: Decodable {
        struct Score: Decodable {
            let tp: Int
            let fp: Int
            let fn: Int
            let precision: Double
            let recall: Double
            let f1: Double
        }
        let task: String
        let records: Int
        let overall: Score
        let by_label: [String: Score]
        let metrics: [String: Double]
        let counts: [String: Int]
    }

    @Test("--task ner: the JSON counts every scored gold name once, and the text report shows the same figures")
    func nerReport() throws {
        let path = try self.write(Self.labelled)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try runCLI(["evaluate", "--task", "ner", path, "--format", "json"], timeout: 120)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(json.stdout.utf8))
        #expect(report.task == "ner" && report.records == 2)
        // Seven PER/ORG/LOC/GPE spans; the DATE is not scored.
        #expect(report.counts["gold_entities"] == 7 && report.counts["gold_nested_scored"] == 1)
        #expect(report.overall.tp + report.overall.fn == 7)
        let perLabel = report.by_label.values.reduce(0) { $0 + $1.tp + $1.fn }
        #expect(perLabel == 7, "the labels' gold counts add up to the overall one")
        #expect(report.overall.tp > 0, "the tagger finds some of these plain names")
        let precision = Double(report.overall.tp) / Double(report.overall.tp + report.overall.fp)
        #expect(abs(report.overall.precision - precision) < 1e-9)

        let text = try runCLI(["evaluate", "--task", "ner", path], timeout: 120)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let overall = try #require(lines.first { $0.hasPrefix("overall ") })
        #expect(overall.contains("(tp \(report.overall.tp), fp \(report.overall.fp), fn \(report.overall.fn))"))
        // Every metric and count is its full name, a gap, and the JSON's value: a long name must not run into it.
        for (name, value) in report.metrics {
            let line = try #require(lines.first { $0.hasPrefix(name + " ") }, "\(name) is missing from the text")
            let shown = try #require(Double(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)), "\(line)")
            // A timing differs between the two runs; every other figure is the same computation.
            if name.hasPrefix("microseconds") {
                #expect(shown > 0 && value > 0, "\(name): text \(shown), JSON \(value)")
            } else {
                #expect(abs(shown - value) < 1e-4, "\(name): text \(shown), JSON \(value)")
            }
        }
        for (name, value) in report.counts {
            #expect(lines.contains { $0.hasPrefix(name + " ") && $0.hasSuffix(" \(value)") }, "\(name) \(value)")
        }
    }

    @Test("A record that is not labelled JSON is refused with its file and line; nothing is scored")
    func malformedLine() throws {
        let path = try self.write(Self.labelled + "{\"text\": 5, \"entities\": []}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try runCLI(["evaluate", "--task", "ner", path, "--format", "json"], timeout: 120)
        #expect(run.status != 0)
        #expect(run.stderr.contains("\(path):3:"), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "no partial report: \(run.stdout)")
    }

    @Test("A missing file and an unknown task are named, with a non-zero exit")
    func refusedArguments() throws {
        let missing = try runCLI(["evaluate", "--task", "ner", "/nonexistent/labelled.jsonl"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/labelled.jsonl"), "\(missing.stderr)")
        let path = try self.write(Self.labelled)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let unknown = try runCLI(["evaluate", "--task", "sentiment", path])
        #expect(unknown.status != 0 && unknown.stderr.contains("sentiment"), "\(unknown.stderr)")
    }
}
