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

    @Test("snapshot of the sample article: every field the analyst acts on")
    func seedArticleSnapshot() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.seedURL.path), "../shared/samples missing")
        let article = try ArticleDecoder.decode([UInt8](data))
        let result = Analyzer().analyze(article)
        #expect(result.coverage == "full")
        let scalars = Array(article.text.unicodeScalars)
        func text(_ start: Int, _ end: Int) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<end])
            return String(view)
        }

        // Entities, under one canonical name each, with the aliases the article uses.
        func entity(_ canonical: String) -> EntityResult? { result.entities.first { $0.canonical == canonical } }
        for name in ["Taliban", "ISIS", "Russia", "Pakistan", "Iran", "China", "Tehrik-e-Taliban Pakistan", "CIA",
                     "International Crisis Group"] {
            #expect(entity(name) != nil, "entity \(name) missing: \(result.entities.map(\.canonical))")
        }
        let isis = try #require(entity("ISIS"))
        let isisNames = Set([isis.name] + isis.aliases)
        for alias in ["Daesh", "Daesh-K", "IS-K", "ISIS-K"] {
            #expect(isisNames.contains(alias), "ISIS alias \(alias): \(isisNames)")
        }
        let ttp = try #require(entity("Tehrik-e-Taliban Pakistan"))
        #expect(Set([ttp.name] + ttp.aliases).contains("TTP"))
        // Every mention points at its own text in the original, repeats and all.
        for found in result.entities {
            for mention in found.mentions {
                let surface = text(mention.start, mention.end)
                #expect(([found.name] + found.aliases).contains(surface), "\(found.canonical): '\(surface)'")
            }
        }

        // Places on the map, in the right countries.
        let expected: [(String, String, Double, Double)] = [
            ("Kabul", "AF", 34.5, 69.2), ("Islamabad", "PK", 33.7, 73.0), ("Peshawar", "PK", 34.0, 71.6),
            ("Mashhad", "IR", 36.3, 59.6), ("Doha", "QA", 25.3, 51.5),
        ]
        for (name, country, lat, lon) in expected {
            let place = result.locations.first { $0.name == name }
            #expect(place?.countryCode == country, "\(name): \(String(describing: place))")
            if let place {
                #expect(abs(place.lat - lat) < 0.5 && abs(place.lon - lon) < 0.5, "\(name) at \(place.lat), \(place.lon)")
                #expect(place.geonameid > 0)
            }
        }

        // The two quotes, each with the speaker the article describes.
        let described = result.quotes.filter { $0.kind == "direct" && $0.speaker != nil }
        #expect(described.count >= 2, "\(result.quotes)")
        #expect(described.contains { $0.speaker == "a Pakistani expert associated with the Government of Pakistan" })
        for quote in result.quotes { #expect(text(quote.start, quote.end).contains(quote.text.prefix(20))) }

        // 6000 with its qualifier, and dates resolved against published_at (2023-09-14).
        let fighters = result.quantities.first { $0.value == 6000 }
        #expect(fighters?.qualifier == "more than")
        #expect(fighters?.object == "Daesh fighters")
        #expect(result.dates.contains { $0.text == "August 2021" && $0.resolved == "2021-08" })
        #expect(result.dates.contains { $0.text.hasPrefix("July") && $0.resolved == "2023-07" })

        #expect(result.themes.contains { $0.code == "medtop:16000000" }, "conflict, war and peace: \(result.themes)")
        #expect(try #require(result.tone).negative > 0)
        #expect(result.keyphrases.count >= 5)
        #expect(result.summary.count == 3)
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
