import Articles
import Foundation

/// Thresholds of near-duplicate detection (`dedup.*` in the configuration; SIGHUP reloads them).
public struct NearDedupSettings: Sendable, Equatable, Codable {
    /// Estimated shingle Jaccard at or above which two texts are copies.
    public var jaccard = 0.6
    /// Share of the smaller text found in the larger one at or above which it is a copy (truncations, additions).
    public var containment = 0.8
    /// New words, as a share of the original's, that make a containing copy an `update` rather than a copy
    /// with boilerplate added.
    public var updateShare = 0.15
    /// A wholly new paragraph of at least this many words that ends like a sentence — news, rather than a
    /// "Read more: <headline>" link or a copyright line — makes a containing copy an `update`.
    public var updateParagraphWords = 9
    /// Below this estimated Jaccard, containment is judged by whole paragraphs only: the MinHash estimate of a
    /// small text inside a large one is too noisy there.
    public var containmentJaccardFloor = 0.35
    /// Texts with fewer shingles are too short to judge by containment (a one-line brief is in many articles).
    public var minimumShingles = 20
    /// Words per shingle. Changing it makes the remembered signatures incomparable: it needs a restart, and
    /// near-duplicate memory built with another size is dropped at start.
    public var shingleSize = 5
    /// LSH bands of `rows` values each over the signature (more bands: lower similarities become candidates,
    /// and more memory). Restart only.
    public var bands = 6
    public var rows = 4
    /// Paragraph fingerprints indexed per article: those with the smallest hashes, so copies sample alike.
    public var sampledParagraphs = 6

    public init() {}

    /// The thresholds a reload may change; shingle size and bands shape the index and need a restart.
    public mutating func applyThresholds(from other: NearDedupSettings) {
        self.jaccard = other.jaccard
        self.containment = other.containment
        self.updateShare = other.updateShare
        self.updateParagraphWords = other.updateParagraphWords
        self.minimumShingles = other.minimumShingles
    }
}


/// Near-duplicate verification: whether a new text copies a remembered one, and whether it is an update of it.
public enum NearVerifier {
    public struct Match: Sendable, Equatable {
        public let similarity: Double
        public let isUpdate: Bool
    }

    /// Paragraphs shorter than this are not indexed: datelines and "Advertisement" are in everything.
    static let indexedParagraphWords = 8

