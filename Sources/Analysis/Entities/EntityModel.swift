import Foundation

/// The weights of the entity tagger: features are hashed into 2^18 buckets (the hashing trick), each holding one
/// 16-bit weight per tag, so scoring a feature is a single memory access with no probing and no allocation.
///
/// File layout (little endian): "WWNER004", UInt32 tag count, UInt32 bucket bits, Float32 scale, UInt64
/// `resourceDigest`, then 2^bits × tag count Int16 weights, bucket-major.
public struct EntityModel: Sendable {
    static let magic = Array("WWNER004".utf8)
    /// The features (words, affixes, their pairs, the name and place lists) fill some 140,000 buckets: in 2^16
    /// (65,536; 62,000 used) most shared theirs, and the tagger cut names short ("Sri" for "Sri Lanka", "Virgin"
    /// for "Virgin Blue"). 2^18 (3 MB of rows) scored better on GMB's held-out sentences (F1 0.815 → 0.820) and on
    /// GUM's news (0.570 → 0.597), each a mean over three training orders; 2^20 gained little more for 12 MB.
    /// Scoring prefetches a sentence's rows before summing them, so the table no longer needs to fit a core's cache.
    public static let defaultBits = 18

    let tagCount: Int
    let bits: Int
    let scale: Float
    /// `EntityModel.resourceDigest()` of the resources the model was trained with (0: not recorded).
    public internal(set) var resourceDigest: UInt64 = 0

    /// The resources whose words are the tagger's features: a model trained with other versions of them reads
    /// features it never learned. Their digest is recorded in the model, so a test can tell a stale one.
    public static let featureResources = [
        "aliases.tsv", "demonyms.tsv", "person-names.tsv", "gazetteer.tsv", "gazetteer-aliases.tsv",
    ]

