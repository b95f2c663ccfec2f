import CLinux
import CStemmer
import Foundation
import Synchronization

/// The stemmed vocabulary of one document, shared by topics, tone, keyphrases and summary.
///
/// Build it once per article and pass it to each step. Every token is resolved here, with one string lookup,
/// to a small integer stem and a set of flags, so the steps themselves count with arrays and never hash a
/// string per token.
public struct DocumentTerms: Sendable {
    /// Per token: the index of its stem in `stems`, or -1 for punctuation.
    public let stemOfToken: [Int32]
    /// Per token: `TermFlags` bits.
    let flags: [UInt16]
    /// The document's distinct stems, in order of first appearance.
    public let stems: [String]
    /// Per stem: its id in `TermLexicon.shared.cueStems` (a stem some lexicon names), or -1.
    let cueOfStem: [Int32]

    public init(_ document: Document) {
        let tokens = document.tokens
        // Distinct words by a 64-bit hash of their lowercase UTF-8, in an open-addressing table: hashing each
        // token's String through `Hasher` and comparing it was the costliest part of the whole step.
        var tableSize = 64
        while tableSize < tokens.count * 2 { tableSize <<= 1 }
        let mask = tableSize - 1
        var tableKeys = [UInt64](repeating: 0, count: tableSize)
        var tableIDs = [Int32](repeating: 0, count: tableSize)
        // Sized for the distinct words up front: grown by doubling, these two were reallocated several times an
        // article.
        var lowers: [String] = []
        lowers.reserveCapacity(tokens.count)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(tokens.count)
        var lowerOfToken = [Int32](repeating: -1, count: tokens.count)
        var flags = [UInt16](repeating: 0, count: tokens.count)
        let scalars = document.scalars
        let wordHashes = document.wordHashes
        tokens.withUnsafeBufferPointer { tokens in
            for index in tokens.indices {
                var shape: UInt16 = tokens[index].isCapitalized ? TermFlags.capitalized : 0
                if tokens[index].isAllCaps { shape |= TermFlags.allCaps }
                let start = tokens[index].start
                let end = tokens[index].end
                let kind = tokens[index].kind
                guard kind != .punctuation else {
                    let scalar = scalars[start]
                    if Tokenizer.isQuoteMark(scalar) { shape |= TermFlags.quote }
                    if scalar == "," || scalar == ";" || scalar == ":" || scalar == "." { shape |= TermFlags.clauseBreak }
                    if scalar == "?" { shape |= TermFlags.question }
                    flags[index] = shape | TermFlags.stop
                    continue
                }
                if kind == .number { shape |= TermFlags.number | TermFlags.stop }
                if end - start < 2 { shape |= TermFlags.short }
                flags[index] = shape
                // The tokenizer's hash of `lower` is `WordHash.of(lower)` but for 0, which marks an empty slot here.
                let hash = wordHashes[index] == 0 ? 1 : wordHashes[index]
                var slot = Int(truncatingIfNeeded: WordHash.mix(hash)) & mask
                while tableKeys[slot] != 0 && tableKeys[slot] != hash { slot = (slot + 1) & mask }
                if tableKeys[slot] == hash {
                    lowerOfToken[index] = tableIDs[slot]
                } else {
                    let id = Int32(lowers.count)
                    tableKeys[slot] = hash
                    tableIDs[slot] = id
                    lowers.append(tokens[index].lower)
                    hashes.append(hash)
                    lowerOfToken[index] = id
                }
            }
        }
        // Per distinct word, one look-up in the shared cache; distinct surface forms that share a stem
        // ("missile", "missiles") get one stem id.
        let facts = TermLexicon.shared.facts(lowers, hashes: hashes)
        var stemSize = 64
        while stemSize < facts.count * 2 { stemSize <<= 1 }
        var stemKeys = [UInt64](repeating: 0, count: stemSize)
        var stemIDs = [Int32](repeating: 0, count: stemSize)
        var stems: [String] = []
        stems.reserveCapacity(facts.count)
        var cueOfStem: [Int32] = []
        cueOfStem.reserveCapacity(facts.count)
        var stemOfLower = [Int32](repeating: 0, count: facts.count)
        for (index, fact) in facts.enumerated() {
            var slot = Int(truncatingIfNeeded: WordHash.mix(fact.stemHash)) & (stemSize - 1)
            while stemKeys[slot] != 0 && stemKeys[slot] != fact.stemHash { slot = (slot + 1) & (stemSize - 1) }
            if stemKeys[slot] == fact.stemHash {
                stemOfLower[index] = stemIDs[slot]
            } else {
                let id = Int32(stems.count)
                stemKeys[slot] = fact.stemHash
                stemIDs[slot] = id
                stems.append(fact.stem)
                cueOfStem.append(fact.cue)
                stemOfLower[index] = id
            }
        }
        var stemOfToken = [Int32](repeating: -1, count: tokens.count)
        for index in tokens.indices where lowerOfToken[index] >= 0 {
            let lower = Int(lowerOfToken[index])
            stemOfToken[index] = stemOfLower[lower]
            flags[index] |= facts[lower].flags
        }
        self.stemOfToken = stemOfToken
        self.flags = flags
        self.stems = stems
        self.cueOfStem = cueOfStem
    }

