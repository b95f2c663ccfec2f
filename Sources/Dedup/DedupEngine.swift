import Articles
import Foundation

/// The dedup step: exact keys first (normalized text, canonical URL, id), then near-duplicate search.
///
/// Memory: RAM holds only a `KeyIndex` from key to slot (exact keys, LSH bands, sampled paragraph fingerprints)
/// and each slot's age; everything else about a remembered article — its id, cluster and near-duplicate features
/// — is a `DedupRecord` in a `DedupRecordSource` (the store, in the daemon), read for the few candidates a
/// lookup finds. The records of recent articles are cached, which also covers those not yet written.
///
/// It is one ordered step: a verdict for B depends on having seen A, so it is used from one thread at a time.
/// Every copy and version of a story shares the `cluster` of its first-seen copy, which `of` names.
public struct DedupEngine: Sendable {
    public var settings: NearDedupSettings
    public let maxArticles: Int
    private var index: KeyIndex
    /// First-seen second of each live slot, `baseSlot` first.
    private var ages: [UInt32] = []
    private var agesStart = 0
    public private(set) var baseSlot: UInt32
    public private(set) var nextSlot: UInt32
    private var recent: [UInt32: DedupRecord] = [:]
    private let source: any DedupRecordSource
    /// Written only so that `KeyIndex.warm`'s reads stay.
    private var warmed: UInt32 = 0

    /// Records kept in the recent cache at most; it drops the older half when full.
    private let recentRecords: Int
    /// Candidates verified at most per article, so a pathological bucket cannot stall the pipeline.
    static let maxCandidates = 64

    public init(
        settings: NearDedupSettings = NearDedupSettings(), maxArticles: Int = 1_000_000,
        source: any DedupRecordSource = InMemoryDedupRecords(), nextSlot: UInt32 = 0, unwritten: Int = 2048
    ) {
        // Decided articles may reach `source` later (the daemon writes their records with their journal entries): the
        // cache must always hold that many of the newest, and need hold no more (each record is about a kilobyte).
        self.recentRecords = 2 * max(unwritten, 256)
        self.settings = settings
        self.maxArticles = maxArticles
        self.index = KeyIndex()
        self.source = source
        self.baseSlot = nextSlot
        self.nextSlot = nextSlot
    }

    /// Articles remembered.
    public var count: Int { Int(self.nextSlot - self.baseSlot) }

    /// RAM held by the index and the ages.
    public var memoryBytes: Int { self.index.memoryBytes + self.ages.capacity * 4 }

    @inline(__always)
    func isLive(_ slot: UInt32) -> Bool { slot >= self.baseSlot && slot < self.nextSlot }

    func record(_ slot: UInt32) -> DedupRecord? {
        guard self.isLive(slot) else { return nil }
        return self.recent[slot] ?? self.source.record(slot)
    }

    /// What dedup derives from an article alone, before it reads the memory: most of its cost (normalizing,
    /// shingling, MinHash), and safe on any thread, so a pipeline can compute it in parallel and keep only
    /// `check` in order.
    public struct Probe: Sendable {
        let features: TextFeatures
        let textKey: UInt64
        let urlKey: UInt64?
        let idKey: UInt64
        let signature: MinHashSignature
        let bandKeys: [UInt64]
        let paragraphKeys: [UInt64]
    }

    /// A static function of the settings, so worker threads need no copy of the engine (whose index a copy would
    /// duplicate at the next write).
    public static func probe(_ article: Article, settings: NearDedupSettings) -> Probe {
        let features = TextFeatures(text: article.text, shingleSize: settings.shingleSize)
        let signature = MinHashSignature(shingles: features.shingles)
        return Probe(
            features: features, textKey: ExactKeys.text(paragraphs: features.normalizedParagraphs),
            urlKey: article.canonicalURL.map(ExactKeys.url), idKey: ExactKeys.id(article.id), signature: signature,
            bandKeys: signature.bandKeys(bands: settings.bands, rows: settings.rows),
            paragraphKeys: NearVerifier.sampledParagraphKeys(features, count: settings.sampledParagraphs)
        )
    }

    public mutating func check(_ article: Article, now: Date = Date()) -> DedupVerdict {
        self.check(article, probe: Self.probe(article, settings: self.settings), now: now)
    }

