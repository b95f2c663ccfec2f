import Articles
import Foundation

/// The analysis of one article: a pure function of its text, run in parallel on every core.
///
/// Every stage reads one `Document` (tokens and sentences with scalar offsets into the text as received), built
/// once per article from the paragraphs left after removing the repeats a broken scraper adds.
public struct Analyzer: Sendable {
    public init() {}

    /// The text an article is analyzed on: its paragraphs with repeats removed.
    public struct PreparedText: Sendable {
        public let paragraphs: [TextNormalizer.Paragraph]
        public let repeatedParagraphsRemoved: Int
    }

    public func prepare(_ text: String) -> PreparedText {
        let (kept, removed) = TextNormalizer.removeRepeatedParagraphs(TextNormalizer.paragraphs(text))
        return PreparedText(paragraphs: kept, repeatedParagraphsRemoved: removed)
    }

    /// Loads every model and lexicon now rather than on the first article, so a missing or broken resource is
    /// reported at startup and the first article is not slow.
    ///
    /// - Returns: the resources that failed to load (each stage then runs without it; the caller reports them).
    @discardableResult
    public static func warmUp() -> [ResourceError] {
        _ = EntityRecognizer.shared
        _ = Gazetteer.shared
        _ = QuoteExtractor.shared
        _ = ThemeClassifier.shared
        _ = ToneScorer.shared
        _ = KeyphraseExtractor.shared
        _ = Summarizer.shared
        _ = DateExtractor.shared
        _ = QuantityExtractor.shared
        return ResourceFiles.problems
    }

    public func analyze(_ article: Article) -> AnalysisResult {
        let prepared = self.prepare(article.text)
        // The kept paragraphs' bytes, one line each: built as a String and then copied into bytes for CLD2, the text
        // cost two buffers and two copies an article.
        var body: [UInt8] = []
        body.reserveCapacity(article.text.utf8.count + prepared.paragraphs.count)
        for paragraph in prepared.paragraphs {
            body.append(contentsOf: paragraph.text.utf8)
            body.append(0x0A)
        }
        let language = LanguageDetector.detect(text: body, hint: article.languageHint)
        let document = Document(
            text: article.text, paragraphs: prepared.paragraphs.map { $0.start..<$0.end },
            publishedAt: article.publishedAt)
        let stats = TextStats(
            words: document.wordCount, sentences: document.sentences.count, paragraphs: prepared.paragraphs.count,
            repeatedParagraphsRemoved: prepared.repeatedParagraphsRemoved)
        var result = AnalysisResult(language: language, text: stats)
        let terms = DocumentTerms(document)
        result.summary = Summarizer.shared.summary(document, terms: terms)
        guard Self.isEnglish(language, hint: article.languageHint) else {
            // The models and lexicons are English: other languages get what does not depend on them.
            result.coverage = "partial"
            return result
        }
        result.coverage = "full"
        let (entities, reported, locations) = self.entitiesAndPlaces(in: document, title: article.title)
        result.entities = reported
        result.locations = locations
        result.quotes = QuoteExtractor.shared.extract(document, entities: entities)
        result.dates = DateExtractor.shared.extract(document)
        result.quantities = QuantityExtractor.shared.extract(document, excluding: result.dates)
        result.themes = ThemeClassifier.shared.themes(document, terms: terms)
        result.tone = ToneScorer.shared.tone(document, terms: terms)
        result.keyphrases = KeyphraseExtractor.shared.keyphrases(document, terms: terms)
        return result
    }

    /// The article's entities and places as the daemon reports them: `entities` as found, `reported` with the place
    /// names placed nowhere typed MISC (`demoteUnplaced`), and the geocoded `locations`. The entity evaluation
    /// scores `reported`, with the recognizer it is given.
    public func entitiesAndPlaces(
        in document: Document, title: String? = nil, recognizer: EntityRecognizer = .shared
    ) -> (entities: [EntityResult], reported: [EntityResult], locations: [LocationResult]) {
        let entities = self.entities(in: document, title: title, recognizer: recognizer)
        let locations = self.locations(in: document, entities: entities)
        return (entities, Self.demoteUnplaced(entities, locations: locations), locations)
    }

    /// The article's entities, places typed GPE (countries, regions, cities) or LOC (other places) by the gazetteer.
    public func entities(
        in document: Document, title: String? = nil, recognizer: EntityRecognizer = .shared
    ) -> [EntityResult] {
        let geocoder = Geocoder()
        var entities = recognizer.entities(in: document, title: title)
        for index in entities.indices where entities[index].type == "LOC" {
            if geocoder.placeKind(of: entities[index].name) == "GPE" { entities[index].type = "GPE" }
        }
        return entities
    }

    /// The article's places, geocoded: the tagger's place names and the gazetteer's own finds.
    public func locations(in document: Document, entities: [EntityResult]) -> [LocationResult] {
        let geocoder = Geocoder()
        return geocoder.resolve(Self.placeCandidates(entities, document, geocoder), in: document)
    }

    /// A place name the geocoder knows only as towns and placed nowhere in this article was a word or a name the
    /// tagger mistook for a place ("over Christmas", "the 18th Century"): it stays an entity, typed MISC.
    public static func demoteUnplaced(_ entities: [EntityResult], locations: [LocationResult]) -> [EntityResult] {
        let placed = Set(locations.flatMap { $0.mentions.map(\.start) })
        let gazetteer = Gazetteer.shared
        var entities = entities
        for index in entities.indices where entities[index].type == "GPE" || entities[index].type == "LOC" {
            guard !entities[index].mentions.contains(where: { placed.contains($0.start) }),
                let hits = gazetteer.hits(Gazetteer.normalize(Substring(entities[index].name))),
                hits.allSatisfy({ gazetteer.entries.packed[Int($0)].kind == .place })
            else { continue }
            entities[index].type = "MISC"
        }
        return entities
    }

    static func isEnglish(_ language: LanguageInfo, hint: String?) -> Bool {
        if language.code == "en" { return true }
        // CLD2 cannot name the language of a very short text; trust the scraper's hint then, or assume English.
        return language.code == "und" && (hint.map { $0.lowercased().hasPrefix("en") } ?? true)
    }

    /// Where the places are: the tagger's place names, plus names the gazetteer knows that the tagger missed
    /// (never inside a person's or organization's name).
    static func placeCandidates(_ entities: [EntityResult], _ document: Document, _ geocoder: Geocoder) -> [PlaceCandidate] {
        let mentions = entities.reduce(0) { $0 + $1.mentions.count }
        var candidates: [PlaceCandidate] = []
        candidates.reserveCapacity(mentions)
        var taken: [Range<Int>] = []
        taken.reserveCapacity(mentions)
        for entity in entities {
            for mention in entity.mentions {
                taken.append(mention.start..<mention.end)
                if entity.type == "GPE" || entity.type == "LOC" {
                    candidates.append(
                        PlaceCandidate(
                            start: mention.start, end: mention.end, name: document.text(mention.start, mention.end),
                            fromTagger: true))
                }
            }
        }
        candidates += geocoder.toponyms(in: document, exclude: taken)
        return candidates.sorted { $0.start < $1.start }
    }
}
