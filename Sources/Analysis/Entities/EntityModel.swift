import Foundation

/// The weights of the entity tagger: features are hashed into 2^16 buckets (the hashing trick), each holding one
/// 16-bit weight per tag, so scoring a feature is a single memory access with no probing and no allocation.
///
/// File layout (little endian): "WWNER003", UInt32 tag count, UInt32 bucket bits, Float32 scale, then
/// 2^bits × tag count Int16 weights, bucket-major.
public struct EntityModel: Sendable {
    static let magic = Array("WWNER003".utf8)
    /// 2^16 buckets (640 KB) score as well as 2^18 (5.8 MB) on held-out text and stay in a core's cache, where
    /// the bigger table made scoring wait on memory.
    public static let defaultBits = 16

    let tagCount: Int
    let bits: Int
    let scale: Float
    /// Bucket-major, `tagCount` per bucket, as stored in the file.
    let weights: [Int16]
    /// The same weights padded to 16 per bucket, so scoring adds one SIMD vector per feature.
    let padded: [Int16]

    /// Buckets holding any weight.
    public var featureCount: Int {
        var count = 0
        for bucket in 0..<(1 << self.bits) {
            let base = bucket * self.tagCount
            if (0..<self.tagCount).contains(where: { self.weights[base + $0] != 0 }) { count += 1 }
        }
        return count
    }

    init(tagCount: Int, bits: Int, scale: Float, weights: [Int16]) {
        self.tagCount = tagCount
        self.bits = bits
        self.scale = scale
        self.weights = weights
        var padded = [Int16](repeating: 0, count: (1 << bits) * 16)
        for bucket in 0..<(1 << bits) {
            for tag in 0..<min(tagCount, 16) { padded[bucket * 16 + tag] = weights[bucket * tagCount + tag] }
        }
        self.padded = padded
    }

    /// Quantizes float weights (bucket-major). The largest weights (bias, frequent words) decide most tags, so
    /// none is clipped; 16 bits still resolve the small ones.
    init(tagCount: Int, bits: Int, floatWeights: [Float]) {
        let top = floatWeights.reduce(Float(0)) { max($0, abs($1)) }
        let scale = max(top, 1e-6) / 32767
        let weights = floatWeights.map { Int16(max(-32767, min(32767, ($0 / scale).rounded()))) }
        self.init(tagCount: tagCount, bits: bits, scale: scale, weights: weights)
    }

    public init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 20, Array(bytes[0..<8]) == Self.magic else {
            throw ResourceError.malformed("ner.model", "not a Wirewatch entity model of this version")
        }
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let tagCount = Int(u32(8))
        let bits = Int(u32(12))
        let scale = Float(bitPattern: u32(16))
        let count = (1 << bits) * tagCount
        guard tagCount == EntityTags.count, tagCount <= 16, bits <= 24, bytes.count == 20 + count * 2 else {
            throw ResourceError.malformed("ner.model", "size or tag count does not match this build")
        }
        var weights = [Int16](repeating: 0, count: count)
        for index in 0..<count {
            weights[index] = Int16(bitPattern: UInt16(bytes[20 + 2 * index]) | UInt16(bytes[21 + 2 * index]) << 8)
        }
        self.init(tagCount: tagCount, bits: bits, scale: scale, weights: weights)
    }

    public func serialized() -> Data {
        var bytes = Self.magic
        bytes.reserveCapacity(20 + self.weights.count * 2)
        func u32(_ value: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        u32(UInt32(self.tagCount))
        u32(UInt32(self.bits))
        u32(self.scale.bitPattern)
        for weight in self.weights {
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
