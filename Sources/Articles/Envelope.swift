import Foundation

/// The result envelope published for every accepted article (`wirewatch.result.v1`, see
/// `schemas/result.v1.schema.json`). Field names on the wire are snake_case.
public struct ResultEnvelope: Codable, Sendable, Equatable {
    public static let schemaName = "wirewatch.result.v1"

    public var schema: String = ResultEnvelope.schemaName
    /// Journal sequence number; absent for offline analysis.
    public var seq: Int64?
    public var id: String
    /// Set when the envelope is published again after a crash interrupted its first publication.
    public var redelivered: Bool?
    public var receivedAt: String
    public var processedAt: String
    public var dedup: DedupInfo
    public var article: ArticleInfo
    /// Absent for duplicates: their analysis is the first copy's.
    public var analysis: AnalysisResult?

    public init(
        seq: Int64?, id: String, receivedAt: String, processedAt: String, dedup: DedupInfo, article: ArticleInfo,
        analysis: AnalysisResult?
    ) {
        self.seq = seq
        self.id = id
        self.receivedAt = receivedAt
        self.processedAt = processedAt
        self.dedup = dedup
        self.article = article
        self.analysis = analysis
    }

    enum CodingKeys: String, CodingKey {
        case schema, seq, id, redelivered, dedup, article, analysis
        case receivedAt = "received_at"
        case processedAt = "processed_at"
    }
}

/// The dedup verdict of one article.
public struct DedupInfo: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case unique, exact, near, update
    }

    public var status: Status
    /// The first-seen copy's id (absent for `unique`).
    public var of: String?
    public var similarity: Double?
    /// Shared by every copy and version of one story.
    public var cluster: String

    public init(status: Status, of: String?, similarity: Double?, cluster: String) {
        self.status = status
        self.of = of
        self.similarity = similarity
        self.cluster = cluster
    }
}

public struct ArticleInfo: Codable, Sendable, Equatable {
    public var url: String?
    public var canonicalURL: String?
    public var title: String?
    public var source: String?
    public var publishedAt: String?
    /// The text extracted from `html` input, which analysis offsets count into. Absent for `text` input.
    public var text: String?

    public init(url: String?, canonicalURL: String?, title: String?, source: String?, publishedAt: String?,
                text: String?) {
        self.url = url
        self.canonicalURL = canonicalURL
        self.title = title
        self.source = source
        self.publishedAt = publishedAt
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case url, title, source, text
        case canonicalURL = "canonical_url"
        case publishedAt = "published_at"
    }
}

public struct AnalysisResult: Codable, Sendable, Equatable {
    public var language: LanguageInfo
    public var text: TextStats
    /// "full" for English; "partial" for other languages (language, text stats, and what needs no English model).
    public var coverage: String
    public var entities: [EntityResult]
    public var locations: [LocationResult]
    public var quotes: [QuoteResult]
    public var quantities: [QuantityResult]
    public var dates: [DateResult]
    public var themes: [ThemeResult]
    public var tone: ToneResult?
    public var keyphrases: [KeyphraseResult]
    public var summary: [String]

    public init(
        language: LanguageInfo, text: TextStats, coverage: String = "partial", entities: [EntityResult] = [],
        locations: [LocationResult] = [], quotes: [QuoteResult] = [], quantities: [QuantityResult] = [],
        dates: [DateResult] = [], themes: [ThemeResult] = [], tone: ToneResult? = nil,
        keyphrases: [KeyphraseResult] = [], summary: [String] = []
    ) {
        self.language = language
        self.text = text
        self.coverage = coverage
        self.entities = entities
        self.locations = locations
        self.quotes = quotes
        self.quantities = quantities
        self.dates = dates
        self.themes = themes
        self.tone = tone
        self.keyphrases = keyphrases
        self.summary = summary
    }
}

/// A scalar range into the article's `text`, end exclusive.
public struct Mention: Codable, Sendable, Equatable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

public struct EntityResult: Codable, Sendable, Equatable {
    /// The longest name the article uses.
    public var name: String
    /// The name every article uses for this entity (alias table), or `name`.
    public var canonical: String
    /// PER, ORG, GPE (countries, cities, states), LOC (other places), NORP (nationalities, religious or political
    /// groups), MISC.
    public var type: String
    /// Other names the article uses for it.
    public var aliases: [String]
    public var count: Int
    /// 0…1: how central the entity is to the article (early, frequent, in the title).
    public var salience: Double
    public var mentions: [Mention]