    public static func verify(
        _ features: TextFeatures, _ signature: MinHashSignature, against entry: NearFeatures,
        settings: NearDedupSettings
    ) -> Match? {
        let jaccard = signature.jaccard(entry.signature)
        let newCount = Double(signature.shingleCount)
        let oldCount = Double(entry.signature.shingleCount)
        // |A ∩ B| from J = |A ∩ B| / |A ∪ B| and |A ∪ B| = |A| + |B| - |A ∩ B|.
        let shared = jaccard / (1 + jaccard) * (newCount + oldCount)
        let oldInNew = oldCount > 0 ? min(1, shared / oldCount) : 0
        let newInOld = newCount > 0 ? min(1, shared / newCount) : 0

        // The same measures over paragraphs: exact where a copy kept paragraphs whole. A new paragraph that ends
        // (or starts) like an old one is that paragraph with a prefix (or suffix) added: only the difference is new.
        // Articles have tens of paragraphs, and dozens of candidates are verified an article: scanning the old
        // paragraphs costs less than hashing them into tables (building four of them was most of verifying). Tables
        // only where scans would grow quadratic, for texts of hundreds of paragraphs.
        let indexed = entry.paragraphs.count * features.paragraphs.count > 4096
        var oldPositions: [UInt64: Int] = [:]
        // Head and tail hashes of the old paragraphs, to the paragraphs' indices (formulaic paragraphs share them).
        var oldHeads: [UInt64: [Int]] = [:]
        var oldTails: [UInt64: [Int]] = [:]
        if indexed {
            for index in entry.paragraphs.indices {
                if oldPositions[entry.paragraphs[index]] == nil { oldPositions[entry.paragraphs[index]] = index }
                if entry.paragraphWords[index] >= TextFeatures.edgeWords {
                    oldHeads[entry.paragraphHeads[index], default: []].append(index)
                    oldTails[entry.paragraphTails[index], default: []].append(index)
                }
            }
        }
        /// Where paragraph `hash` first is in the old text.
        func oldPosition(_ hash: UInt64) -> Int? {
            indexed ? oldPositions[hash] : entry.paragraphs.firstIndex(of: hash)
        }
        /// The old paragraphs long enough to have a head and tail, whose head (or tail) hash is `hash`, in order,
        /// until `body` returns a value.
        func firstOld(_ hash: UInt64, heads: Bool, _ body: (Int) -> Int?) -> Int? {
            if indexed {
                for old in (heads ? oldHeads[hash] : oldTails[hash]) ?? [] {
                    if let found = body(old) { return found }
                }
                return nil
            }
            let edges = heads ? entry.paragraphHeads : entry.paragraphTails
            for old in edges.indices where edges[old] == hash && entry.paragraphWords[old] >= TextFeatures.edgeWords {
                if let found = body(old) { return found }
            }
            return nil
        }
        /// The words of an old paragraph that sits whole inside new paragraph `index` — its head and its tail
        /// found exactly where they must be if only a prefix or a suffix was added — or nil.
        func containedOldParagraph(_ index: Int) -> Int? {
            let words = features.paragraphWords[index]
            let suffixed = firstOld(features.paragraphTails[index], heads: false) { old in
                let oldWords = entry.paragraphWords[old]
                let fits = words > oldWords
                    && features.edgeHash(paragraph: index, offset: words - oldWords) == entry.paragraphHeads[old]
                return fits ? oldWords : nil
            }
            if let suffixed { return suffixed }
            return firstOld(features.paragraphHeads[index], heads: true) { old in
                let oldWords = entry.paragraphWords[old]
                let fits = words > oldWords
                    && features.edgeHash(paragraph: index, offset: oldWords - TextFeatures.edgeWords)
                        == entry.paragraphTails[old]
                return fits ? oldWords : nil
            }
        }
        let oldWords = entry.paragraphWords.reduce(0, +)
        let newWords = features.paragraphWords.reduce(0, +)
        var sharedWords = 0
        var addedWords = 0
        var substantialParagraph = false
        // Whether the paragraphs kept from the old text come in its order.
        var inOrder = true
        var lastPosition = -1
        for (index, paragraph) in features.paragraphs.enumerated() {
            let words = features.paragraphWords[index]
            if let position = oldPosition(paragraph) {
                sharedWords += words
                if position < lastPosition { inOrder = false }
                lastPosition = position
            } else if words > TextFeatures.edgeWords, let original = containedOldParagraph(index) {
                sharedWords += original
                addedWords += words - original
            } else if !features.isBoilerplate(paragraph: index) {
                // Boilerplate a copy adds (a copyright line, a newsletter plug) is neither news nor new words.
                addedWords += words
                if words >= settings.updateParagraphWords && features.paragraphEndsSentence[index] {
                    substantialParagraph = true
                }
            }
        }
        let paragraphOldInNew = oldWords > 0 ? Double(sharedWords) / Double(oldWords) : 0
        let paragraphNewInOld = newWords > 0 ? Double(sharedWords) / Double(newWords) : 0
        let paragraphJaccard = Double(sharedWords) / Double(max(1, oldWords + newWords - sharedWords))

        let similarity = max(jaccard, paragraphJaccard)
        let largeEnough = min(newCount, oldCount) >= Double(settings.minimumShingles)
        // Containment estimated from MinHash is noisy when Jaccard is low (a small text beside a large one): trust
        // it only above a floor, and the exact paragraph measure always.
        let shingleEstimateUsable = jaccard >= settings.containmentJaccardFloor
        let containsOld = max(shingleEstimateUsable ? oldInNew : 0, paragraphOldInNew) >= settings.containment
        let containedInOld = max(shingleEstimateUsable ? newInOld : 0, paragraphNewInOld) >= settings.containment
        // A text mostly inside an old one is a cut copy (a truncation, a teaser) — unless what it has beyond the old
        // one is news of its own, or it keeps less than half of the old one and not as a cut would (the lede, in
        // order): then it is another article that reuses part of a story, and operators must see it.
        let keepsLede = entry.paragraphs.first.map { lede in features.paragraphs.contains(lede) } ?? false
        let cutCopy = containedInOld && !substantialParagraph && (paragraphOldInNew >= 0.5 || (keepsLede && inOrder))
        // However similar, a text whose own news is a large share of it is another article.
        let othersNews = substantialParagraph && !containsOld && Double(addedWords) >= 0.3 * Double(newWords)
        guard !othersNews, similarity >= settings.jaccard || (largeEnough && (containsOld || cutCopy)) else {
            return nil
        }
        // An update keeps the old text and adds to it: a share of new words, or a new paragraph of news.
        let addedShare = oldWords > 0 ? Double(addedWords) / Double(oldWords) : 0
        let isUpdate = containsOld && (addedShare >= settings.updateShare || substantialParagraph)
        return Match(similarity: (similarity * 1000).rounded() / 1000, isUpdate: isUpdate)
    }

    /// The paragraph fingerprints an article is indexed under: up to `count` of its paragraphs long enough to
    /// mean something, those with the smallest hashes (a sample two copies draw alike).
    static func sampledParagraphKeys(_ features: TextFeatures, count: Int) -> [UInt64] {
        var keys: [UInt64] = []
        for (index, paragraph) in features.paragraphs.enumerated()
        where features.paragraphWords[index] >= Self.indexedParagraphWords {
            keys.append(TextFeatures.mix(paragraph ^ 0x7061_7261_6772_6170))
        }
        keys.sort()
        return Array(keys.prefix(count))
    }
}