    /// A content token: a word that is not a stopword.
    @inline(__always)
    func isContent(_ token: Int) -> Bool { self.flags[token] & TermFlags.stop == 0 }

    @inline(__always)
    func has(_ token: Int, _ flag: UInt16) -> Bool { self.flags[token] & flag != 0 }
}

/// Bits of `DocumentTerms.flags`.
enum TermFlags {
    /// A stopword, number or punctuation.
    static let stop: UInt16 = 1 << 0
    static let positive: UInt16 = 1 << 1
    static let negative: UInt16 = 1 << 2
    /// A negation ("not", "never", "-n't") that turns the polarity of the next few words.
    static let negation: UInt16 = 1 << 3
    /// A first-person pronoun (I, we, our).
    static let selfGroup: UInt16 = 1 << 4
    static let capitalized: UInt16 = 1 << 5
    static let allCaps: UInt16 = 1 << 6
    static let quote: UInt16 = 1 << 7
    /// Punctuation that ends a clause: , ; : .
    static let clauseBreak: UInt16 = 1 << 8
    static let question: UInt16 = 1 << 9
    static let number: UInt16 = 1 << 10
    /// A single-scalar word.
    static let short: UInt16 = 1 << 11
}

/// What the analysis knows about one lowercased word.
struct WordFacts: Sendable {
    let stem: String
    /// `WordHash.of(stem)`.
    let stemHash: UInt64
    /// Id of the stem among the stems the lexicons name (`TermLexicon.cueStems`), or -1.
    let cue: Int32
    /// `TermFlags` bits that depend on the word only.
    let flags: UInt16
}

/// The word-level lexicons (stopwords, tone polarity, cue stems of topics and activity) and a shared cache of
/// what each word seen so far is.
///
/// libstemmer keeps its working buffer inside the stemmer handle, so a handle must never serve two threads at
/// once: the one handle lives inside the mutex with the cache. Measured: news vocabulary repeats, so after a
/// few hundred articles nearly every word is a hit, and one lock per article (not per word) keeps the
/// analysis threads from queueing on it.
final class TermLexicon: Sendable {
    static let shared = TermLexicon()

    let stopwords: Set<String>
    /// Word → TermFlags.positive / .negative.
    let polarity: [String: UInt16]
    let selfGroup: Set<String>
    static let negations: Set<String> = [
        "not", "no", "never", "without", "nor", "neither", "hardly", "barely", "cannot", "n't",
    ]
    /// Every stem that a lexicon names, by id.
    let cueStems: [String]
    let cueOfStem: [String: Int32]

    /// Open addressing by `WordHash.of` the word (64 bits make a collision among even a million words
    /// improbable); a Dictionary's own hashing of the key showed in profiles.
    private struct Cache {
        /// A word's hash and facts side by side, so a probe touches one cache line.
        struct Entry {
            var key: UInt64 = 0
            var facts: WordFacts? = nil
        }

        static let size = 1 << 17
        var entries = [Entry](repeating: Entry(), count: Cache.size)
        var count = 0
        let stemmer = SnowballStemmer()

        mutating func clear() {
            for slot in self.entries.indices { self.entries[slot] = Entry() }
            self.count = 0
        }
    }

    /// Past this many words (about 60 % of the table) the cache starts over, so a stream of junk words
    /// cannot grow it or slow its probes.
    private static let capacity = 80_000
    private let cache = Mutex(Cache())