    /// A 64-bit FNV-1a digest of `featureResources` as found now (name, length and bytes of each; a missing file
    /// counts as empty).
    public static func resourceDigest() -> UInt64 {
        var hash = WordHash.seed
        func add(_ byte: UInt8) { hash = WordHash.step(hash, byte) }
        for name in Self.featureResources {
            let data = (try? ResourceFiles.data(name)) ?? Data()
            for byte in name.utf8 { add(byte) }
            for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: data.count >> shift)) }
            data.withUnsafeBytes { for byte in $0 { add(byte) } }
        }
        return hash
    }
    /// The same weights as scoring reads them, `rowBytes` per bucket: scoring is bound by cache misses on this
    /// table, and 16-bit rows padded to 16 tags (2 MB) missed a 1 MB L2 on nearly every feature. 97% of buckets
    /// hold only weights in -128...127: their row is those bytes, then a 0. The others (bias, tag history,
    /// frequent words) hold a 1 in the last byte and, in the first two, the index of their 16-bit row in `wide`.
    /// Both are exact: scores are the same as from the file's weights.
    let rows: [Int8]
    /// 16 weights per row (the tags, then zeros), for the buckets too wide for a byte.
    let wide: [Int16]
    static let rowBytes = 12

    /// Bucket-major, `tagCount` per bucket, as stored in the file. Rebuilt from `rows` and `wide`: only training
    /// and tests read them, and keeping them beside the rows took 1.4 MB in every process.
    var weights: [Int16] {
        var weights = [Int16](repeating: 0, count: (1 << self.bits) * self.tagCount)
        for bucket in 0..<(1 << self.bits) {
            let base = bucket * Self.rowBytes
            let narrow = self.rows[base + Self.rowBytes - 1] == 0
            let wideRow = Int(UInt8(bitPattern: self.rows[base])) | Int(UInt8(bitPattern: self.rows[base + 1])) << 8
            for tag in 0..<self.tagCount {
                weights[bucket * self.tagCount + tag] =
                    narrow ? Int16(self.rows[base + tag]) : self.wide[wideRow * 16 + tag]
            }
        }
        return weights
    }

    /// Buckets holding any weight.
    public var featureCount: Int {
        let weights = self.weights
        var count = 0
        for bucket in 0..<(1 << self.bits) {
            let base = bucket * self.tagCount
            if (0..<self.tagCount).contains(where: { weights[base + $0] != 0 }) { count += 1 }
        }
        return count
    }

    init(tagCount: Int, bits: Int, scale: Float, weights: [Int16]) {
        self.tagCount = tagCount
        self.bits = bits
        self.scale = scale
        precondition(tagCount < Self.rowBytes)
        // 16 spare bytes: scoring loads 16 bytes from any row's start, the last row's included.
        var rows = [Int8](repeating: 0, count: (1 << bits) * Self.rowBytes + 16)
        var wide: [Int16] = []
        for bucket in 0..<(1 << bits) {
            let row = weights[(bucket * tagCount)..<((bucket + 1) * tagCount)]
            let base = bucket * Self.rowBytes
            if row.allSatisfy({ Int(Int8.min)...Int(Int8.max) ~= Int($0) }) {
                for (tag, weight) in row.enumerated() { rows[base + tag] = Int8(weight) }
            } else {
                let index = UInt16(wide.count / 16)
                rows[base] = Int8(bitPattern: UInt8(truncatingIfNeeded: index))
                rows[base + 1] = Int8(bitPattern: UInt8(truncatingIfNeeded: index >> 8))
                rows[base + Self.rowBytes - 1] = 1
                wide += row
                wide += [Int16](repeating: 0, count: 16 - tagCount)
            }
        }
        precondition(wide.count / 16 <= Int(UInt16.max) + 1)
        self.rows = rows
        self.wide = wide
    }

    /// Quantizes float weights (bucket-major). The largest weights (bias, frequent words) decide most tags, so
    /// none is clipped; 16 bits still resolve the small ones.
    init(tagCount: Int, bits: Int, floatWeights: [Float]) {
        let top = floatWeights.reduce(Float(0)) { max($0, abs($1)) }
        let scale = max(top, 1e-6) / 32767
        let weights = floatWeights.map { Int16(max(-32767, min(32767, ($0 / scale).rounded()))) }
        self.init(tagCount: tagCount, bits: bits, scale: scale, weights: weights)
    }

    static let headerBytes = 28

    public init(data: Data) throws {
        let bytes = [UInt8](data)
        let header = Self.headerBytes
        guard bytes.count >= header, Array(bytes[0..<8]) == Self.magic else {
            throw ResourceError.malformed("ner.model", "not a Wirewatch entity model of this version")
        }
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let tagCount = Int(u32(8))
        let bits = Int(u32(12))
        let scale = Float(bitPattern: u32(16))
        let count = (1 << bits) * tagCount
        guard tagCount == EntityTags.count, tagCount <= 16, bits <= 24, bytes.count == header + count * 2 else {
            throw ResourceError.malformed("ner.model", "size or tag count does not match this build")
        }
        var weights = [Int16](repeating: 0, count: count)
        for index in 0..<count {
            weights[index] =
                Int16(bitPattern: UInt16(bytes[header + 2 * index]) | UInt16(bytes[header + 1 + 2 * index]) << 8)
        }
        self.init(tagCount: tagCount, bits: bits, scale: scale, weights: weights)
        self.resourceDigest = UInt64(u32(20)) | UInt64(u32(24)) << 32
    }

    public func serialized() -> Data {
        let weights = self.weights
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerBytes + weights.count * 2)
        func u32(_ value: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        u32(UInt32(self.tagCount))
        u32(UInt32(self.bits))
        u32(self.scale.bitPattern)
        u32(UInt32(truncatingIfNeeded: self.resourceDigest))
        u32(UInt32(truncatingIfNeeded: self.resourceDigest >> 32))
        for weight in weights {
            let bits = UInt16(bitPattern: weight)
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
        }
        return Data(bytes)
    }

    /// The first weight of a feature's bucket.
    @inline(__always)
    static func base(_ feature: UInt64, bits: Int, tagCount: Int) -> Int {
        Int(truncatingIfNeeded: feature >> UInt64(64 - bits)) * tagCount
    }
}
