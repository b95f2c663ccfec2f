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

    public init(language: LanguageInfo, text: TextStats) {
        self.language = language
        self.text = text
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
