import Analysis
import Foundation

/// `wirewatch evaluate --task summary`: ROUGE-1, ROUGE-2 and ROUGE-L F of the summarizer against reference
/// summaries, beside the lead-3 baseline (the first three sentences) on the same records.
///
/// ROUGE is implemented here: Debian packages no ROUGE library, and no Swift one exists; the definitions are
/// short (Lin, 2004). Tokens are lowercase runs of letters and digits; ROUGE-N counts clipped n-gram matches;
/// ROUGE-L takes the longest common subsequence of the two whole token sequences (not the summary-level union
/// LCS of the original Perl script). Each F is averaged over records (macro), as ROUGE reports.
public enum SummaryEvaluation {
    struct Record: Decodable {
        let id: String?
        let text: String
        let summary: String
    }

    public static func run(file: String, summarize: (Document) -> [String]) throws -> AnalysisEvaluationReport {
        let started = Date()
        let records = try LabelledFile.read(file, as: Record.self)
        var ours = RougeTotals()
        var lead = RougeTotals()
        for record in records {
            let document = Document(text: record.text)
            let reference = Rouge.tokens(record.summary)
            ours.add(Rouge.scores(candidate: Rouge.tokens(summarize(document).joined(separator: " ")), reference: reference))
            let leadText = document.sentences.prefix(3).map { document.text($0.start, $0.end) }.joined(separator: " ")
            lead.add(Rouge.scores(candidate: Rouge.tokens(leadText), reference: reference))
        }
        var metrics: [String: Double] = [:]
        for (name, value) in ours.means { metrics[name] = value }
        for (name, value) in lead.means { metrics["lead3_" + name] = value }
        return AnalysisEvaluationReport(
            task: "summary", records: records.count, overall: Score(), metrics: metrics,
            counts: ["records": records.count], seconds: Date().timeIntervalSince(started),
            scoring: "ROUGE F (macro over records) against the reference summary; lead3_* is the first-three-sentences baseline; P/R/F1 rows unused")
    }
}

/// ROUGE-1/2/L precision, recall and F of one candidate against one reference.
enum Rouge {
    struct Scores {
        var rouge1: Double
        var rouge2: Double
        var rougeL: Double
    }

    /// Lowercase alphanumeric runs.
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    static func f(matches: Int, candidate: Int, reference: Int) -> Double {
        guard matches > 0, candidate > 0, reference > 0 else { return 0 }
        let precision = Double(matches) / Double(candidate)
        let recall = Double(matches) / Double(reference)
        return 2 * precision * recall / (precision + recall)
    }

    static func ngramF(_ candidate: [String], _ reference: [String], n: Int) -> Double {
        guard candidate.count >= n, reference.count >= n else { return 0 }
        var counts: [ArraySlice<String>: Int] = [:]
        for start in 0...(reference.count - n) { counts[reference[start..<start + n], default: 0] += 1 }
        var matches = 0
        for start in 0...(candidate.count - n) {
            let gram = candidate[start..<start + n]
            if let left = counts[gram], left > 0 {
                matches += 1
                counts[gram] = left - 1
            }
        }
        return Self.f(matches: matches, candidate: candidate.count - n + 1, reference: reference.count - n + 1)
    }

    static func lcsLength(_ a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    static func scores(candidate: [String], reference: [String]) -> Scores {
        Scores(
            rouge1: Self.ngramF(candidate, reference, n: 1), rouge2: Self.ngramF(candidate, reference, n: 2),
            rougeL: Self.f(matches: Self.lcsLength(candidate, reference), candidate: candidate.count, reference: reference.count))
    }
}

struct RougeTotals {
    var rouge1 = 0.0
    var rouge2 = 0.0
    var rougeL = 0.0
    var records = 0

    mutating func add(_ scores: Rouge.Scores) {
        self.rouge1 += scores.rouge1
        self.rouge2 += scores.rouge2
        self.rougeL += scores.rougeL
        self.records += 1
    }

    var means: [(String, Double)] {
        let n = Double(max(1, self.records))
        return [("rouge1_f", self.rouge1 / n), ("rouge2_f", self.rouge2 / n), ("rougeL_f", self.rougeL / n)]
    }
}
