/// A compact multimap from 64-bit keys to 32-bit slots, for slots handed out in order: the newest block of slots in
/// an open hash table, every older block frozen into a sorted run of 4 bytes an entry, and every four frozen runs of
/// a size merged into one of four times the size (as in a log-structured merge tree), so a lookup reads a handful
/// of runs at a million slots rather than one per block.
///
/// Only 31–32 bits of each key are kept, so a lookup may return a slot of another key — rarely (a few in a
/// thousand lookups at a million articles), and callers confirm against the record's full keys.
///
/// Written by hand because the dedup memory must stay small per remembered article at a million articles, about
/// 13 keys each: `Dictionary<UInt64, [UInt32]>` costs several hundred bytes per key, and even a flat open-addressing
/// table of 6-byte entries costs 9 bytes a key once its empty buckets are counted. A frozen block has no empty
/// buckets: a directory on the key's top bits, then the next 16 bits of the key and the slot's 16-bit offset in the
/// block, sorted. Keys are hashes already, so they need no further hashing. Forgetting is by whole blocks (lookups
/// skip the dead slots of the oldest, partly live run). Freezing and merging happen inline when a block fills, in
/// linear passes plus a sort of each small cell: each entry is merged once per level, and the daemon's window of a
/// million slots has two levels.
public struct KeyIndex: Sendable {
    /// Slots per block: the offsets of a block's slots fit 16 bits.
    public static let blockSlots = 1 << 16

    /// The largest dedup window the daemon accepts. Nothing in the index needs the bound; ten million articles
    /// already take about 600 MB, and a larger window is likelier a typo than a plan.
    public static let maxWindow = 10_000_000

    /// A sorted run of entries: `level` 0 is one block, each level up four runs of the level below.
    struct Frozen: Sendable {
        let base: UInt32
        /// One past the run's newest slot.
        let end: UInt32
        let level: Int
        /// Start of each cell's entries in `entries`, and the end after the last.
        let directory: [UInt32]
        /// The key's `residualBits` after the cell bits, then the slot's offset from `base` in `offsetBits`; sorted
        /// within a cell.
        let entries: [UInt32]

        // Each level up, slot offsets take 2 more bits, and the key 2 fewer in the entry and 2 more in the cell
        // (a run 4 times longer keeps its cells as full): every level keeps the same 31 bits of the key, so runs
        // merge without the keys themselves.
        var cellBits: Int { Frozen.cellBits(self.level) }
        var offsetBits: Int { 16 + 2 * self.level }
        var residualBits: Int { 16 - 2 * self.level }
        static func cellBits(_ level: Int) -> Int { 15 + 2 * level }

        /// The 31 key bits an entry keeps, in the upper bits of a fingerprint.
        @inline(__always)
        func fingerprint(cell: Int, entry: UInt32) -> UInt32 {
            UInt32(cell) &<< UInt32(32 - self.cellBits)
                | (entry &>> UInt32(self.offsetBits)) &<< UInt32(32 - self.cellBits - self.residualBits)
        }

        @inline(__always)
        func forEach(_ fingerprint: UInt32, _ body: (UInt32) -> Void) {
            let cell = Int(fingerprint &>> UInt32(32 - self.cellBits))
            let residual = (fingerprint &<< UInt32(self.cellBits)) &>> UInt32(32 - self.residualBits)
            let offsetBits = UInt32(self.offsetBits)
            let offsetMask = (UInt32(1) &<< offsetBits) &- 1
            var low = Int(self.directory[cell])
            let end = Int(self.directory[cell + 1])
            var high = end
            // First entry whose residual is at least ours; cells hold a few dozen entries.
            let target = residual &<< offsetBits
            while low < high {
                let middle = (low + high) >> 1
                if self.entries[middle] < target { low = middle + 1 } else { high = middle }
            }
            while low < end, self.entries[low] &>> offsetBits == residual {
                body(self.base &+ (self.entries[low] & offsetMask))
                low += 1
            }
        }

        /// Builds a run from `count` (fingerprint, slot offset) pairs that `pairs` yields (it is called twice).
        init(level: Int, base: UInt32, end: UInt32, count: Int, pairs: ((UInt32, UInt32) -> Void) -> Void) {
            self.base = base
            self.end = end
            self.level = level
            let cellBits = Frozen.cellBits(level)
            let cells = 1 << cellBits
            let shift = UInt32(32 - cellBits)
            let residualShift = UInt32(32 - (16 - 2 * level))
            let offsetBits = UInt32(16 + 2 * level)
            var directory = [UInt32](repeating: 0, count: cells + 1)
            pairs { fingerprint, _ in directory[Int(fingerprint &>> shift) + 1] += 1 }
            for cell in 0..<cells { directory[cell + 1] += directory[cell] }
            var fill = directory
            var entries = [UInt32](repeating: 0, count: count)
            pairs { fingerprint, offset in
                let cell = Int(fingerprint &>> shift)
                entries[Int(fill[cell])] = ((fingerprint &<< UInt32(cellBits)) &>> residualShift) &<< offsetBits | offset
                fill[cell] += 1
            }
            entries.withUnsafeMutableBufferPointer { entries in
                for cell in 0..<cells {
                    let start = Int(directory[cell])
                    let end = Int(directory[cell + 1])
                    if end - start > 1 { entries[start..<end].sort() }
                }
            }
            self.directory = directory
            self.entries = entries
        }
    }

