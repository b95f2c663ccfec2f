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
    /// Texts with fewer shingles are too short to judge by containment (a one-line brief is in many articles).
    public var minimumShingles = 20
    /// Words per shingle. Changing it makes the remembered signatures incomparable: it needs a restart, and
    /// near-duplicate memory built with another size is dropped at start.
    public var shingleSize = 5
    /// LSH bands over the 64-value signature (more bands: lower similarities become candidates). Restart only.
    public var bands = 16

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

/// One remembered article, as near-duplicate search needs it.
public struct NearEntry: Sendable, Equatable {
    public let articleID: String
    public let cluster: String
    public let firstSeen: Date
    public let signature: MinHashSignature
    public let paragraphs: [UInt64]
    public let paragraphWords: [Int]
    public let paragraphHeads: [UInt64]
    public let paragraphTails: [UInt64]

    public init(articleID: String, cluster: String, firstSeen: Date, signature: MinHashSignature,
                paragraphs: [UInt64], paragraphWords: [Int], paragraphHeads: [UInt64], paragraphTails: [UInt64]) {
        self.articleID = articleID
        self.cluster = cluster
        self.firstSeen = firstSeen
        self.signature = signature
        self.paragraphs = paragraphs
        self.paragraphWords = paragraphWords
        self.paragraphHeads = paragraphHeads
        self.paragraphTails = paragraphTails
    }
}

extension NearEntry {
    /// Layout version of `featureBytes`.
    static let featureVersion: UInt8 = 1

    /// The signature and paragraphs as bytes: version, shingle size, little-endian u32 shingle count, 64 × u32
    /// signature, u32 paragraph count, then per paragraph u64 hash, u32 words, u64 head hash and u64 tail hash.
    public func featureBytes(shingleSize: Int) -> [UInt8] {
        var bytes: [UInt8] = [Self.featureVersion, UInt8(clamping: shingleSize)]
        bytes.reserveCapacity(8 + 4 * MinHashSignature.count + 12 * self.paragraphs.count)
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(UInt32(clamping: self.signature.shingleCount))
        for value in self.signature.values { append(value) }
        append(UInt32(self.paragraphs.count))
        for index in self.paragraphs.indices {
            append(self.paragraphs[index])
            append(UInt32(clamping: self.paragraphWords[index]))
            append(self.paragraphHeads[index])
            append(self.paragraphTails[index])
        }
        return bytes
    }

    /// Rebuilds an entry from `featureBytes`; nil when they are truncated, malformed, or made with another
    /// shingle size (their signatures would not be comparable).
    public init?(articleID: String, cluster: String, firstSeen: Date, featureBytes bytes: [UInt8], shingleSize: Int) {
        guard bytes.count >= 2, bytes[0] == Self.featureVersion, Int(bytes[1]) == shingleSize else { return nil }
        var offset = 2
        func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            var value: T = 0
            for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
            offset += MemoryLayout<T>.size
            return value
        }
        guard let shingles = read(UInt32.self) else { return nil }
        var values: [UInt32] = []
        for _ in 0..<MinHashSignature.count {
            guard let value = read(UInt32.self) else { return nil }
            values.append(value)
        }
        guard let paragraphCount = read(UInt32.self), paragraphCount <= 100_000 else { return nil }
        var paragraphs: [UInt64] = []
        var words: [Int] = []
        var heads: [UInt64] = []
        var tails: [UInt64] = []
        for _ in 0..<paragraphCount {
            guard let hash = read(UInt64.self), let count = read(UInt32.self), let head = read(UInt64.self),
                let tail = read(UInt64.self)
            else { return nil }
            paragraphs.append(hash)
            words.append(Int(count))
            heads.append(head)
            tails.append(tail)
        }
        self.init(
            articleID: articleID, cluster: cluster, firstSeen: firstSeen,
            signature: MinHashSignature(values: values, shingleCount: Int(shingles)), paragraphs: paragraphs,
            paragraphWords: words, paragraphHeads: heads, paragraphTails: tails
        )
    }
}

