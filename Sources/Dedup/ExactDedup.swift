import Articles
import Crypto
import Foundation

/// A dedup key: 16 bytes of SHA-256 over a tagged input, so keys of different kinds never collide.
public struct DedupKey: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        self.low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Hashes `tag` + `value`; the tag names what the key is of (text, url, id).
    init(tag: String, value: String) {
        var hasher = SHA256()
        hasher.update(data: Array(tag.utf8) + [0])
        hasher.update(data: Array(value.utf8))
        let digest = Array(hasher.finalize())
        self.init(bytes: Array(digest.prefix(16)))!
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: self.high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: self.low >> (56 - 8 * $0)) }
    }
}

/// What the dedup step decided for one article.
public struct DedupVerdict: Sendable, Equatable {
    public var info: DedupInfo
    /// Keys this article adds to the memory (empty for an exact duplicate, which adds nothing new).
    public var learned: [DedupKey]
    /// What near-duplicate search remembers of this article (new articles and updates only).
    public var nearEntry: NearEntry?

    /// Whether the article is published with analysis (`unique` and `update`) or as a `duplicate`.
    public var isNew: Bool { self.info.status == .unique || self.info.status == .update }
}

/// Exact-key memory: hashes of canonical URLs, ids and normalized texts, within a window.
public struct ExactDedup: Sendable {
    struct Entry: Sendable {
        let articleID: String
        let cluster: String
        let firstSeen: Date
    }

    private var entries: [DedupKey: Entry] = [:]
    /// Insertion order, for eviction by age and by count without scanning the dictionary.
    private var order: [(key: DedupKey, firstSeen: Date)] = []
    private var orderStart = 0
    public let maxEntries: Int

    public init(maxEntries: Int = 3_000_000) {
        self.maxEntries = maxEntries
    }

    public var count: Int { self.entries.count }

    /// The keys of an article: its normalized text, its canonical URL and its id. (A derived id hashes the URL or
    /// the text, so keying it too is redundant but harmless; a scraper's own id catches re-sends under new URLs.)
    /// - Parameter normalizedText: `TextFeatures.normalizedText` when the caller has it already.
    public static func keys(of article: Article, normalizedText: String? = nil)
        -> (text: DedupKey, url: DedupKey?, id: DedupKey)
    {
        let text = DedupKey(tag: "text", value: normalizedText ?? TextFeatures(text: article.text).normalizedText)
        let url = article.canonicalURL.map { DedupKey(tag: "url", value: $0) }
        return (text, url, DedupKey(tag: "id", value: article.id))
    }

    /// The article and cluster that first had `key`.
    public func lookup(_ key: DedupKey) -> (articleID: String, cluster: String)? {
        self.entries[key].map { ($0.articleID, $0.cluster) }
    }

    /// Remembers `key` unless it is known. Returns whether it was new.
    @discardableResult
    public mutating func remember(_ key: DedupKey, articleID: String, cluster: String, firstSeen: Date) -> Bool {
        guard self.entries[key] == nil else { return false }
        self.insert(key, Entry(articleID: articleID, cluster: cluster, firstSeen: firstSeen))
        return true
    }

    /// Restores one remembered key (from the store, at start).
    public mutating func restore(key: DedupKey, articleID: String, cluster: String, firstSeen: Date) {
        guard self.entries[key] == nil else { return }
        self.insert(key, Entry(articleID: articleID, cluster: cluster, firstSeen: firstSeen))
    }

    /// Forgets keys first seen before `cutoff`.
    public mutating func evict(olderThan cutoff: Date) {
        while self.orderStart < self.order.count, self.order[self.orderStart].firstSeen < cutoff {
            self.entries.removeValue(forKey: self.order[self.orderStart].key)
            self.orderStart += 1
        }
        self.compactOrder()
    }

    private mutating func insert(_ key: DedupKey, _ entry: Entry) {
        self.entries[key] = entry
        self.order.append((key, entry.firstSeen))
        while self.entries.count > self.maxEntries, self.orderStart < self.order.count {
            self.entries.removeValue(forKey: self.order[self.orderStart].key)
            self.orderStart += 1
        }
        self.compactOrder()
    }

    private mutating func compactOrder() {
        if self.orderStart > 4096 && self.orderStart * 2 > self.order.count {
            self.order.removeFirst(self.orderStart)
            self.orderStart = 0
        }
    }
}
