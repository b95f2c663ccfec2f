import Analysis
import Articles
import Foundation
import Testing

@Suite("Analysis at the end-to-end stage: language and text statistics")
struct AnalyzerTests {
    static var seedURL: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/samples/seed-article.json")
    }

    @Test("the sample article is English, reliably, with its 9 repeated paragraphs removed")
    func seedArticle() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.seedURL.path), "../shared/samples missing")
        let article = try ArticleDecoder.decode([UInt8](data))
        let result = Analyzer().analyze(article)
        #expect(result.language.code == "en")
        #expect(result.language.reliable)
        #expect(result.language.confidence > 0.9)
        #expect(result.text.repeatedParagraphsRemoved == 9)
        #expect(result.text.paragraphs == 10)
        #expect(result.text.words > 700 && result.text.words < 1500)
        #expect(result.text.sentences > 20)
    }

    @Test("CLD2 names other languages", arguments: [
        ("fr", "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui suscite déjà de vives critiques parmi les syndicats et l'opposition."),
        ("de", "Die Bundesregierung hat am Dienstag eine neue Reform angekündigt, die bereits heftige Kritik bei Gewerkschaften und Opposition auslöst."),
        ("es", "El gobierno anunció el martes una nueva reforma de las pensiones, que ya suscita fuertes críticas entre los sindicatos y la oposición."),
        ("ar", "أعلنت الحكومة يوم الثلاثاء عن إصلاح جديد لنظام التقاعد، وهو ما أثار بالفعل انتقادات حادة من النقابات والمعارضة."),
        ("ru", "Правительство во вторник объявило о новой пенсионной реформе, которая уже вызвала резкую критику со стороны профсоюзов и оппозиции."),
    ])
    func languages(code: String, text: String) {
        #expect(LanguageDetector.detect(text, hint: nil).code == code)
    }

    @Test("a few words are marked unreliable; nothing at all is undetermined")
    func shortText() {
        #expect(LanguageDetector.detect("OK", hint: nil).reliable == false)
        #expect(LanguageDetector.detect("", hint: nil).code == "und")
    }

    @Test("sentence counting skips abbreviations and initials")
    func sentences() throws {
        let text = "Dr. Smith met Mr. Khan in the U.S. capital on Monday. They spoke for an hour! Was it useful? Yes"
        let article = try ArticleDecoder.decode(Array("{\"text\":\(String(reflecting: text))}".utf8))
        let result = Analyzer().analyze(article)
        #expect(result.text.sentences == 4)
        #expect(result.text.words == 20)
    }
}
