import Articles
import Dedup
import Foundation

/// Scores the dedup engine on a labelled JSON Lines file (the schema of `dedup-dev.jsonl`): each record is an
/// article plus `dup_of` (the original's id or null), `kind` (`unique`, `exact`, `near`, `update`) and optionally
/// `hard_negative_of`. Records are fed in file order, as the daemon would see them.
///
/// A duplicate is found when the engine says it is not unique and names its original (`of`). Precision counts
/// every non-unique verdict; recall counts every labelled copy. Per kind, recall is over the labelled kind and
/// precision over the verdicts of that status; `near+update` pools the two, as an update is a near copy that
/// adds content.
public struct DedupEvaluation: Sendable {
    public struct Score: Codable, Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var truePositives: Int
        public var falsePositives: Int
        public var falseNegatives: Int

        init(tp: Int, fp: Int, fn: Int) {
            self.truePositives = tp
            self.falsePositives = fp
            self.falseNegatives = fn
            self.precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 1
            self.recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 1
            self.f1 = self.precision + self.recall > 0 ? 2 * self.precision * self.recall / (self.precision + self.recall) : 0
        }

        enum CodingKeys: String, CodingKey {
            case precision, recall, f1
            case truePositives = "tp"
            case falsePositives = "fp"
            case falseNegatives = "fn"
        }
    }

    public struct Report: Codable, Sendable {
        public var task = "dedup"
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var byKind: [String: Score]
        public var counts: [String: Int]
        /// Labelled copies the engine missed or attributed wrongly, for inspection.
        public var misses: [String]
        public var falseAlarms: [String]

        enum CodingKeys: String, CodingKey {
            case task, precision, recall, f1, counts, misses
            case byKind = "by_kind"
            case falseAlarms = "false_alarms"
        }
    }

    public struct InputError: Error, CustomStringConvertible {
        public let description: String
    }

    let settings: NearDedupSettings

    public init(settings: NearDedupSettings = NearDedupSettings()) {
        self.settings = settings
    }

    public func run(_ items: [ArticleFiles.Item], progress: (Int, Int) -> Void = { _, _ in }) throws -> Report {
        var engine = DedupEngine(settings: self.settings)
        let processor = ArticleProcessor(limits: .default)
        var counts: [String: Int] = [:]
        // (gold kind or "unique", predicted status, correct attribution)
        var outcomes: [(gold: String, predicted: String, correct: Bool)] = []
        var misses: [String] = []
        var falseAlarms: [String] = []
        var hardNegativesFlagged = 0
        let clock = Date(timeIntervalSince1970: 0)
        for (index, item) in items.enumerated() {
            guard case .object(let record)? = try? JSONDecoder().decode(JSONValue.self, from: Data(item.payload)) else {
                throw InputError(description: "\(item.location): not a JSON object")
            }
            guard case .string(let kind)? = record["kind"] else {
                throw InputError(description: "\(item.location): no \"kind\" label (unique, exact, near or update)")
            }
            var goldOf: String? = nil
            if case .string(let of)? = record["dup_of"] { goldOf = of }
            var isHardNegative = false
            if case .string? = record["hard_negative_of"] { isHardNegative = true }
            let admitted: ArticleProcessor.Admitted
            do {
                // Records arrive in order; spacing them a second apart keeps the window's clock moving.
                admitted = try processor.admit(
                    item.payload, receivedAt: clock.addingTimeInterval(Double(index)), dedup: &engine
                )
            } catch {
                throw InputError(description: "\(item.location): \(error.code): \(error.reason)")
            }
            let verdict = admitted.verdict.info
            let predictedDuplicate = verdict.status != .unique
            let correct = predictedDuplicate && goldOf != nil && verdict.of == goldOf
            counts["records", default: 0] += 1
            counts["gold_\(kind)", default: 0] += 1
            counts["predicted_\(verdict.status.rawValue)", default: 0] += 1
            if isHardNegative {
                counts["hard_negatives", default: 0] += 1
                if predictedDuplicate { hardNegativesFlagged += 1 }
            }
            if predictedDuplicate && goldOf != nil && verdict.status.rawValue == kind {
                counts["kind_agreement", default: 0] += 1
            }
            let id = admitted.article.id
            if goldOf != nil && !correct {
                misses.append("\(id) (\(kind) of \(goldOf!)): \(verdict.status.rawValue) of \(verdict.of ?? "-")")
            } else if predictedDuplicate && !correct {
                falseAlarms.append("\(id) (\(kind)): \(verdict.status.rawValue) of \(verdict.of ?? "-") similarity \(verdict.similarity ?? 0)")
            }
            outcomes.append((goldOf == nil ? "unique" : kind, predictedDuplicate ? verdict.status.rawValue : "unique", correct))
            progress(index + 1, items.count)
        }
        counts["hard_negatives_flagged"] = hardNegativesFlagged
        func score(gold: Set<String>, predicted: Set<String>) -> Score {
            let tp = outcomes.count { gold.contains($0.gold) && $0.correct }
            let fn = outcomes.count { gold.contains($0.gold) && !$0.correct }
            let fp = outcomes.count { predicted.contains($0.predicted) && !$0.correct }
            return Score(tp: tp, fp: fp, fn: fn)
        }
        let all: Set<String> = ["exact", "near", "update"]
        let overall = score(gold: all, predicted: all)
        var byKind: [String: Score] = [:]
        for kind in all { byKind[kind] = score(gold: [kind], predicted: [kind]) }
        byKind["near+update"] = score(gold: ["near", "update"], predicted: ["near", "update"])
        return Report(
            precision: overall.precision, recall: overall.recall, f1: overall.f1, byKind: byKind, counts: counts,
            misses: misses, falseAlarms: falseAlarms
        )
    }
}
