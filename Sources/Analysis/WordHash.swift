/// 64-bit FNV-1a over a word's UTF-8: the tagger's features, the alias and name tables, the stemmed vocabulary and
/// the tokenizer's per-token hashes are all this one function, so a hash computed once serves each of them.
enum WordHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }

    /// The hash itself. Features are hashed, never built as strings.
    @inline(__always)
    static func fnv(_ text: String) -> UInt64 {
        var hash = Self.seed
        for byte in text.utf8 { hash = Self.step(hash, byte) }
        return hash
    }

    /// `fnv`, but never 0, which marks an empty slot in the open-addressing tables.
    @inline(__always)
    static func of(_ word: String) -> UInt64 {
        let hash = Self.fnv(word)
        return hash == 0 ? 1 : hash
    }

    /// Spreads FNV's weak low bits before they index a power-of-two table.
    @inline(__always)
    static func mix(_ hash: UInt64) -> UInt64 {
        var value = hash ^ (hash >> 33)
        value = value &* 0xFF51_AFD7_ED55_8CCD
        return value ^ (value >> 33)
    }
}
