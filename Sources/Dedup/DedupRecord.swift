import Foundation

/// What the dedup memory keeps of one article, in the store; in RAM only its keys and age stay, in `KeyIndex`.
public struct DedupRecord: Sendable, Equatable {
    /// Position in the memory's insertion order; the store's row id.
    public let slot: UInt32
    public let articleID: String
    public let cluster: String
    public let firstSeen: Date
    /// The index keys the article is remembered under (exact keys first, then LSH and paragraph keys).
    public let keys: [UInt64]
    /// Near-duplicate features; nil for a copy remembered only so its re-sends are exact duplicates.
    public let features: NearFeatures?

    public init(slot: UInt32, articleID: String, cluster: String, firstSeen: Date, keys: [UInt64],
                features: NearFeatures?) {
        self.slot = slot
        self.articleID = articleID
        self.cluster = cluster
        self.firstSeen = firstSeen
        self.keys = keys
        self.features = features
    }

    /// `keys` as little-endian bytes.
    public var keyBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.keys.count * 8)
        for key in self.keys { withUnsafeBytes(of: key.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    public static func keys(from bytes: [UInt8]) -> [UInt64] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { offset in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
        }
    }
}

/// The features near-duplicate verification compares: a MinHash signature and paragraph fingerprints.
public struct NearFeatures: Sendable, Equatable {
    public let signature: MinHashSignature
    public let paragraphs: [UInt64]
    public let paragraphWords: [Int]
    public let paragraphHeads: [UInt64]
    public let paragraphTails: [UInt64]

    public init(signature: MinHashSignature, paragraphs: [UInt64], paragraphWords: [Int], paragraphHeads: [UInt64],
                paragraphTails: [UInt64]) {
        self.signature = signature
        self.paragraphs = paragraphs
        self.paragraphWords = paragraphWords
        self.paragraphHeads = paragraphHeads
        self.paragraphTails = paragraphTails
    }

    init(_ text: TextFeatures, signature: MinHashSignature) {
        self.init(
            signature: signature, paragraphs: text.paragraphs, paragraphWords: text.paragraphWords,
            paragraphHeads: text.paragraphHeads, paragraphTails: text.paragraphTails
        )
    }

    /// Layout version of `bytes`.
    static let version: UInt8 = 2

    /// Version, shingle size, little-endian u32 shingle count, 64 × u32 signature, u32 paragraph count, then per
    /// paragraph u64 hash, u32 words, u64 head hash and u64 tail hash.
    public func bytes(shingleSize: Int) -> [UInt8] {
        var bytes: [UInt8] = [Self.version, UInt8(clamping: shingleSize)]
        bytes.reserveCapacity(10 + 4 * MinHashSignature.count + 28 * self.paragraphs.count)
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

    /// Rebuilds features from `bytes`; nil when they are truncated, malformed, or made with another shingle size
    /// (their signatures would not be comparable).
    public init?(bytes: [UInt8], shingleSize: Int) {
        guard bytes.count >= 2, bytes[0] == Self.version, Int(bytes[1]) == shingleSize else { return nil }
        // Read with unaligned loads: dedup decodes a record for every candidate it verifies from the store, and
        // assembling each integer byte by byte was half of that.
        let parsed: NearFeatures? = bytes.withUnsafeBytes { raw in
            var offset = 2
            func read<T: FixedWidthInteger>(_: T.Type) -> T? {
                guard offset + MemoryLayout<T>.size <= raw.count else { return nil }
                let value = T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
                offset += MemoryLayout<T>.size
                return value
            }
            guard let shingles = read(UInt32.self) else { return nil }
            var values: [UInt32] = []
            values.reserveCapacity(MinHashSignature.count)
            for _ in 0..<MinHashSignature.count {
                guard let value = read(UInt32.self) else { return nil }
                values.append(value)
            }
            // 28 bytes a paragraph: a count the blob cannot hold is refused before anything is reserved for it.
            guard let count = read(UInt32.self), count <= 100_000, Int(count) * 28 <= raw.count - offset else {
                return nil
            }
            var paragraphs: [UInt64] = []
            var words: [Int] = []
            var heads: [UInt64] = []
            var tails: [UInt64] = []
            paragraphs.reserveCapacity(Int(count))
            words.reserveCapacity(Int(count))
            heads.reserveCapacity(Int(count))
            tails.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let hash = read(UInt64.self), let wordCount = read(UInt32.self), let head = read(UInt64.self),
                    let tail = read(UInt64.self)
                else { return nil }
                paragraphs.append(hash)
                words.append(Int(wordCount))
                heads.append(head)
                tails.append(tail)
            }
            return NearFeatures(
                signature: MinHashSignature(values: values, shingleCount: Int(shingles)), paragraphs: paragraphs,
                paragraphWords: words, paragraphHeads: heads, paragraphTails: tails
            )
        }
        guard let parsed else { return nil }
        self = parsed
    }
}

/// Where the dedup memory's records live: the store in the daemon, memory for offline use.
public protocol DedupRecordSource: Sendable {
    /// The record in `slot`, or nil when it is gone (evicted, or never written).
    func record(_ slot: UInt32) -> DedupRecord?
    /// A new record, which a source without its own writer keeps. The daemon's store writes records with the
    /// batch's journal entries instead, so its implementation does nothing.
    func keep(_ record: DedupRecord)
    /// Records below `slot` left the window.
    func forget(below slot: UInt32)
}

/// Records kept in memory: for `wirewatch analyze`, `evaluate` and tests, which have no store.
public final class InMemoryDedupRecords: DedupRecordSource, @unchecked Sendable {
    // @unchecked: used from the one thread that owns the dedup engine.
    private var records: [UInt32: DedupRecord] = [:]

    public init() {}

    public func record(_ slot: UInt32) -> DedupRecord? { self.records[slot] }

    public func keep(_ record: DedupRecord) { self.records[record.slot] = record }

    public func forget(below slot: UInt32) {
        // Eviction moves one slot at a time; filter only once enough is gone to be worth a pass.
        if let lowest = self.lowest, slot > lowest, Int(slot - lowest) * 4 > self.records.count {
            self.records = self.records.filter { $0.key >= slot }
            self.lowest = slot
        } else if self.lowest == nil {
            self.lowest = slot
        }
    }

    private var lowest: UInt32?
}
