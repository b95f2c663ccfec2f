import Analysis
import Foundation

/// Scores the entity stage on labelled JSON Lines (the schema of shared/data/ner-gum-news.jsonl and
/// ner-gmb-train.jsonl): exact span and type over PER, ORG and LOC, with GPE folded into LOC on both sides,
/// as shared/peer/ner_f1.py scores spaCy. NORP, MISC and DATE are not scored.
public enum NEREvaluation {
    struct Record: Decodable {
        struct Entity: Decodable {
            let start: Int
            let end: Int
            let label: String
            let nested: Bool?
        }
        let text: String
        let title: String?
        let entities: [Entity]
    }

    struct Span: Hashable {
        let start: Int
        let end: Int
        let label: String
    }

    static func scored(_ label: String) -> String? {
        switch label {
        case "PER": "PER"
        case "ORG": "ORG"
        case "LOC", "GPE": "LOC"
        default: nil
        }
    }

    /// - Parameters:
    ///   - file: the labelled file.
    ///   - recognizer: the entity stage to score; the shipped one by default.
    ///   - progress: called after each record with (done, total).
    public static func run(
        file: String, recognizer: EntityRecognizer = .shared, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> AnalysisEvaluationReport {
        let records = try LabelledFile.read(file, as: Record.self)
        // The words-per-second figure is the tagger's, not the first record's wait for the gazetteer and models.
        Analyzer.warmUp()
        let analyzer = Analyzer()
        let started = Date()
        var overall = Score()
        var flat = Score()
        var byLabel: [String: Score] = [:]
        var words = 0
        var nested = 0
        var goldCount = 0
        var spent = 0.0
        for (index, record) in records.enumerated() {
            let document = Document(text: record.text)
            let clock = Date()
            // Typed as the daemon reports them: a place name placed nowhere is MISC there.
            let entities = analyzer.entitiesAndPlaces(
                in: document, title: record.title, recognizer: recognizer
            ).reported
            spent += Date().timeIntervalSince(clock)
            words += document.wordCount
            var predicted = Set<Span>()
            for entity in entities {
                guard let label = Self.scored(entity.type) else { continue }
                for mention in entity.mentions { predicted.insert(Span(start: mention.start, end: mention.end, label: label)) }
            }
            var gold = Set<Span>()
            var goldFlat = Set<Span>()
            for entity in record.entities {
                guard let label = Self.scored(entity.label) else { continue }
                let span = Span(start: entity.start, end: entity.end, label: label)
                gold.insert(span)
                if entity.nested == true { nested += 1 } else { goldFlat.insert(span) }
            }
            goldCount += gold.count
            func score(_ gold: Set<Span>, _ predicted: Set<Span>) -> Score {
                Score(
                    truePositives: gold.intersection(predicted).count, falsePositives: predicted.subtracting(gold).count,
                    falseNegatives: gold.subtracting(predicted).count)
            }
            overall.add(score(gold, predicted))
            flat.add(score(goldFlat, predicted))
            for label in ["PER", "ORG", "LOC"] {
                byLabel[label, default: Score()].add(
                    score(gold.filter { $0.label == label }, predicted.filter { $0.label == label }))
            }
            progress(index + 1, records.count)
        }
        return AnalysisEvaluationReport(
            task: "ner", records: records.count, overall: overall, byLabel: byLabel,
            metrics: [
                "flat_precision": flat.precision, "flat_recall": flat.recall, "flat_f1": flat.f1,
                "microseconds_per_1000_words": words == 0 ? 0 : spent * 1e9 / Double(words),
            ],
            counts: ["gold_entities": goldCount, "gold_nested_scored": nested, "words": words],
            seconds: Date().timeIntervalSince(started),
            scoring: "exact span and type over PER/ORG/LOC, GPE folded into LOC (as shared/peer/ner_f1.py); "
                + "flat_* drops gold entities marked nested")
    }
}
