import Articles
import Crypto
import Foundation

/// What the dedup step decided for one article.
public struct DedupVerdict: Sendable, Equatable {
    public var info: DedupInfo
    /// What the memory now keeps of this article, to be written to the store with the article's journal entry;
    /// nil for an exact duplicate, which adds nothing.
    public var record: DedupRecord?

    public init(info: DedupInfo, record: DedupRecord?) {
        self.info = info
        self.record = record
    }

    /// Whether the article is published with analysis (`unique` and `update`) or as a `duplicate`.
    public var isNew: Bool { self.info.status == .unique || self.info.status == .update }
}

/// The exact keys of an article: 64 bits of SHA-256 over its normalized text, canonical URL and id, each tagged
/// so keys of different kinds never meet.
public enum ExactKeys {
    public static func text(_ normalized: String) -> UInt64 { Self.hash("text", normalized) }

    /// `text` of the paragraphs joined by single spaces, without joining them.
    public static func text(paragraphs: [String]) -> UInt64 {
        var hasher = SHA256()
        Self.update(&hasher, "text")
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        for (index, paragraph) in paragraphs.enumerated() {
            if index > 0 { withUnsafeBytes(of: UInt8(ascii: " ")) { hasher.update(bufferPointer: $0) } }
            Self.update(&hasher, paragraph)
        }
        return Self.key(hasher)
    }

    static func update(_ hasher: inout SHA256, _ string: String) {
        var string = string
        string.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    static func key(_ hasher: SHA256) -> UInt64 {
        hasher.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
    public static func url(_ canonical: String) -> UInt64 { Self.hash("url", canonical) }
    public static func id(_ id: String) -> UInt64 { Self.hash("id", id) }

    static func hash(_ tag: String, _ value: String) -> UInt64 {
        // Straight from the strings' storage, without copying them into arrays.
        var hasher = SHA256()
        Self.update(&hasher, tag)
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        Self.update(&hasher, value)
        return Self.key(hasher)
    }
}
