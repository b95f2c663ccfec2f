import Analysis
import Articles
import Foundation

/// Scores geoparsing on a labelled file in the `geo-*.jsonl` schema of `../shared/data/README.md`.
///
/// Toponyms are scored by exact span (precision, recall, F1 over every mention the locator returns). Placement is
/// scored on the toponyms found: a found toponym whose gold has coordinates is right when the returned point lies
/// within 161 km (100 miles) of the gold point, the usual geoparsing threshold.
public enum GeoEvaluation {
    struct Record: Decodable {
        let id: String
        let text: String
        let toponyms: [Toponym]
    }

    struct Toponym: Decodable {
        let start: Int
        let end: Int
        let lat: Double?
        let lon: Double?
    }

    /// Scores `locate` on `file`.
    ///
    /// - Parameters:
    ///   - file: a JSON Lines file of records with `text` and `toponyms`.
    ///   - locate: the places found in one document, each with its mentions.
    /// - Returns: the span score overall, and `accuracy_161km`, `mean_error_km`, `median_error_km` with their counts.
    public static func run(file: String, locate: (Document) -> [LocationResult]) throws -> AnalysisEvaluationReport {
        let records = try LabelledFile.read(file, as: Record.self)
        let clock = ContinuousClock()
        let started = clock.now
        var score = Score()
        var errors: [Double] = []
        var within = 0
        for record in records {
            let document = Document(text: record.text)
            var predicted: [Mention: (Double, Double)] = [:]
            for location in locate(document) {
                for mention in location.mentions { predicted[mention] = (location.lat, location.lon) }
            }
            var matched = Set<Mention>()
            for toponym in record.toponyms {
                let span = Mention(start: toponym.start, end: toponym.end)
                guard let point = predicted[span], matched.insert(span).inserted else {
                    score.falseNegatives += 1
                    continue
                }
                score.truePositives += 1
                if let lat = toponym.lat, let lon = toponym.lon {
                    let error = Geocoder.kilometres(lat, lon, point.0, point.1)
                    errors.append(error)
                    if error <= 161 { within += 1 }
                }
            }
            score.falsePositives += predicted.count - matched.count
        }
        errors.sort()
        var metrics: [String: Double] = [:]
        if !errors.isEmpty {
            metrics["accuracy_161km"] = Double(within) / Double(errors.count)
            metrics["mean_error_km"] = errors.reduce(0, +) / Double(errors.count)
            metrics["median_error_km"] = errors[errors.count / 2]
        }
        let gold = score.truePositives + score.falseNegatives
        return AnalysisEvaluationReport(
            task: "geo", records: records.count, overall: score,
            metrics: metrics,
            counts: [
                "toponyms_gold": gold, "toponyms_found": score.truePositives,
                "found_with_gold_point": errors.count, "within_161km": within,
            ],
            seconds: (clock.now - started) / .seconds(1),
            scoring: "toponym spans by exact match; accuracy_161km over the found toponyms whose gold has a point")
    }

    /// Scores the gazetteer geocoder alone (no NER) on `file`.
    public static func run(file: String) throws -> AnalysisEvaluationReport {
        let geocoder = Geocoder()
        return try Self.run(file: file, locate: geocoder.locate)
    }
}
