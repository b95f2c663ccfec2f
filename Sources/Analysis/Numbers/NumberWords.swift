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
struct WordFilter: Sendable {
    private var bits: [UInt64] = Array(repeating: 0, count: 32 * 32 * 32 * 16 / 64)

    init<Words: Sequence>(_ words: Words) where Words.Element == String {
        for word in words {
            if let slot = Self.slot(word) { self.bits[slot >> 6] |= 1 << UInt64(slot & 63) }
        }
    }

    private static func slot(_ word: String) -> Int? {
        var word = word
        return word.withUTF8 { bytes -> Int? in
            guard let first = bytes.first else { return nil }
            let second = bytes.count > 1 ? bytes[1] : 0
            let last = bytes[bytes.count - 1]
            return Int(first & 31) << 14 | Int(second & 31) << 9 | Int(last & 31) << 4 | bytes.count & 15
        }
    }

    /// The same test on a token's scalars, without touching its strings: `& 31` folds ASCII case, and lexicon
    /// words are ASCII, so a scalar count equals their byte count.
    func mayContain(_ scalars: [Unicode.Scalar], _ start: Int, _ end: Int) -> Bool {
        let count = end - start
        guard count > 0 else { return false }
        let first = Int(scalars[start].value & 31)
        let second = count > 1 ? Int(scalars[start + 1].value & 31) : 0
        let last = Int(scalars[end - 1].value & 31)
        let slot = first << 14 | second << 9 | last << 4 | count & 15
        return self.bits[slot >> 6] & (1 << UInt64(slot & 63)) != 0
    }

    func mayContain(_ word: String) -> Bool {
        guard let slot = Self.slot(word) else { return false }
        return self.bits[slot >> 6] & (1 << UInt64(slot & 63)) != 0
    }
}
