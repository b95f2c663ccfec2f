import Foundation
import Testing

@testable import Analysis

/// CLD2 judges a long text on a sample: these check that the sample is well formed and that it names the language
/// the whole text would, on the labelled news data read at run time from `../shared/data`.
@Suite struct LanguageDetectorTests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data").standardized

    static let english = """
        The government announced a new pension reform on Tuesday, which has already drawn sharp criticism from \
        the unions and the opposition. Ministers said the changes were needed to keep the system solvent.
        """
    static let french = """
        Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui suscite déjà de vives critiques \
        parmi les syndicats et l'opposition. Les ministres affirment que ces changements sont nécessaires.
        """

    @Test("a short text is given whole; a long one as windows cut at white space, from its start to its end")
    func sampleShape() throws {
        let short = Array(Self.english.utf8)
        #expect(LanguageDetector.sample(short) == short)

        let long = Array(([String](repeating: Self.french, count: 12)).joined(separator: "\n").utf8)
        let sample = LanguageDetector.sample(long)
        #expect(sample.count <= LanguageDetector.sampleBytes + LanguageDetector.sampleWindows)
        #expect(sample.count >= LanguageDetector.sampleBytes * 3 / 4)
        // Valid UTF-8 (no é split), first bytes the text's first, last bytes its last.
        #expect(String(validating: sample, as: UTF8.self) != nil)
        #expect(sample.prefix(20).elementsEqual(long.prefix(20)))
        #expect(sample.suffix(20).elementsEqual(long.suffix(20)))
        let words = Set(Self.french.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let sampledWords = String(decoding: sample, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        #expect(sampledWords.allSatisfy { words.contains(String($0)) }, "a word was cut")

        // A script written without spaces is cut between UTF-8 sequences.
        let chinese = Array(String(repeating: "中华人民共和国国务院总理今天宣布了新的经济政策", count: 40).utf8)
        #expect(String(validating: LanguageDetector.sample(chinese), as: UTF8.self) != nil)
        #expect(LanguageDetector.detect(String(decoding: chinese, as: UTF8.self), hint: nil).code.hasPrefix("zh"))
    }

    @Test("a long text half in another language is seen as mixed, sampled or whole")
    func mixedText() {
        let text = ([String](repeating: Self.english, count: 10) + [String](repeating: Self.french, count: 10))
            .joined(separator: "\n")
        let whole = LanguageDetector.detectWhole(utf8: Array(text.utf8), hint: nil)
        let sampled = LanguageDetector.detect(text, hint: nil)
        #expect(whole.confidence < 0.7)
        #expect(sampled.confidence < 0.7, "\(sampled) against the whole text's \(whole)")
    }

    @Test("a control character does not cost a text its language")
    func controlCharacters() {
        for control in ["\u{1B}", "\u{83}", "\u{7F}", "\u{0}"] {
            let text = Self.english + control + Self.english
            #expect(LanguageDetector.detect(text, hint: nil).code == "en", "with \(control.unicodeScalars.first!.value)")
        }
    }

    /// Every article of the English news files: the sample's language is the whole text's, and as reliable.
    @Test func sampleAgreesWithTheWholeText() throws {
        var compared = 0
        var sampledLong = 0
        var fellBack = 0
        var disagreements: [String] = []
        for file in ["bbc-news.jsonl", "lee-news.jsonl", "geo-trnews.jsonl", "geo-geovirus.jsonl", "quotes-polnear-dev.jsonl"] {
            guard let lines = try? String(contentsOf: Self.data.appendingPathComponent(file), encoding: .utf8) else {
                print("skipped: ../shared/data/\(file) is absent")
                continue
            }
            for line in lines.split(separator: "\n") {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let text = object["text"] as? String
                else { continue }
                let utf8 = Array(text.utf8)
                if utf8.count > LanguageDetector.sampleBytes {
                    sampledLong += 1
                    let sampled = LanguageDetector.detectWhole(utf8: LanguageDetector.sample(utf8), hint: nil)
                    if !sampled.reliable || sampled.confidence < LanguageDetector.trustedSampleShare { fellBack += 1 }
                }
                let whole = LanguageDetector.detectWhole(utf8: utf8, hint: nil)
                let sampled = LanguageDetector.detect(text, hint: nil)
                compared += 1
                if whole.code != sampled.code || whole.reliable != sampled.reliable {
                    disagreements.append("\(file) \(object["id"] ?? "?"): whole \(whole), sampled \(sampled)")
                }
            }
        }
        print("language: \(compared) texts, \(sampledLong) sampled (\(fellBack) of them then whole), \(disagreements.count) disagree")
        for line in disagreements.prefix(10) { print("  \(line)") }
        #expect(disagreements.count * 1000 <= compared, "more than 1 in 1,000 texts change language or reliability")
    }
}
