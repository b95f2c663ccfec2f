import Articles
import Foundation

/// The dedup step: exact keys first (normalized text, canonical URL, id), then near-duplicate search.
///
/// It is one ordered step: a verdict for B depends on having seen A, so it is used from one thread at a time.
/// Every copy and version of a story shares the `cluster` of its first-seen copy, which `of` names.
public struct DedupEngine: Sendable {
    public var exact: ExactDedup
    public var near: NearDedup

    public init(settings: NearDedupSettings = NearDedupSettings(), maxArticles: Int = 1_000_000) {
        // Each article leaves up to three exact keys (text, URL, id).
        self.exact = ExactDedup(maxEntries: maxArticles * 3)
        self.near = NearDedup(settings: settings, maxEntries: maxArticles)
    }

    public mutating func check(_ article: Article, now: Date = Date()) -> DedupVerdict {
        let features = TextFeatures(text: article.text, shingleSize: self.near.settings.shingleSize)
        let keys = ExactDedup.keys(of: article, normalizedText: features.normalizedText)
        if let hit = self.exact.lookup(keys.text) {
            return DedupVerdict(
                info: DedupInfo(status: .exact, of: hit.cluster, similarity: 1.0, cluster: hit.cluster),
                learned: [], nearEntry: nil
            )
        }
        let signature = MinHashSignature(shingles: features.shingles)
        let sameStory = keys.url.flatMap { self.exact.lookup($0) } ?? self.exact.lookup(keys.id)
        let match = self.near.search(features, signature: signature)

        let info: DedupInfo
        if let match, !(match.isUpdate) {
            info = DedupInfo(status: .near, of: match.entry.cluster, similarity: match.similarity,
                             cluster: match.entry.cluster)
        } else if let match {
            info = DedupInfo(status: .update, of: match.entry.cluster, similarity: match.similarity,
                             cluster: match.entry.cluster)
        } else if let story = sameStory {
            // The same page or id with a text unlike the one remembered: a rewritten version of the story.
            info = DedupInfo(status: .update, of: story.cluster, similarity: nil, cluster: story.cluster)
        } else {
            info = DedupInfo(status: .unique, of: nil, similarity: nil, cluster: article.id)
        }
        var learned: [DedupKey] = []
        // Learn this text, so a re-send of it is an exact copy, and the URL and id if they are new.
        for key in [keys.text, keys.url, keys.id].compactMap({ $0 })
        where self.exact.remember(key, articleID: article.id, cluster: info.cluster, firstSeen: now) {
            learned.append(key)
        }
        var nearEntry: NearEntry? = nil
        if info.status == .unique || info.status == .update {
            let entry = NearEntry(
                articleID: article.id, cluster: info.cluster, firstSeen: now, signature: signature,
                paragraphs: features.paragraphs, paragraphWords: features.paragraphWords,
                paragraphHeads: features.paragraphHeads, paragraphTails: features.paragraphTails
            )
            self.near.insert(entry)
            nearEntry = entry
        }
        return DedupVerdict(info: info, learned: learned, nearEntry: nearEntry)
    }

    public mutating func evict(olderThan cutoff: Date) {
        self.exact.evict(olderThan: cutoff)
        self.near.evict(olderThan: cutoff)
    }
}