/// Near-duplicate search over the remembered window: MinHash + LSH and shared-paragraph fingerprints find
/// candidates; each candidate is verified by estimated Jaccard and containment, in shingles and in paragraphs.
public struct NearDedup: Sendable {
    public var settings: NearDedupSettings
    private var entries: [Int: NearEntry] = [:]
    private var nextSlot = 0
    private var bandIndex: [UInt64: [Int]] = [:]
    private var paragraphIndex: [UInt64: [Int]] = [:]
    /// Slots in insertion order, for eviction.
    private var order: [Int] = []
    private var orderStart = 0
    public let maxEntries: Int

    /// Paragraphs shorter than this are not indexed: datelines and "Advertisement" are in everything.
    static let indexedParagraphWords = 8
    /// Candidates verified at most per article, so a pathological bucket cannot stall the pipeline.
    static let maxCandidates = 64

    public init(settings: NearDedupSettings = NearDedupSettings(), maxEntries: Int = 2_000_000) {
        self.settings = settings
        self.maxEntries = maxEntries
    }

    public var count: Int { self.entries.count }

    /// The verdict of a near search: the best matching remembered article, if any.
    public struct Match: Sendable, Equatable {
        public let entry: NearEntry
        public let similarity: Double
        public let isUpdate: Bool
    }

    /// Finds the remembered article that `features` copies, if any. Does not remember anything.
    public func search(_ features: TextFeatures, signature: MinHashSignature) -> Match? {
        var candidates: [Int: Int] = [:]
        for key in signature.bandKeys(bands: self.settings.bands) {
            for slot in self.bandIndex[key] ?? [] { candidates[slot, default: 0] += 1 }
        }
        for (index, paragraph) in features.paragraphs.enumerated()
        where features.paragraphWords[index] >= Self.indexedParagraphWords {
            for slot in self.paragraphIndex[paragraph] ?? [] { candidates[slot, default: 0] += 1 }
        }
        var best: Match? = nil
        let ranked = candidates.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (slot, _) in ranked.prefix(Self.maxCandidates) {
            guard let entry = self.entries[slot], let match = self.verify(features, signature, against: entry) else {
                continue
            }
            if best == nil || match.similarity > best!.similarity
                || (match.similarity == best!.similarity && entry.firstSeen < best!.entry.firstSeen)
            {
                best = match
            }
        }
        return best
    }