    public init(
        name: String, canonical: String, type: String, aliases: [String], count: Int, salience: Double,
        mentions: [Mention]
    ) {
        self.name = name
        self.canonical = canonical
        self.type = type
        self.aliases = aliases
        self.count = count
        self.salience = salience
        self.mentions = mentions
    }
}

public struct LocationResult: Codable, Sendable, Equatable {
    public var name: String
    public var countryCode: String?
    public var admin1: String?
    public var lat: Double
    public var lon: Double
    public var geonameid: Int
    public var count: Int
    public var mentions: [Mention]

    public init(
        name: String, countryCode: String?, admin1: String?, lat: Double, lon: Double, geonameid: Int, count: Int,
        mentions: [Mention]
    ) {
        self.name = name
        self.countryCode = countryCode
        self.admin1 = admin1
        self.lat = lat
        self.lon = lon
        self.geonameid = geonameid
        self.count = count
        self.mentions = mentions
    }

    enum CodingKeys: String, CodingKey {
        case name, admin1, lat, lon, geonameid, count, mentions
        case countryCode = "country_code"
    }
}

public struct QuoteResult: Codable, Sendable, Equatable {
    public var text: String
    /// Who said it, as the article names or describes them ("a Pakistani expert …"), or nil.
    public var speaker: String?
    /// The canonical name of the entity the speaker resolves to, when it does.
    public var speakerEntity: String?
    /// The verb of saying ("said", "told").
    public var cue: String?
    /// Offsets of the quoted content.
    public var start: Int
    public var end: Int
    /// Offsets of the speaker span, when there is one.
    public var speakerStart: Int?
    public var speakerEnd: Int?
    /// "direct" (in quotation marks) or "indirect" (reported speech).
    public var kind: String

    public init(
        text: String, speaker: String?, speakerEntity: String?, cue: String?, start: Int, end: Int,
        speakerStart: Int?, speakerEnd: Int?, kind: String
    ) {
        self.text = text
        self.speaker = speaker
        self.speakerEntity = speakerEntity
        self.cue = cue
        self.start = start
        self.end = end
        self.speakerStart = speakerStart
        self.speakerEnd = speakerEnd
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case text, speaker, cue, start, end, kind
        case speakerEntity = "speaker_entity"
        case speakerStart = "speaker_start"
        case speakerEnd = "speaker_end"
    }
}

public struct QuantityResult: Codable, Sendable, Equatable {
    public var value: Double
    /// "more than", "about", "at least", … or nil.
    public var qualifier: String?
    /// A unit of measure or currency ("km", "%", "USD"), when there is one.
    public var unit: String?
    /// What is counted ("Daesh fighters").
    public var object: String?
    public var start: Int
    public var end: Int

    public init(value: Double, qualifier: String?, unit: String?, object: String?, start: Int, end: Int) {
        self.value = value
        self.qualifier = qualifier
        self.unit = unit
        self.object = object
        self.start = start
        self.end = end
    }
}

public struct DateResult: Codable, Sendable, Equatable {
    public var text: String
    /// ISO 8601: a day (2021-08-15), a month (2021-08), a year (2021), or a range "start/end" of those.
    public var resolved: String?
    /// day, week, month, year, range.
    public var granularity: String
    public var start: Int
    public var end: Int

    public init(text: String, resolved: String?, granularity: String, start: Int, end: Int) {
        self.text = text
        self.resolved = resolved
        self.granularity = granularity
        self.start = start
        self.end = end
    }
}

public struct ThemeResult: Codable, Sendable, Equatable {
    /// IPTC Media Topic code, e.g. "medtop:11000000".
    public var code: String
    public var label: String
    public var score: Double

    public init(code: String, label: String, score: Double) {
        self.code = code
        self.label = label
        self.score = score
    }
}

