import Foundation

/// The wire v1 input object, as a scraper sends it. Every field is optional on the wire; `ArticleDecoder`
/// enforces that a body (`text` or `html`) is present.
public struct ArticleInput: Sendable, Codable, Equatable {
    public var id: String?
    public var url: String?
    public var title: String?
    public var text: String?
    public var html: String?
    public var source: String?
    public var publishedAt: String?
    public var language: String?
    public var authors: [String]?
    public var meta: JSONValue?

    public init(
        id: String? = nil, url: String? = nil, title: String? = nil, text: String? = nil, html: String? = nil,
        source: String? = nil, publishedAt: String? = nil, language: String? = nil, authors: [String]? = nil,
        meta: JSONValue? = nil
    ) {
        self.id = id
        self.url = url
        self.title = title
        self.text = text
        self.html = html
        self.source = source
        self.publishedAt = publishedAt
        self.language = language
        self.authors = authors
        self.meta = meta
    }

    enum CodingKeys: String, CodingKey {
        case id, url, title, text, html, source, language, authors, meta
        case publishedAt = "published_at"
    }
}

/// Input limits, enforced before and after parsing.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest payload accepted.
    public var maxPayloadBytes = 8 << 20
    /// Deepest nesting of arrays and objects.
    public var maxDepth = 32
    /// Longest `text` or `html`.
    public var maxFieldBytes = 4 << 20
    /// Longest id, url, title, source, published_at, language or author.
    public var maxShortFieldBytes = 8 << 10
    public var maxAuthors = 100
    /// Largest `meta`, as encoded.
    public var maxMetaBytes = 64 << 10

    public init() {}

    public static let `default` = DecodeLimits()
}

/// Why a payload was rejected: a machine-readable `code` and a sentence for the operator.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One of `empty_payload`, `too_large`, `invalid_utf8`, `too_deep`, `malformed_json`, `not_an_object`,
    /// `wrong_type`, `missing_body`, `field_too_long`, `too_many_authors`, `invalid_date`, `binary_payload`.
    public let code: String
    public let reason: String

    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { self.reason }
}

/// A validated article.
public struct Article: Sendable, Equatable {
    /// The scraper's id, or `sha256:` and 16 hex digits of the canonical URL (or of the body without one).
    public var id: String
    public var url: String?
    public var canonicalURL: String?
    public var title: String?
    public var source: String?
    public var publishedAt: Date?
    public var publishedAtRaw: String?
    public var languageHint: String?
    public var authors: [String]
    public var meta: JSONValue?
    /// The body exactly as received (`text`), or the text extracted from `html`. Analysis offsets count Unicode
    /// scalars into it.
    public var text: String
    public var bodyWasHTML: Bool
}