    /// Decides whether the new text is a copy of `entry`, and whether it is an update of it.
    func verify(_ features: TextFeatures, _ signature: MinHashSignature, against entry: NearEntry) -> Match? {
        let jaccard = signature.jaccard(entry.signature)
        let newCount = Double(signature.shingleCount)
        let oldCount = Double(entry.signature.shingleCount)
        // |A ∩ B| from J = |A ∩ B| / |A ∪ B| and |A ∪ B| = |A| + |B| - |A ∩ B|.
        let shared = jaccard / (1 + jaccard) * (newCount + oldCount)
        let oldInNew = oldCount > 0 ? min(1, shared / oldCount) : 0
        let newInOld = newCount > 0 ? min(1, shared / newCount) : 0

        // The same measures over paragraphs: exact where a copy kept paragraphs whole. A new paragraph that ends
        // (or starts) like an old one is that paragraph with a prefix (or suffix) added: only the difference is new.
        var oldParagraphs: [UInt64: Int] = [:]
        var oldEdges: [UInt64: Int] = [:]
        for index in entry.paragraphs.indices {
            oldParagraphs[entry.paragraphs[index]] = entry.paragraphWords[index]
            if entry.paragraphWords[index] >= TextFeatures.edgeWords {
                oldEdges[entry.paragraphHeads[index]] = entry.paragraphWords[index]
                oldEdges[entry.paragraphTails[index]] = entry.paragraphWords[index]
            }
        }
        let oldWords = entry.paragraphWords.reduce(0, +)
        let newWords = features.paragraphWords.reduce(0, +)
        var sharedWords = 0
        var addedWords = 0
        var substantialParagraph = false
        for (index, paragraph) in features.paragraphs.enumerated() {
            let words = features.paragraphWords[index]
            if oldParagraphs[paragraph] != nil {
                sharedWords += words
            } else if words >= TextFeatures.edgeWords,
                let original = oldEdges[features.paragraphHeads[index]] ?? oldEdges[features.paragraphTails[index]]
            {
                sharedWords += min(words, original)
                addedWords += max(0, words - original)
            } else {
                addedWords += words
                if words >= self.settings.updateParagraphWords && features.paragraphEndsSentence[index] {
                    substantialParagraph = true
                }
            }
        }
        let paragraphOldInNew = oldWords > 0 ? Double(sharedWords) / Double(oldWords) : 0
        let paragraphNewInOld = newWords > 0 ? Double(sharedWords) / Double(newWords) : 0
        let paragraphJaccard = Double(sharedWords) / Double(max(1, oldWords + newWords - sharedWords))

        let similarity = max(jaccard, paragraphJaccard)
        let largeEnough = min(newCount, oldCount) >= Double(self.settings.minimumShingles)
        let containsOld = max(oldInNew, paragraphOldInNew) >= self.settings.containment
        let containedInOld = max(newInOld, paragraphNewInOld) >= self.settings.containment
        guard similarity >= self.settings.jaccard || (largeEnough && (containsOld || containedInOld)) else {
            return nil
        }
        // An update keeps the old text and adds to it: a share of new words, or a new paragraph inside the body.
        let addedShare = oldWords > 0 ? Double(addedWords) / Double(oldWords) : 0
        let isUpdate = containsOld && (addedShare >= self.settings.updateShare || substantialParagraph)
        return Match(entry: entry, similarity: (similarity * 1000).rounded() / 1000, isUpdate: isUpdate)
    }

    /// Remembers an article.
    public mutating func insert(_ entry: NearEntry) {
        let slot = self.nextSlot
        self.nextSlot += 1
        self.entries[slot] = entry
        self.order.append(slot)
        for key in entry.signature.bandKeys(bands: self.settings.bands) { self.bandIndex[key, default: []].append(slot) }
        for (index, paragraph) in entry.paragraphs.enumerated()
        where entry.paragraphWords[index] >= Self.indexedParagraphWords {
            self.paragraphIndex[paragraph, default: []].append(slot)
        }
        while self.entries.count > self.maxEntries { self.evictOldest() }
    }

    /// Forgets articles first seen before `cutoff`.
    public mutating func evict(olderThan cutoff: Date) {
        while self.orderStart < self.order.count,
            let entry = self.entries[self.order[self.orderStart]], entry.firstSeen < cutoff
        {
            self.evictOldest()
        }
    }

    private mutating func evictOldest() {
        guard self.orderStart < self.order.count else { return }
        let slot = self.order[self.orderStart]
        self.orderStart += 1
        if let entry = self.entries.removeValue(forKey: slot) {
            for key in entry.signature.bandKeys(bands: self.settings.bands) {
                self.bandIndex[key]?.removeAll { $0 == slot }
                if self.bandIndex[key]?.isEmpty == true { self.bandIndex[key] = nil }
            }
            for paragraph in entry.paragraphs {
                self.paragraphIndex[paragraph]?.removeAll { $0 == slot }
                if self.paragraphIndex[paragraph]?.isEmpty == true { self.paragraphIndex[paragraph] = nil }
            }
        }
        if self.orderStart > 4096 && self.orderStart * 2 > self.order.count {
            self.order.removeFirst(self.orderStart)
            self.orderStart = 0
        }
    }
}