    /// Decides an article against the memory and remembers it. `probe` must come from `probe(article, settings:)` with
    /// this engine's shingle size and bands.
    public mutating func check(_ article: Article, probe: Probe, now: Date = Date()) -> DedupVerdict {
        let features = probe.features
        let textKey = probe.textKey
        let urlKey = probe.urlKey
        let idKey = probe.idKey
        let signature = probe.signature
        let bandKeys = probe.bandKeys
        let paragraphKeys = probe.paragraphKeys
        // Every bucket this article will read or write, touched at once: at a million articles the index is far
        // larger than the caches, and the misses then overlap.
        self.warmed = self.index.warm([textKey, idKey] + (urlKey.map { [$0] } ?? []) + bandKeys + paragraphKeys)
        for slot in self.index.slots(for: textKey) {
            if let hit = self.record(slot), hit.keys.contains(textKey) {
                return DedupVerdict(
                    info: DedupInfo(status: .exact, of: hit.cluster, similarity: 1.0, cluster: hit.cluster), record: nil
                )
            }
        }

        var candidates: [UInt32: Int] = [:]
        for key in bandKeys + paragraphKeys {
            self.index.forEach(key) { slot in
                if self.isLive(slot) { candidates[slot, default: 0] += 1 }
            }
        }
        var best: (record: DedupRecord, match: NearVerifier.Match)? = nil
        let ranked = candidates.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (slot, _) in ranked.prefix(Self.maxCandidates) {
            guard let record = self.record(slot), let remembered = record.features,
                let match = NearVerifier.verify(features, signature, against: remembered, settings: self.settings)
            else { continue }
            if best == nil || match.similarity > best!.match.similarity {
                best = (record, match)
            }
        }
        var sameStory: DedupRecord? = nil
        for key in [urlKey, idKey].compactMap({ $0 }) where sameStory == nil {
            for slot in self.index.slots(for: key) where sameStory == nil {
                if let record = self.record(slot), record.keys.contains(key) { sameStory = record }
            }
        }

        let info: DedupInfo
        if let best {
            info = DedupInfo(
                status: best.match.isUpdate ? .update : .near, of: best.record.cluster,
                similarity: best.match.similarity, cluster: best.record.cluster
            )
        } else if let story = sameStory {
            // The same page or id with a text unlike the one remembered: a rewritten version of the story.
            info = DedupInfo(status: .update, of: story.cluster, similarity: nil, cluster: story.cluster)
        } else {
            info = DedupInfo(status: .unique, of: nil, similarity: nil, cluster: article.id)
        }
        // Remember the text (so a re-send is an exact copy), the URL and id if new, and for new content what near
        // search needs.
        let isNew = info.status == .unique || info.status == .update
        var keys = [textKey]
        if let urlKey, sameStory == nil || info.status == .unique { keys.append(urlKey) }
        if sameStory == nil { keys.append(idKey) }
        if isNew { keys += bandKeys + paragraphKeys }
        let record = DedupRecord(
            slot: self.nextSlot, articleID: article.id, cluster: info.cluster, firstSeen: now, keys: keys,
            features: isNew ? NearFeatures(features, signature: signature) : nil
        )
        self.remember(record)
        return DedupVerdict(info: info, record: record)
    }

    mutating func remember(_ record: DedupRecord) {
        self.restore(slot: record.slot, firstSeen: record.firstSeen, keys: record.keys)
        self.source.keep(record)
        self.recent[record.slot] = record
        if self.recent.count > self.recentRecords {
            // Drop the older half; they are in the source by now.
            let cutoff = self.nextSlot &- UInt32(self.recentRecords / 2)
            self.recent = self.recent.filter { $0.key >= cutoff }
        }
    }

    /// Re-enters a remembered article (from the store, at start), oldest first.
    public mutating func restore(slot: UInt32, firstSeen: Date, keys: [UInt64]) {
        if self.count == 0 {
            self.baseSlot = slot
            self.nextSlot = slot
        }
        guard slot >= self.nextSlot else { return }
        // Slots are dense; a gap (rows trimmed in the store) is filled with expired ages.
        while self.nextSlot < slot {
            self.ages.append(0)
            self.nextSlot += 1
        }
        for key in keys { self.index.insert(key, slot: slot) }
        self.ages.append(UInt32(clamping: Int(max(0, firstSeen.timeIntervalSince1970))))
        self.nextSlot = slot + 1
        while self.count > self.maxArticles { self.evictOldest() }
    }

    /// Moves the next slot on to `slot`, past slots taken by other daemons sharing the memory that this one will
    /// never see (they were forgotten before it looked).
    public mutating func skip(to slot: UInt32) {
        guard slot > self.nextSlot else { return }
        if self.count == 0 {
            self.baseSlot = slot
            self.nextSlot = slot
            return
        }
        while self.nextSlot < slot {
            self.ages.append(0)
            self.nextSlot += 1
        }
        while self.count > self.maxArticles { self.evictOldest() }
    }

    /// Forgets articles first seen before `cutoff`.
    public mutating func evict(olderThan cutoff: Date) {
        let limit = UInt32(clamping: Int(max(0, cutoff.timeIntervalSince1970)))
        while self.count > 0, self.ages[self.agesStart] < limit { self.evictOldest() }
    }

    private mutating func evictOldest() {
        self.baseSlot += 1
        self.source.forget(below: self.baseSlot)
        self.agesStart += 1
        if self.agesStart > 4096 && self.agesStart * 2 > self.ages.count {
            self.ages.removeFirst(self.agesStart)
            self.agesStart = 0
        }
        self.index.forget(below: self.baseSlot, next: self.nextSlot)
    }
}