    /// Runs are merged up to this level; beyond it they only accumulate. A run is forgotten only once all its
    /// slots are, so a run longer than a third of the window would keep that much dead weight.
    let maxLevel: Int

    /// Upper 32 bits of each key in the open block (0 only in an empty bucket).
    private var openKeys: [UInt32]
    /// Each open entry's slot, as its offset from `openBase`.
    private var openOffsets: [UInt16]
    private var openCount = 0
    private var openBase: UInt32 = 0
    /// Older blocks, oldest first.
    private var frozen: [Frozen] = []
    /// The newest slot inserted.
    private var newest: UInt32 = 0
    private var isEmpty = true

    static let maxLoad = 0.8

    /// `window`: how many of the newest slots the caller keeps live (`forget`); it bounds how long a merged run gets.
    public init(capacity: Int = 1024, window: Int = 1 << 30) {
        var level = 0
        while level < 3 && 1 << (16 + 2 * (level + 1)) <= window / 3 { level += 1 }
        self.maxLevel = level
        let buckets = Self.buckets(for: capacity)
        self.openKeys = Array(repeating: 0, count: buckets)
        self.openOffsets = Array(repeating: 0, count: buckets)
    }

    private static func buckets(for capacity: Int) -> Int { max(16, Int(Double(capacity) / Self.maxLoad) + 1) }

    /// Entries held.
    public var count: Int { self.openCount + self.frozen.reduce(0) { $0 + $1.entries.count } }

    /// Bytes held by the tables.
    public var memoryBytes: Int {
        self.openKeys.count * 6 + self.frozen.reduce(0) { $0 + ($1.entries.count + $1.directory.count) * 4 }
    }

    /// Frozen runs held.
    public var frozenRuns: Int { self.frozen.count }

    @inline(__always)
    private static func fingerprint(_ key: UInt64) -> UInt32 {
        let upper = UInt32(truncatingIfNeeded: key >> 32)
        return upper == 0 ? 1 : upper
    }

    @inline(__always)
    private func bucket(_ fingerprint: UInt32) -> Int {
        // Multiply-shift maps the fingerprint onto any table size without a power-of-two size.
        Int((UInt64(fingerprint) &* UInt64(self.openKeys.count)) >> 32)
    }

    /// Adds `slot` under `key` (a key may hold several slots). Slots must come in order: each at least the one before.
    public mutating func insert(_ key: UInt64, slot: UInt32) {
        if self.isEmpty {
            self.isEmpty = false
            self.openBase = slot
        } else if slot &- self.openBase >= UInt32(Self.blockSlots) {
            self.freezeOpenBlock(nextBase: slot)
        }
        self.newest = slot
        if Double(self.openCount + 1) > Double(self.openKeys.count) * Self.maxLoad {
            self.rebuildOpen(buckets: self.openKeys.count + self.openKeys.count / 2 + 16, dropBelow: 0)
        }
        self.place(Self.fingerprint(key), UInt16(truncatingIfNeeded: slot &- self.openBase))
        self.openCount += 1
    }

    private mutating func place(_ fingerprint: UInt32, _ offset: UInt16) {
        var index = self.bucket(fingerprint)
        while self.openKeys[index] != 0 {
            index += 1
            if index == self.openKeys.count { index = 0 }
        }
        self.openKeys[index] = fingerprint
        self.openOffsets[index] = offset
    }

    /// Calls `body` with every slot stored under `key`, newest block first.
    @inline(__always)
    public func forEach(_ key: UInt64, _ body: (UInt32) -> Void) {
        let fingerprint = Self.fingerprint(key)
        var index = self.bucket(fingerprint)
        while self.openKeys[index] != 0 {
            if self.openKeys[index] == fingerprint { body(self.openBase &+ UInt32(self.openOffsets[index])) }
            index += 1
            if index == self.openKeys.count { index = 0 }
        }
        for run in self.frozen.reversed() { run.forEach(fingerprint, body) }
    }

