/// A compact hash multimap from 64-bit keys to 32-bit slots: open addressing with linear probing over two flat
/// arrays, 8 bytes an entry. Only a 32-bit fingerprint of each key is stored (it also picks the bucket, so the
/// table can grow without the keys), so a lookup may return a slot of another key with the same fingerprint —
/// rarely, and callers confirm against the record's full keys.
///
/// Written by hand because the dedup memory must stay under a few hundred bytes per remembered article at a
/// million articles, and `Dictionary<UInt64, [UInt32]>` costs several hundred bytes per key in allocations and
/// per-bucket arrays. Keys are hashes already, so the key itself picks the bucket. Removal is lazy: callers
/// filter out slots that are no longer live, and `compact` drops them in one pass.
public struct KeyIndex: Sendable {
    private var keys: [UInt32]
    private var slots: [UInt32]
    public private(set) var count = 0

    /// 0 marks an empty bucket, so a fingerprint of 0 is stored as 1.
    private static let empty: UInt32 = 0
    static let maxLoad = 0.8

    public init(capacity: Int = 1024) {
        let buckets = max(16, Int(Double(capacity) / Self.maxLoad) + 1)
        self.keys = Array(repeating: Self.empty, count: buckets)
        self.slots = Array(repeating: 0, count: buckets)
    }

    /// Bytes held by the table.
    public var memoryBytes: Int { self.keys.count * 8 }

    @inline(__always)
    private static func fingerprint(_ key: UInt64) -> UInt32 {
        let upper = UInt32(truncatingIfNeeded: key >> 32)
        return upper == Self.empty ? 1 : upper
    }

    @inline(__always)
    private func bucket(_ fingerprint: UInt32) -> Int {
        // Multiply-shift maps the fingerprint onto any table size without a power-of-two size.
        Int((UInt64(fingerprint) &* UInt64(self.keys.count)) >> 32)
    }

    /// Adds `slot` under `key` (a key may hold several slots).
    public mutating func insert(_ key: UInt64, slot: UInt32) {
        if Double(self.count + 1) > Double(self.keys.count) * Self.maxLoad {
            self.resize(to: self.keys.count + self.keys.count / 2 + 16, keeping: { _ in true })
        }
        self.place(Self.fingerprint(key), slot)
        self.count += 1
    }

    private mutating func place(_ fingerprint: UInt32, _ slot: UInt32) {
        var index = self.bucket(fingerprint)
        while self.keys[index] != Self.empty {
            index += 1
            if index == self.keys.count { index = 0 }
        }
        self.keys[index] = fingerprint
        self.slots[index] = slot
    }

    /// Calls `body` with every slot stored under `key`.
    @inline(__always)
    public func forEach(_ key: UInt64, _ body: (UInt32) -> Void) {
        let fingerprint = Self.fingerprint(key)
        var index = self.bucket(fingerprint)
        while self.keys[index] != Self.empty {
            if self.keys[index] == fingerprint { body(self.slots[index]) }
            index += 1
            if index == self.keys.count { index = 0 }
        }
    }

    /// Reads the first bucket of each key, independently of one another, so the cache misses of a large table
    /// overlap instead of coming one after another in the lookups and inserts that follow. Returns a value only so
    /// that the reads are not optimized away.
    public func warm(_ keys: [UInt64]) -> UInt32 {
        var touched: UInt32 = 0
        for key in keys {
            let index = self.bucket(Self.fingerprint(key))
            touched &+= self.keys[index] &+ self.slots[index]
        }
        return touched
    }

    /// The slots under `key`.
    public func slots(for key: UInt64) -> [UInt32] {
        var result: [UInt32] = []
        self.forEach(key) { result.append($0) }
        return result
    }

    /// Drops every entry whose slot is no longer live, and shrinks the table to fit what is left.
    public mutating func compact(keeping isLive: (UInt32) -> Bool) {
        var live = 0
        for index in self.keys.indices where self.keys[index] != Self.empty && isLive(self.slots[index]) { live += 1 }
        self.resize(to: max(16, Int(Double(live) / Self.maxLoad * 1.25) + 1), keeping: isLive)
    }

    private mutating func resize(to buckets: Int, keeping isLive: (UInt32) -> Bool) {
        let oldKeys = self.keys
        let oldSlots = self.slots
        self.keys = Array(repeating: Self.empty, count: buckets)
        self.slots = Array(repeating: 0, count: buckets)
        self.count = 0
        for index in oldKeys.indices where oldKeys[index] != Self.empty && isLive(oldSlots[index]) {
            self.place(oldKeys[index], oldSlots[index])
            self.count += 1
        }
    }
}
