/// English number words and their values, shared by quantities and relative dates.
enum NumberWords {
    static let cardinals: [String: Int] = {
        let units = [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        ]
        let tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        var values: [String: Int] = [:]
        for (value, word) in units.enumerated() { values[word] = value }
        for (index, word) in tens.enumerated() {
            let value = (index + 2) * 10
            values[word] = value
            for unit in 1...9 {
                values["\(word)-\(units[unit])"] = value + unit
            }
        }
        return values
    }()
}

/// A bit set over (first, second and last byte, length) of lexicon words: most words of running text fail it, so the
/// extractors hash only the few that might be in a lexicon. Hashing every token was most of their cost.
///
/// The 19-bit key is hashed into 2^14 bits (2 KB, which stays in the first-level cache beside everything else):
/// a bit per key took 64 KB per filter, and the tests of three filters on every token missed the cache as often as
/// not. With a few hundred lexicon words about one word in a hundred passes by chance and is then looked up.
struct WordFilter: Sendable {
    private static let bitCount = 1 << 14
    private var bits: [UInt64] = Array(repeating: 0, count: WordFilter.bitCount / 64)

    init<Words: Sequence>(_ words: Words) where Words.Element == String {
        for word in words {
            if let key = Self.key(word) {
                let bit = Self.bit(key)
                self.bits[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
    }

    private static func key(_ word: String) -> Int? {
        var word = word
        return word.withUTF8 { bytes -> Int? in
            guard let first = bytes.first else { return nil }
            let second = bytes.count > 1 ? bytes[1] : 0
            let last = bytes[bytes.count - 1]
            return Int(first & 31) << 14 | Int(second & 31) << 9 | Int(last & 31) << 4 | bytes.count & 15
        }
    }

    /// Fibonacci hashing: the top 14 bits of the key times 2^32 / φ.
    @inline(__always)
    private static func bit(_ key: Int) -> Int {
        Int((UInt32(truncatingIfNeeded: key) &* 0x9E37_79B1) >> 18)
    }

    @inline(__always)
    private func contains(_ key: Int) -> Bool {
        let bit = Self.bit(key)
        return self.bits[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// The same test on a token's scalars, without touching its strings: `& 31` folds ASCII case, and lexicon
    /// words are ASCII, so a scalar count equals their byte count.
    @inline(__always)
    func mayContain(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> Bool {
        let count = end - start
        guard count > 0 else { return false }
        let first = Int(scalars[start].value & 31)
        let second = count > 1 ? Int(scalars[start + 1].value & 31) : 0
        let last = Int(scalars[end - 1].value & 31)
        return self.contains(first << 14 | second << 9 | last << 4 | count & 15)
    }

    func mayContain(_ word: String) -> Bool {
        guard let key = Self.key(word) else { return false }
        return self.contains(key)
    }
}
