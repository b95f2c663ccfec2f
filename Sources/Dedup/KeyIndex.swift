/// A compact hash multimap from 64-bit keys to 32-bit slots: open addressing with linear probing over two flat
/// arrays, 6 bytes an entry. Only a 24-bit fingerprint of each key is stored (it also picks the bucket, so the
/// table can grow without the keys), so a lookup may return a slot of another key with the same fingerprint —
/// rarely, and callers confirm against the record's full keys.
///
/// Slots are kept as their low 24 bits and read back as the latest slot before `before` with those bits: the
/// dedup window is a run of consecutive slots far shorter than 2²⁴ (`maxWindow`), and entries of forgotten slots are
/// dropped by `compact` long before their 24 bits could name a live one again.
///
/// Written by hand because the dedup memory must stay small per remembered article at a million articles, and
/// `Dictionary<UInt64, [UInt32]>` costs several hundred bytes per key in allocations and per-bucket arrays. Keys
/// are hashes already, so the key itself picks the bucket. Removal is lazy: callers filter out slots that are no
/// longer live, and `compact` drops them in one pass.
public struct KeyIndex: Sendable {
    /// Fingerprint in the upper 24 bits (0 only in an empty bucket), slot bits 16…23 in the lower 8.
    private var words: [UInt32]
    /// Slot bits 0…15.
    private var lows: [UInt16]
    public private(set) var count = 0

    static let maxLoad = 0.8
    static let slotMask: UInt32 = 0xFF_FFFF
    /// The longest run of live slots the 24 bits tell apart, with room for the dead ones `compact` has yet to drop
    /// (at most a third of the live ones, or 4,096).
    public static let maxWindow = 10_000_000

    public init(capacity: Int = 1024) {
        let buckets = max(16, Int(Double(capacity) / Self.maxLoad) + 1)
        self.words = Array(repeating: 0, count: buckets)
        self.lows = Array(repeating: 0, count: buckets)
    }

    /// Bytes held by the table.
    public var memoryBytes: Int { self.words.count * 6 }

    /// The key's upper 24 bits, never 0 (which marks an empty bucket).
    @inline(__always)
    private static func fingerprint(_ key: UInt64) -> UInt32 {
        let upper = UInt32(truncatingIfNeeded: key >> 40)
        return upper == 0 ? 1 : upper
    }

    @inline(__always)
    private func bucket(_ fingerprint: UInt32) -> Int {
        // Multiply-shift maps the fingerprint onto any table size without a power-of-two size.
        Int((UInt64(fingerprint) &* UInt64(self.words.count)) >> 24)
    }

    @inline(__always)
    private static func slot(word: UInt32, low: UInt16, before: UInt32) -> UInt32 {
        let bits = (word & 0xFF) << 16 | UInt32(low)
        let newest = before &- 1
        return newest &- ((newest &- bits) & Self.slotMask)
    }

    /// Adds `slot` under `key` (a key may hold several slots).
    public mutating func insert(_ key: UInt64, slot: UInt32) {
        if Double(self.count + 1) > Double(self.words.count) * Self.maxLoad {
            self.resize(to: self.words.count + self.words.count / 2 + 16, keeping: { _, _ in true })
        }
        self.place(Self.fingerprint(key) << 8 | (slot >> 16) & 0xFF, UInt16(truncatingIfNeeded: slot))
        self.count += 1
    }

    private mutating func place(_ word: UInt32, _ low: UInt16) {
        var index = self.bucket(word >> 8)
        while self.words[index] != 0 {
            index += 1
            if index == self.words.count { index = 0 }
        }
        self.words[index] = word
        self.lows[index] = low
    }

    /// Calls `body` with every slot stored under `key`, read back as the latest slot before `before` (the next slot
    /// the caller will hand out).
    @inline(__always)
    public func forEach(_ key: UInt64, before: UInt32, _ body: (UInt32) -> Void) {
        let fingerprint = Self.fingerprint(key)
        var index = self.bucket(fingerprint)
        while self.words[index] != 0 {
            if self.words[index] >> 8 == fingerprint {
                body(Self.slot(word: self.words[index], low: self.lows[index], before: before))
            }
            index += 1
            if index == self.words.count { index = 0 }
        }
    }

    /// Reads the first bucket of each key, independently of one another, so the cache misses of a large table
    /// overlap instead of coming one after another in the lookups and inserts that follow. Returns a value only so
    /// that the reads are not optimized away.
    public func warm(_ keys: [UInt64]) -> UInt32 {
        var touched: UInt32 = 0
        for key in keys {
            let index = self.bucket(Self.fingerprint(key))
            touched &+= self.words[index] &+ UInt32(self.lows[index])
        }
        return touched
    }

    /// The slots under `key`.
    public func slots(for key: UInt64, before: UInt32) -> [UInt32] {
        var result: [UInt32] = []
        self.forEach(key, before: before) { result.append($0) }
        return result
    }

    /// Drops every entry whose slot is no longer live, and shrinks the table to fit what is left.
    public mutating func compact(before: UInt32, keeping isLive: (UInt32) -> Bool) {
        var live = 0
        for index in self.words.indices
        where self.words[index] != 0 && isLive(Self.slot(word: self.words[index], low: self.lows[index], before: before)) {
            live += 1
        }
        self.resize(to: max(16, Int(Double(live) / Self.maxLoad * 1.25) + 1)) { word, low in
            isLive(Self.slot(word: word, low: low, before: before))
        }
    }

    private mutating func resize(to buckets: Int, keeping isLive: (UInt32, UInt16) -> Bool) {
        let oldWords = self.words
        let oldLows = self.lows
        self.words = Array(repeating: 0, count: buckets)
        self.lows = Array(repeating: 0, count: buckets)
        self.count = 0
        for index in oldWords.indices where oldWords[index] != 0 && isLive(oldWords[index], oldLows[index]) {
            self.place(oldWords[index], oldLows[index])
            self.count += 1
        }
    }
}
