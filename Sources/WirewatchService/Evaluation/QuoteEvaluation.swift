import Analysis
import Articles
import Foundation

/// Scores quote extraction on attribution data in the `quotes-*.jsonl` schema of `../shared/data/README.md`.
///
/// Speaker metric: each predicted quote is paired with the gold attribution whose content overlaps it most
/// (fragment by fragment). A gold attribution with a source is found (tp) when a quote paired with it names
/// the source: **exact** when the speaker span equals the source span after trimming surrounding spaces and
/// punctuation, **lenient** when the two spans overlap. A predicted speaker that is not correct is a false
/// positive (no pairing, a gold without a source, or another span); further quotes paired with an already found
/// attribution and naming the same speaker are its other fragments and count neither way
/// (`duplicate_fragments`). Gold attributions with a source and no correct quote are false negatives.
/// "direct" is gold with quotation marks in its content, "indirect" the rest; an unpaired prediction goes by its
/// own kind. Content detection: a predicted quote is detected when it overlaps some gold content; a gold content
/// is detected when some predicted quote overlaps it.
public enum QuoteEvaluation {
    struct Span: Decodable {
        let start: Int
        let end: Int
        let fragments: [[Int]]?

        var pieces: [Range<Int>] {
            guard let fragments, !fragments.isEmpty else { return [self.start..<self.end] }
            return fragments.compactMap { $0.count == 2 && $0[0] <= $0[1] ? $0[0]..<$0[1] : nil }
        }
    }

    struct Attribution: Decodable {
        let content: Span?
        let source: Span?
        let hasQuoteMarks: Bool

        enum CodingKeys: String, CodingKey {
            case content, source
            case hasQuoteMarks = "has_quote_marks"
        }
    }

    struct Record: Decodable {
        let text: String
        let quotes: [Attribution]
    }

    static let scoring = "quote speaker span: predicted quote paired with the gold attribution its content overlaps "
        + "most; correct when the speaker span equals the gold source span (trimmed of spaces and punctuation); "
        + "by_label direct = gold in quotation marks, indirect = the rest; dir/ind/all_lenient = speaker span overlaps "
        + "source; content_p/r = quote content overlaps gold content"

    public static func run(file: String, extract: (Document) -> [QuoteResult]) throws -> AnalysisEvaluationReport {
        let records = try LabelledFile.read(file, as: Record.self)
        let clock = ContinuousClock.now
        var exact: [String: Score] = [:]
        var lenient: [String: Score] = [:]
        var counts: [String: Int] = [:]
        var detection: [String: (predicted: Int, predictedHit: Int, gold: Int, goldHit: Int)] = [:]
        for record in records {
            let document = Document(text: record.text)
            let scalars = document.scalars
            let predicted = extract(document)
            var pairedGold: [Int?] = []
            var goldHit = [Bool](repeating: false, count: record.quotes.count)
            for quote in predicted {
                var best: Int? = nil
                var bestOverlap = 0
                for (index, gold) in record.quotes.enumerated() {
                    let overlap = (gold.content?.pieces ?? []).reduce(0) { $0 + Self.overlap($1, quote.start..<quote.end) }
                    if overlap > 0 { goldHit[index] = true }
                    if overlap > bestOverlap {
                        bestOverlap = overlap
                        best = index
                    }
                }
                pairedGold.append(best)
                let label = best.map { record.quotes[$0].hasQuoteMarks ? "direct" : "indirect" } ?? quote.kind
                for key in ["overall", label] {
                    detection[key, default: (0, 0, 0, 0)].predicted += 1
                    if best != nil { detection[key, default: (0, 0, 0, 0)].predictedHit += 1 }
                }
            }
            for (index, gold) in record.quotes.enumerated() {
                for key in ["overall", gold.hasQuoteMarks ? "direct" : "indirect"] {
                    detection[key, default: (0, 0, 0, 0)].gold += 1
                    if goldHit[index] { detection[key, default: (0, 0, 0, 0)].goldHit += 1 }
                }
            }
            for isLenient in [false, true] {
                var found = [Bool](repeating: false, count: record.quotes.count)
                var scores: [String: Score] = [:]
                for (quote, paired) in zip(predicted, pairedGold) {
                    guard let speakerStart = quote.speakerStart, let speakerEnd = quote.speakerEnd else { continue }
                    let label = paired.map { record.quotes[$0].hasQuoteMarks ? "direct" : "indirect" } ?? quote.kind
                    var correct = false
                    if let paired, let source = record.quotes[paired].source {
                        let predictedSpan = Self.trimmed(speakerStart..<speakerEnd, scalars)
                        correct = source.pieces.contains { piece in
                            let goldSpan = Self.trimmed(piece, scalars)
                            return isLenient ? Self.overlap(goldSpan, predictedSpan) > 0 : goldSpan == predictedSpan
                        }
                    }
                    if correct {
                        if found[paired!] {
                            if !isLenient { counts["duplicate_fragments", default: 0] += 1 }
                        } else {
                            found[paired!] = true
                            scores[label, default: Score()].truePositives += 1
                        }
                    } else {
                        scores[label, default: Score()].falsePositives += 1
                    }
                }
                for (index, gold) in record.quotes.enumerated() where gold.source != nil && !found[index] {
                    scores[gold.hasQuoteMarks ? "direct" : "indirect", default: Score()].falseNegatives += 1
                }
                for (label, score) in scores {
                    if isLenient {
                        lenient[label, default: Score()].add(score)
                    } else {
                        exact[label, default: Score()].add(score)
                    }
                }
            }
            counts["gold_attributions", default: 0] += record.quotes.count
            counts["gold_with_source", default: 0] += record.quotes.filter { $0.source != nil }.count
            counts["predicted_quotes", default: 0] += predicted.count
            counts["predicted_with_speaker", default: 0] += predicted.filter { $0.speakerStart != nil }.count
        }
        var overall = Score()
        var overallLenient = Score()
        var byLabel: [String: Score] = [:]
        for (label, score) in exact {
            overall.add(score)
            byLabel[label] = score
        }
        for (label, score) in lenient {
            overallLenient.add(score)
            byLabel[(label == "direct" ? "dir" : "ind") + "_lenient"] = score
        }
        byLabel["all_lenient"] = overallLenient
        var metrics: [String: Double] = [:]
        for (key, value) in detection {
            metrics["content_p_" + key] = value.predicted == 0 ? 0 : Double(value.predictedHit) / Double(value.predicted)
            metrics["content_r_" + key] = value.gold == 0 ? 0 : Double(value.goldHit) / Double(value.gold)
        }
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return AnalysisEvaluationReport(
            task: "quotes", records: records.count, overall: overall, byLabel: byLabel, metrics: metrics,
            counts: counts, seconds: seconds, scoring: Self.scoring)
    }

    static func overlap(_ a: Range<Int>, _ b: Range<Int>) -> Int {
        max(0, min(a.upperBound, b.upperBound) - max(a.lowerBound, b.lowerBound))
    }

    /// The span without surrounding whitespace and punctuation ("Htay Oo, its acting chairman," → "…chairman").
    static func trimmed(_ span: Range<Int>, _ scalars: [Unicode.Scalar]) -> Range<Int> {
        var start = max(0, span.lowerBound)
        var end = min(span.upperBound, scalars.count)
        func isEdge(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isWhitespace || (!scalar.properties.isAlphabetic && scalar.properties.numericType == nil)
        }
        while start < end && isEdge(scalars[start]) { start += 1 }
        while end > start && isEdge(scalars[end - 1]) { end -= 1 }
        return start..<end
    }
}