    private init() {
        self.stopwords = Set(Self.resourceLines("stopwords-en.txt").map { $0.trimmingCharacters(in: .whitespaces) })
        var polarity: [String: UInt16] = [:]
        for fields in Self.resourceLines("tone-lexicon.tsv").map({ $0.split(separator: "\t") }) where fields.count >= 2 {
            guard let valence = Double(fields[1]) else { continue }
            polarity[String(fields[0])] = valence > 0 ? TermFlags.positive : TermFlags.negative
        }
        self.polarity = polarity
        var selfGroup: Set<String> = []
        var cueWords: [String] = []
        for fields in Self.resourceLines("tone-reference-words.tsv").map({ $0.split(separator: "\t") }) where fields.count >= 2 {
            if fields[0] == "self" { selfGroup.insert(String(fields[1])) } else { cueWords.append(String(fields[1])) }
        }
        self.selfGroup = selfGroup
        for fields in Self.resourceLines("iptc-topics.tsv").map({ $0.split(separator: "\t") })
        where fields.count >= 3 && fields[0] != "label" {
            cueWords.append(contentsOf: fields[2].split(separator: " ").map(String.init))
        }
        let stemmer = SnowballStemmer()
        var cueStems: [String] = []
        var cueOfStem: [String: Int32] = [:]
        for word in cueWords {
            let stem = stemmer.stem(word.lowercased())
            if cueOfStem[stem] == nil {
                cueOfStem[stem] = Int32(cueStems.count)
                cueStems.append(stem)
            }
        }
        self.cueStems = cueStems
        self.cueOfStem = cueOfStem
    }

    static func resourceLines(_ name: String) -> [String] {
        ResourceFiles.loading(name, or: []) { try ResourceFiles.lines(name) }.map(String.init)
    }

    /// The id of a lexicon word's stem among `cueStems`.
    func cue(_ word: String) -> Int32? {
        let lower = word.lowercased()
        return self.cueOfStem[self.facts([lower], hashes: [WordHash.of(lower)])[0].stem]
    }

    /// What each of `words` (lowercased) is, in order.
    func facts(_ words: [String], hashes: [UInt64]) -> [WordFacts] {
        self.cache.withLock { cache in
            var result: [WordFacts] = []
            result.reserveCapacity(words.count)
            let mask = Cache.size - 1
            // Every word's slot is asked for first, so the misses in the 6 MB table overlap (see `wirewatch_prefetch`).
            cache.entries.withUnsafeBufferPointer { entries in
                for hash in hashes { wirewatch_prefetch(entries.baseAddress! + Int(truncatingIfNeeded: WordHash.mix(hash)) & mask) }
            }
            for (word, hash) in zip(words, hashes) {
                var slot = Int(truncatingIfNeeded: WordHash.mix(hash)) & mask
                while cache.entries[slot].key != 0 && cache.entries[slot].key != hash { slot = (slot + 1) & mask }
                if cache.entries[slot].key == hash, let known = cache.entries[slot].facts {
                    result.append(known)
                    continue
                }
                let stem = cache.stemmer.stem(word)
                // Typographic apostrophes ("don’t") are looked up as the lexicons write them.
                // Foundation's search is slow; a word without the scalar cannot contain it (nothing is canonically
                // equivalent to U+2019), so only words that have it go through Foundation as before.
                let plain =
                    word.unicodeScalars.contains("\u{2019}") && word.contains("\u{2019}")
                    ? word.replacingOccurrences(of: "\u{2019}", with: "'") : word
                var flags: UInt16 = self.stopwords.contains(plain) ? TermFlags.stop : 0
                flags |= self.polarity[plain] ?? 0
                if Self.negations.contains(plain) || plain.hasSuffix("n't") { flags |= TermFlags.negation }
                if self.selfGroup.contains(plain) { flags |= TermFlags.selfGroup }
                let fact = WordFacts(stem: stem, stemHash: WordHash.of(stem), cue: self.cueOfStem[stem] ?? -1, flags: flags)
                result.append(fact)
                if cache.count >= Self.capacity {
                    cache.clear()
                    slot = Int(truncatingIfNeeded: WordHash.mix(hash)) & mask
                }
                cache.entries[slot] = Cache.Entry(key: hash, facts: fact)
                cache.count += 1
            }
            return result
        }
    }
}

/// A Snowball English stemmer handle (Debian's libstemmer). Not Sendable: see `TermLexicon`.
final class SnowballStemmer {
    private let handle: OpaquePointer?

    init() {
        self.handle = sb_stemmer_new("english", "UTF_8")
    }

    deinit {
        if let handle = self.handle { sb_stemmer_delete(handle) }
    }

    func stem(_ word: String) -> String {
        guard let handle = self.handle else { return word }
        var word = word
        return word.withUTF8 { buffer in
            guard let base = buffer.baseAddress, let output = sb_stemmer_stem(handle, base, Int32(buffer.count)) else {
                return String(decoding: buffer, as: UTF8.self)
            }
            let length = Int(sb_stemmer_length(handle))
            return String(decoding: UnsafeBufferPointer(start: output, count: length), as: UTF8.self)
        }
    }
}