    /// Reads where each key's entries start, independently of one another, so the cache misses of a large index
    /// overlap instead of coming one after another in the lookups and inserts that follow. Returns a value only so
    /// that the reads are not optimized away.
    public func warm(_ keys: [UInt64]) -> UInt32 {
        var touched: UInt32 = 0
        // Two passes: first every directory cell, then the middle of every cell's entries, where the search starts;
        // each pass's reads are independent of one another.
        var middles: [(run: Int, index: Int)] = []
        middles.reserveCapacity(keys.count * self.frozen.count)
        for key in keys {
            let fingerprint = Self.fingerprint(key)
            touched &+= self.openKeys[self.bucket(fingerprint)]
            for runIndex in self.frozen.indices {
                let cell = Int(fingerprint &>> UInt32(32 - self.frozen[runIndex].cellBits))
                let start = self.frozen[runIndex].directory[cell]
                let end = self.frozen[runIndex].directory[cell + 1]
                middles.append((runIndex, Int(start + end) / 2))
            }
        }
        for (run, index) in middles where index < self.frozen[run].entries.count {
            touched &+= self.frozen[run].entries[index]
        }
        return touched
    }

    /// The slots under `key`.
    public func slots(for key: UInt64) -> [UInt32] {
        var result: [UInt32] = []
        self.forEach(key) { result.append($0) }
        return result
    }

    /// Drops what is held of slots before `live` (`next` is the next slot the caller will hand out): frozen blocks
    /// wholly before it at once, the open block's dead entries once they are a third of it. Cheap when there is
    /// nothing to drop, so callers may call it for every slot they forget.
    public mutating func forget(below live: UInt32, next: UInt32) {
        guard !self.isEmpty else { return }
        // Slot order is judged by distance back from `next`, so the 32-bit counter may wrap.
        func isBefore(_ a: UInt32, _ b: UInt32) -> Bool { next &- a > next &- b }
        while let oldest = self.frozen.first, !isBefore(live, oldest.end) {
            self.frozen.removeFirst()
        }
        // Only a window shorter than a block leaves dead entries in the open block for long.
        guard isBefore(self.openBase, live) else { return }
        let dead = live &- self.openBase
        if dead > 4096 && UInt64(dead) * 3 > UInt64(next &- self.openBase) {
            self.rebuildOpen(dropBelow: dead)
            self.openBase = live
        }
    }

    /// Rehashes the open block, into at least `buckets` buckets, keeping the entries whose offset is at least
    /// `dropBelow` (and moving their offsets back by it).
    private mutating func rebuildOpen(buckets: Int = 0, dropBelow: UInt32) {
        let oldKeys = self.openKeys
        let oldOffsets = self.openOffsets
        var kept = 0
        for index in oldKeys.indices where oldKeys[index] != 0 && UInt32(oldOffsets[index]) >= dropBelow { kept += 1 }
        let buckets = max(buckets, Self.buckets(for: kept))
        self.openKeys = Array(repeating: 0, count: buckets)
        self.openOffsets = Array(repeating: 0, count: buckets)
        self.openCount = 0
        for index in oldKeys.indices where oldKeys[index] != 0 && UInt32(oldOffsets[index]) >= dropBelow {
            self.place(oldKeys[index], oldOffsets[index] &- UInt16(truncatingIfNeeded: dropBelow))
            self.openCount += 1
        }
    }

    /// Turns the open block into a frozen one and starts a new open block at `nextBase`.
    private mutating func freezeOpenBlock(nextBase: UInt32) {
        let count = self.openCount
        if count > 0 {
            let keys = self.openKeys
            let offsets = self.openOffsets
            self.frozen.append(
                Frozen(level: 0, base: self.openBase, end: self.newest &+ 1, count: count) { body in
                    for index in keys.indices where keys[index] != 0 { body(keys[index], UInt32(offsets[index])) }
                })
            self.mergeRuns()
        }
        // Grown as it fills rather than sized for a whole block up front: at any moment the open block is on average
        // half full, and its table is the one part of the index with empty buckets.
        let buckets = Self.buckets(for: 1024)
        self.openKeys = Array(repeating: 0, count: buckets)
        self.openOffsets = Array(repeating: 0, count: buckets)
        self.openCount = 0
        self.openBase = nextBase
    }

    /// Merges the four newest runs into one while they share a level below `maxLevel`.
    private mutating func mergeRuns() {
        while self.frozen.count >= 4 {
            let runs = self.frozen.suffix(4)
            let level = runs.last!.level
            guard level < self.maxLevel, runs.allSatisfy({ $0.level == level }) else { return }
            let base = runs.first!.base
            let end = runs.last!.end
            // Runs apart by more than a level's span (slots skipped) stay as they are.
            guard UInt64(end &- base) <= UInt64(1) << UInt64(16 + 2 * (level + 1)) else { return }
            let count = runs.reduce(0) { $0 + $1.entries.count }
            let merged = Frozen(level: level + 1, base: base, end: end, count: count) { body in
                for run in runs {
                    let delta = run.base &- base
                    let offsetMask = (UInt32(1) &<< UInt32(run.offsetBits)) &- 1
                    for cell in 0..<(run.directory.count - 1) {
                        for index in Int(run.directory[cell])..<Int(run.directory[cell + 1]) {
                            let entry = run.entries[index]
                            body(run.fingerprint(cell: cell, entry: entry), delta &+ (entry & offsetMask))
                        }
                    }
                }
            }
            self.frozen.removeLast(4)
            self.frozen.append(merged)
        }
    }
}