/// GDELT's seven tone values (GKG V1.5 TONE field).
public struct ToneResult: Codable, Sendable, Equatable {
    /// positive − negative.
    public var tone: Double
    /// Percentage of words that are positive.
    public var positive: Double
    /// Percentage of words that are negative.
    public var negative: Double
    /// positive + negative: how emotionally charged.
    public var polarity: Double
    /// Percentage of words that are active (verbs of action).
    public var activity: Double
    /// Percentage of words that are pronouns of self or group (I, we, our).
    public var selfGroup: Double
    public var wordCount: Int

    public init(
        tone: Double, positive: Double, negative: Double, polarity: Double, activity: Double, selfGroup: Double,
        wordCount: Int
    ) {
        self.tone = tone
        self.positive = positive
        self.negative = negative
        self.polarity = polarity
        self.activity = activity
        self.selfGroup = selfGroup
        self.wordCount = wordCount
    }

    enum CodingKeys: String, CodingKey {
        case tone, positive, negative, polarity, activity
        case selfGroup = "self_group"
        case wordCount = "word_count"
    }
}

public struct KeyphraseResult: Codable, Sendable, Equatable {
    public var phrase: String
    public var score: Double

    public init(phrase: String, score: Double) {
        self.phrase = phrase
        self.score = score
    }
}

public struct LanguageInfo: Codable, Sendable, Equatable {
    /// ISO 639-1 code, or "und" when undetermined.
    public var code: String
    /// 0…1: the share of the text in this language.
    public var confidence: Double
    /// False for short or mixed text.
    public var reliable: Bool

    public init(code: String, confidence: Double, reliable: Bool) {
        self.code = code
        self.confidence = confidence
        self.reliable = reliable
    }
}

public struct TextStats: Codable, Sendable, Equatable {
    public var words: Int
    public var sentences: Int
    public var paragraphs: Int
    public var repeatedParagraphsRemoved: Int

    public init(words: Int, sentences: Int, paragraphs: Int, repeatedParagraphsRemoved: Int) {
        self.words = words
        self.sentences = sentences
        self.paragraphs = paragraphs
        self.repeatedParagraphsRemoved = repeatedParagraphsRemoved
    }

    enum CodingKeys: String, CodingKey {
        case words, sentences, paragraphs
        case repeatedParagraphsRemoved = "repeated_paragraphs_removed"
    }
}

/// Published on topic `error` for every payload that could not be accepted (`wirewatch.error.v1`).
public struct ErrorEvent: Codable, Sendable, Equatable {
    public static let schemaName = "wirewatch.error.v1"

    public var schema: String = ErrorEvent.schemaName
    public var seq: Int64?
    public var receivedAt: String
    /// Machine-readable reason, e.g. `malformed_json`.
    public var code: String
    /// A sentence for the operator.
    public var reason: String
    public var payloadSHA256: String
    public var payloadBytes: Int
    /// The ingest endpoint the payload came in on.
    public var endpoint: String
    /// Row of the dead-letter table holding the payload.
    public var deadLetterID: Int64

    public init(seq: Int64?, receivedAt: String, code: String, reason: String, payloadSHA256: String,
                payloadBytes: Int, endpoint: String, deadLetterID: Int64) {
        self.seq = seq
        self.receivedAt = receivedAt
        self.code = code
        self.reason = reason
        self.payloadSHA256 = payloadSHA256
        self.payloadBytes = payloadBytes
        self.endpoint = endpoint
        self.deadLetterID = deadLetterID
    }

    enum CodingKeys: String, CodingKey {
        case schema, seq, code, reason, endpoint
        case receivedAt = "received_at"
        case payloadSHA256 = "payload_sha256"
        case payloadBytes = "payload_bytes"
        case deadLetterID = "dead_letter_id"
    }
}

/// Published on topic `heartbeat` every few seconds so an idle subscriber still sees the latest `seq`.
public struct Heartbeat: Codable, Sendable, Equatable {
    public static let schemaName = "wirewatch.heartbeat.v1"

    public var schema: String = Heartbeat.schemaName
    /// The latest published sequence number (0 before the first).
    public var seq: Int64
    public var time: String
    public var uptimeSeconds: Double

    public init(seq: Int64, time: String, uptimeSeconds: Double) {
        self.seq = seq
        self.time = time
        self.uptimeSeconds = uptimeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case schema, seq, time
        case uptimeSeconds = "uptime_seconds"
    }
}

/// RFC 3339 timestamps with milliseconds, in UTC, as every envelope carries them.
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
