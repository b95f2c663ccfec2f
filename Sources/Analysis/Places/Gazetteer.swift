import CLinux
import Foundation

/// One named place of the gazetteer: a country, an admin1 region, a populated place or another feature.
public struct GazetteerEntry: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case country
        case admin1
        case place
        /// Continents and regions: places on a map, but not governed units (LOC, not GPE).
        case feature
    }

    public let kind: Kind
    /// The GeoNames id; 0 where GeoNames data shipped on PyPI does not give one (most admin1 regions, regions).
    public let geonameid: Int
    /// ISO 3166 alpha-2, empty for continents and regions.
    public let countryCode: String
    /// The GeoNames admin1 code within the country, empty when unknown.
    public let admin1Code: String
    public let name: String
    public let lat: Double
    public let lon: Double
    public let population: Int
    /// The country's capital (GeoNames feature code PPLC).
    public let isCapital: Bool
    /// How many other names the place is known by: a proxy for how well known it is beyond its population.
    public var alternateCount: Int = 0
}

/// The gazetteer's entries, packed: 40 bytes each, where 236,000 `GazetteerEntry` values took 96 bytes and up to
/// three string allocations each. Subscripting builds the `GazetteerEntry`.
public struct GazetteerEntries: RandomAccessCollection, Sendable {
    struct Packed {
        // Doubles as read from the file, so printed coordinates are the same digits.
        var lat: Double
        var lon: Double
        var geonameid: Int32
        var population: UInt32
        /// Where the name's UTF-8 starts in `names`.
        var nameStart: UInt32
        var nameLength: UInt16
        var alternateCount: UInt16
        /// Indexes into `codes`.
        var countryCode: UInt16
        var admin1Code: UInt16
        var kind: GazetteerEntry.Kind
        var isCapital: Bool
    }

    /// Read directly where only the kind, population or capital flag matters (the geocoder's judging of every
    /// hit): the subscript would build each entry's name too.
    private(set) var packed: [Packed] = []
    /// Every entry's name, back to back. Decoding one costs about what copying a `String` did: the geocoder's share
    /// of the analysis time stayed the same in profiles, and 236,000 strings took 3.7 MB more.
    private var names: [UInt8] = []
    /// The distinct country and admin1 codes (a thousand or so, "" first).
    private var codes: [String] = [""]
    private var codeIndex: [String: UInt16] = ["": 0]

    public var startIndex: Int { 0 }
    public var endIndex: Int { self.packed.count }

    public subscript(position: Int) -> GazetteerEntry {
        let entry = self.packed[position]
        let start = Int(entry.nameStart)
        return GazetteerEntry(
            kind: entry.kind, geonameid: Int(entry.geonameid), countryCode: self.codes[Int(entry.countryCode)],
            admin1Code: self.codes[Int(entry.admin1Code)],
            name: String(decoding: self.names[start..<(start + Int(entry.nameLength))], as: UTF8.self),
            lat: entry.lat, lon: entry.lon, population: Int(entry.population), isCapital: entry.isCapital,
            alternateCount: Int(entry.alternateCount))
    }

    mutating func append(
        kind: GazetteerEntry.Kind, geonameid: Substring?, countryCode: Substring, admin1Code: Substring,
        name: Substring, lat: Substring, lon: Substring, population: Substring?, isCapital: Bool
    ) throws {
        // Values the packed fields cannot hold would change results silently: refuse the file instead.
        guard let id = Int32(exactly: geonameid.flatMap { Int($0) } ?? 0),
            let people = UInt32(exactly: population.flatMap { Int($0) } ?? 0),
            let nameStart = UInt32(exactly: self.names.count), let nameLength = UInt16(exactly: name.utf8.count)
        else {
            throw ResourceError.malformed("gazetteer.tsv", "a value out of range in the row of \(name)")
        }
        self.names.append(contentsOf: name.utf8)
        self.packed.append(
            Packed(
                lat: Double(lat) ?? 0, lon: Double(lon) ?? 0, geonameid: id, population: people,
                nameStart: nameStart, nameLength: nameLength, alternateCount: 0,
                countryCode: try self.code(countryCode), admin1Code: try self.code(admin1Code), kind: kind,
                isCapital: isCapital))
    }

    private mutating func code(_ text: Substring) throws -> UInt16 {
        if let index = self.codeIndex[String(text)] { return index }
        guard let index = UInt16(exactly: self.codes.count) else {
            throw ResourceError.malformed("gazetteer.tsv", "more than 65,536 distinct codes")
        }
        self.codes.append(String(text))
        self.codeIndex[String(text)] = index
        return index
    }

    mutating func setAlternateCount(_ count: Int, at index: Int) throws {
        guard let count = UInt16(exactly: count) else {
            throw ResourceError.malformed("gazetteer.tsv", "more than 65,535 alternate names for one place")
        }
        self.packed[index].alternateCount = count
    }

    /// Drops what only loading needed and spare capacity.
    mutating func finish() {
        self.codeIndex = [:]
        self.packed = compacted(self.packed)
        self.names = compacted(self.names)
    }
}

/// A copy without spare capacity: an array grown by appending keeps up to twice what it holds, and `Array(array)`
/// would share that buffer.
func compacted<Element>(_ array: [Element]) -> [Element] {
    var copy: [Element] = []
    copy.reserveCapacity(array.count)
    copy.append(contentsOf: array)
    return copy
}

/// A fixed set of 64-bit hashes, each with its position among them: sorted, with a directory on the top bits that
/// leaves a few keys (one cache line) to compare. Where a `Set` or `Dictionary` takes 16 bytes or more a bucket at a
/// load of at most 3/4, this takes about 9 bytes a key.
struct HashIndex: Sendable {
    /// The mixed keys, ascending, each once.
    private let keys: [UInt64]
    /// Where each bucket's keys start in `keys`, and one past the last bucket.
    private let buckets: [UInt32]
    private let shift: UInt64
    /// One bit per value of a mixed key's top bits, about 4 bits a key. Most lookups are of names the gazetteer
    /// lacks (any capitalized word); a clear bit in this small table answers those without a cache miss on `keys`,
    /// as the occupancy bitmap of the `Dictionary` this replaced did.
    private let filter: [UInt64]
    private let filterShift: UInt64

    /// Multiplying by an odd constant is a bijection, so mixed keys are equal when the keys are; it carries every
    /// bit into the top ones, which pick the bucket (FNV-1a spreads its low bits least).
    @inline(__always)
    private static func mix(_ key: UInt64) -> UInt64 { key &* 0x9E37_79B9_7F4A_7C15 }

    init(_ hashes: [UInt64]) {
        var keys = hashes.map(Self.mix)
        keys.sort()
        var unique = 0
        for index in keys.indices where unique == 0 || keys[index] != keys[unique - 1] {
            keys[unique] = keys[index]
            unique += 1
        }
        keys.removeLast(keys.count - unique)
        var bits = 1
        while (1 << bits) * 4 < unique { bits += 1 }
        let shift = UInt64(64 - bits)
        var buckets = [UInt32](repeating: 0, count: (1 << bits) + 1)
        var slot = 0
        for bucket in 0..<(1 << bits) {
            buckets[bucket] = UInt32(slot)
            while slot < unique && Int(truncatingIfNeeded: keys[slot] &>> shift) == bucket { slot += 1 }
        }
        buckets[1 << bits] = UInt32(unique)
        var filterBits = 6
        while (1 << filterBits) < unique * 4 { filterBits += 1 }
        let filterShift = UInt64(64 - filterBits)
        var filter = [UInt64](repeating: 0, count: (1 << filterBits) / 64)
        for key in keys {
            let bit = key &>> filterShift
            filter[Int(bit >> 6)] |= 1 << (bit & 63)
        }
        self.keys = compacted(keys)
        self.buckets = buckets
        self.shift = shift
        self.filter = filter
        self.filterShift = filterShift
    }

    var count: Int { self.keys.count }

    /// The key's position in `0..<count`, nil when it is not in the set.
    @inline(__always)
    func position(of key: UInt64) -> Int? {
        let mixed = Self.mix(key)
        let bit = mixed &>> self.filterShift
        guard self.filter[Int(bit >> 6)] & (1 << (bit & 63)) != 0 else { return nil }
        let bucket = Int(truncatingIfNeeded: mixed &>> self.shift)
        var slot = Int(self.buckets[bucket])
        let end = Int(self.buckets[bucket + 1])
        while slot < end {
            if self.keys[slot] == mixed { return slot }
            slot += 1
        }
        return nil
    }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool { self.position(of: key) != nil }

    /// Asks for the filter word and the bucket `position(of:)` will read for `key`, so that the misses of many
    /// look-ups overlap instead of each waiting in turn.
    @inline(__always)
    func prefetch(_ key: UInt64) {
        let mixed = Self.mix(key)
        let bit = mixed &>> self.filterShift
        self.filter.withUnsafeBufferPointer { wirewatch_prefetch($0.baseAddress! + Int(bit >> 6)) }
        self.buckets.withUnsafeBufferPointer { wirewatch_prefetch($0.baseAddress! + Int(truncatingIfNeeded: mixed &>> self.shift)) }
    }
}

/// A `HashIndex` with one byte per key, 0 for a key it does not hold: the word lists the entity tagger asks about
/// every capitalized word (person names, place names).
struct HashBytes: Sendable {
    let index: HashIndex
    let values: [UInt8]

    static let empty = HashBytes(keys: [], values: [])

    /// `values[i]` belongs to `keys[i]`; a key given more than once keeps `merge(kept, next)` of its values.
    init(keys: [UInt64], values: [UInt8], merge: (UInt8, UInt8) -> UInt8 = { $1 }) {
        let index = HashIndex(keys)
        var merged = [UInt8](repeating: 0, count: index.count)
        var seen = [Bool](repeating: false, count: index.count)
        for (key, value) in zip(keys, values) {
            let position = index.position(of: key)!
            merged[position] = seen[position] ? merge(merged[position], value) : value
            seen[position] = true
        }
        self.index = index
        self.values = merged
    }

    /// Asks for what `value(of:)` will read (see `HashIndex.prefetch`).
    @inline(__always)
    func prefetch(_ key: UInt64) { self.index.prefetch(key) }

    @inline(__always)
    func value(of key: UInt64) -> UInt8 { self.index.position(of: key).map { self.values[$0] } ?? 0 }
}

/// GeoNames place names, looked up by normalized name, loaded once from `gazetteer.tsv` and
/// `gazetteer-aliases.tsv` (see tools/make-gazetteer.py).
///
/// Keys are lowercased with accents dropped and `’` written `'`; multi-word names keep one space where the text has
/// whitespace and none where it has none ("washington, d.c."), so a key can be built from `Token`s directly.
public final class Gazetteer: Sendable {
    /// The gazetteer the analysis uses; empty (and every lookup nil) when the resource files are missing.
    public static let shared: Gazetteer = {
        ResourceFiles.loading("gazetteer.tsv", or: Gazetteer()) {
            try Gazetteer(
                data: try ResourceFiles.data("gazetteer.tsv"), aliases: try ResourceFiles.data("gazetteer-aliases.tsv"))
        }
    }()

    public let entries: GazetteerEntries
    /// Hashes of normalized names (`keyHash`). Keyed by hash so a token sequence is looked up without building its
    /// string; 64 bits make a collision among 400,000 names negligible.
    let names: HashIndex
    /// A name's entries are `postings[postingStarts[p]..<postingStarts[p + 1]]`, p its position in `names`: one
    /// array for all, where a `[Int32]` of its own cost each name a heap block.
    let postingStarts: [UInt32]
    /// Indexes into `entries`, in the order the files give them.
    let postings: [Int32]
    /// Hashes of every key's prefix that ends right before a space: a token sequence is worth extending only while
    /// it is one.
    let prefixes: HashIndex
    /// Hashes of normalized demonyms ("pakistani"). The geocoder asks about every capitalized word and nearly all
    /// are no demonym, which the index's filter tells without a look at its keys.
    let demonyms: HashIndex
    /// The country code of each demonym, by its position in `demonyms`.
    let demonymCountries: [String]
    /// Country code → index of the country's entry.
    let countries: [String: Int32]
    /// "cc.admin1" → index of the admin1 entry.
    let admin1Regions: [String: Int32]
    /// Normalized common words never taken as a place on their own.
    let stopWords: Set<String>
    /// The same, by key hash, for the hot loop.
    let stopHashes: Set<UInt64>
    /// Normalized names read as a person's unless context says place.
    let personNames: Set<String>
    /// The longest name in tokens, bounding how far a match is extended.
    let maxTokens: Int
    /// The single words that are a name or begin one ("paris", "new"), each with the `notability` of its most notable
    /// reading as a whole name, plus 8 when it begins a longer name.
    let placeWords: HashBytes

    /// How notable a place is, 1 (a village) to 6 (a country): the tagger learns how far each level makes a
    /// capitalized word a place.
    static func notability(_ entry: GazetteerEntries.Packed) -> UInt8 {
        switch entry.kind {
        case .country: 6
        case .admin1: 5
        case .feature: 4
        case .place: entry.isCapital || entry.population >= 100_000 ? 3 : entry.population >= 10_000 ? 2 : 1
        }
    }

    /// Asks for what `placeFeature` of `word` will read (see `HashIndex.prefetch`).
    @inline(__always)
    func prefetchPlaceFeature(_ word: UInt64) { self.placeWords.prefetch(word) }

    /// What a word tells the entity tagger as a place name, by `hashKey` of its normalized form (the `WordHash.fnv`
    /// of an ASCII word's lowercase): its names' `notability` (0: no place is called so), plus 8 when it starts a
    /// longer name ("New", "Hong").
    @inline(__always)
    func placeFeature(_ word: UInt64) -> UInt64 {
        UInt64(self.placeWords.value(of: word))
    }

    init() {
        self.entries = GazetteerEntries()
        self.names = HashIndex([])
        self.postingStarts = [0]
        self.postings = []
        self.prefixes = HashIndex([])
        self.demonyms = HashIndex([])
        self.demonymCountries = []
        self.countries = [:]
        self.admin1Regions = [:]
        self.stopWords = []
        self.stopHashes = []
        self.personNames = []
        self.maxTokens = 1
        self.placeWords = .empty
    }

    public init(data: Data, aliases: Data) throws {
        var entries = GazetteerEntries()
        // Every (name hash, entry) pair in file order, grouped into postings once all are read.
        var nameHashes: [UInt64] = []
        var nameEntries: [Int32] = []
        nameHashes.reserveCapacity(500_000)
        nameEntries.reserveCapacity(500_000)
        var prefixes: [UInt64] = []
        var maxTokens = 1
        var demonyms: [UInt64: String] = [:]
        var countries: [String: Int32] = [:]
        var admin1Regions: [String: Int32] = [:]
        var stopWords: Set<String> = []
        var personNames: Set<String> = []

        // Single words that are a name or begin one, with the `notability` of the entry and 8 for a beginning.
        var wordHashes: [UInt64] = []
        var wordValues: [UInt8] = []
        func add(_ name: Substring, _ index: Int32) {
            // Names in the files are trimmed and single-spaced, so an ASCII name is hashed as it is read, lowercased;
            // only the few others go through `normalize`.
            var hash = Self.hashSeed
            var words = 1
            var ascii = true
            for byte in name.utf8 {
                if byte >= 0x80 {
                    ascii = false
                    break
                }
                if byte == UInt8(ascii: " ") {
                    prefixes.append(hash)
                    if words == 1 {
                        wordHashes.append(hash)
                        wordValues.append(8)
                    }
                    words += 1
                }
                Self.hash(&hash, byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            }
            if !ascii {
                let key = Self.normalize(name)
                guard !key.isEmpty else { return }
                hash = Self.hashSeed
                words = 1
                for byte in key.utf8 {
                    if byte == UInt8(ascii: " ") {
                        prefixes.append(hash)
                        if words == 1 {
                            wordHashes.append(hash)
                            wordValues.append(8)
                        }
                        words += 1
                    }
                    Self.hash(&hash, byte)
                }
            }
            maxTokens = max(maxTokens, words)
            if words == 1 {
                wordHashes.append(hash)
                wordValues.append(Self.notability(entries.packed[Int(index)]))
            }
            nameHashes.append(hash)
            nameEntries.append(index)
        }
        func addNames(_ name: Substring, _ alternates: Substring?, _ index: Int32) throws {
            add(name, index)
            guard let alternates, !alternates.isEmpty else { return }
            var count = 0
            for alternate in alternates.split(separator: "|") {
                add(alternate, index)
                count += 1
            }
            try entries.setAlternateCount(count, at: Int(index))
        }

        // Fields are cut on bytes: splitting 240,000 lines as Characters would take most of a second.
        let text = String(decoding: data, as: UTF8.self)
        let utf8 = text.utf8
        var fields: [Substring] = []
        fields.reserveCapacity(10)
        var lineStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            defer { lineStart = lineEnd < utf8.endIndex ? utf8.index(after: lineEnd) : lineEnd }
            guard lineStart < lineEnd, let first = utf8[lineStart...].first, first != UInt8(ascii: "#") else {
                continue
            }
            fields.removeAll(keepingCapacity: true)
            var fieldStart = lineStart
            var cursor = lineStart
            while cursor < lineEnd {
                if utf8[cursor] == UInt8(ascii: "\t") {
                    fields.append(text[fieldStart..<cursor])
                    fieldStart = utf8.index(after: cursor)
                }
                cursor = utf8.index(after: cursor)
            }
            fields.append(text[fieldStart..<lineEnd])
            let index = Int32(entries.count)
            switch first {
            case UInt8(ascii: "P") where fields.count >= 9:
                try entries.append(
                    kind: .place, geonameid: fields[1], countryCode: fields[2], admin1Code: fields[3], name: fields[8],
                    lat: fields[5], lon: fields[6], population: fields[7], isCapital: fields[4] == "PPLC")
                try addNames(fields[8], fields.count > 9 ? fields[9] : nil, index)
            case UInt8(ascii: "C") where fields.count >= 7:
                let code = String(fields[2])
                try entries.append(
                    kind: .country, geonameid: fields[1], countryCode: fields[2], admin1Code: "", name: fields[6],
                    lat: fields[3], lon: fields[4], population: fields[5], isCapital: false)
                countries[code] = index
                try addNames(fields[6], fields.count > 7 ? fields[7] : nil, index)
            case UInt8(ascii: "A") where fields.count >= 8:
                let code = String(fields[2])
                try entries.append(
                    kind: .admin1, geonameid: fields[1], countryCode: fields[2], admin1Code: fields[3], name: fields[7],
                    lat: fields[4], lon: fields[5], population: fields[6], isCapital: false)
                admin1Regions[code + "." + fields[3]] = index
                try addNames(fields[7], fields.count > 8 ? fields[8] : nil, index)
            case UInt8(ascii: "L") where fields.count >= 7:
                try entries.append(
                    kind: .feature, geonameid: fields[1], countryCode: fields[2], admin1Code: "", name: fields[6],
                    lat: fields[3], lon: fields[4], population: fields[5], isCapital: false)
                try addNames(fields[6], fields.count > 7 ? fields[7] : nil, index)
            case UInt8(ascii: "D") where fields.count >= 3:
                demonyms[Self.hashKey(Self.normalize(fields[1]))] = String(fields[2])
            default:
                throw ResourceError.malformed("gazetteer.tsv", "unreadable row: \(fields.first ?? "")")
            }
        }

        let aliasText = String(decoding: aliases, as: UTF8.self)
        for line in aliasText.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let first = line.utf8.first, first != UInt8(ascii: "#") else { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else {
                throw ResourceError.malformed("gazetteer-aliases.tsv", "unreadable row: \(line.prefix(60))")
            }
            switch fields[0] {
            case "N" where fields.count >= 3:
                let target = fields[2]
                let index: Int32?
                if target.hasPrefix("=") {
                    let id = Int(target.dropFirst()) ?? -1
                    index = entries.packed.firstIndex { Int($0.geonameid) == id && $0.kind == .place }
                        .map { Int32($0) }
                } else if target.contains(".") {
                    index = admin1Regions[String(target)]
                } else {
                    index = countries[String(target)]
                }
                guard let index else {
                    throw ResourceError.malformed("gazetteer-aliases.tsv", "unknown target \(target)")
                }
                add(fields[1], index)
            case "R" where fields.count >= 4:
                let index = Int32(entries.count)
                try entries.append(
                    kind: .feature, geonameid: nil, countryCode: "", admin1Code: "", name: fields[1], lat: fields[2],
                    lon: fields[3], population: nil, isCapital: false)
                add(fields[1], index)
            case "D" where fields.count >= 3:
                demonyms[Self.hashKey(Self.normalize(fields[1]))] = String(fields[2])
            case "S":
                stopWords.insert(Self.normalize(fields[1]))
            case "P":
                personNames.insert(Self.normalize(fields[1]))
            default:
                throw ResourceError.malformed("gazetteer-aliases.tsv", "unreadable row: \(line.prefix(60))")
            }
        }

        entries.finish()
        self.entries = entries
        let names = HashIndex(nameHashes)
        // Postings by name, each name's in file order: count, sum, then place.
        var postingStarts = [UInt32](repeating: 0, count: names.count + 1)
        var positions = [Int32](repeating: 0, count: nameHashes.count)
        for (pair, hash) in nameHashes.enumerated() {
            let position = names.position(of: hash)!
            positions[pair] = Int32(position)
            postingStarts[position + 1] += 1
        }
        for position in 0..<names.count { postingStarts[position + 1] += postingStarts[position] }
        var cursors = postingStarts
        var postings = [Int32](repeating: 0, count: nameEntries.count)
        for (pair, entry) in nameEntries.enumerated() {
            let position = Int(positions[pair])
            postings[Int(cursors[position])] = entry
            cursors[position] += 1
        }
        // One look-up per capitalized word for the entity tagger, where `names` and `prefixes` took two.
        self.placeWords = HashBytes(keys: wordHashes, values: wordValues) { max($0 & 7, $1 & 7) | (($0 | $1) & 8) }
        self.names = names
        self.postingStarts = postingStarts
        self.postings = postings
        self.prefixes = HashIndex(prefixes)
        self.demonyms = HashIndex(Array(demonyms.keys))
        var demonymCountries = [String](repeating: "", count: self.demonyms.count)
        for (key, country) in demonyms { demonymCountries[self.demonyms.position(of: key)!] = country }
        self.demonymCountries = demonymCountries
        self.countries = countries
        self.admin1Regions = admin1Regions
        self.stopWords = stopWords
        self.stopHashes = Set(stopWords.map(Self.hashKey))
        self.personNames = personNames
        // Punctuation glued inside names ("St. Louis", "Washington, D.C.") adds tokens beyond the words.
        self.maxTokens = min(maxTokens * 2, 12)
    }

    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The country of the demonym whose normalized key hashes to `key`.
    @inline(__always)
    func demonymCountry(_ key: UInt64) -> String? {
        self.demonyms.position(of: key).map { self.demonymCountries[$0] }
    }

    /// One FNV-1a step.
    @inline(__always)
    static func hash(_ hash: inout UInt64, _ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    @inline(__always)
    static func hash(_ hash: inout UInt64, _ text: String) {
        for byte in text.utf8 { Self.hash(&hash, byte) }
    }

    static func hashKey(_ key: String) -> UInt64 {
        var hash = Self.hashSeed
        Self.hash(&hash, key)
        return hash
    }

    /// The entries of a normalized key.
    func hits(_ key: String) -> ArraySlice<Int32>? {
        self.hits(hash: Self.hashKey(key))
    }

    /// The entries of a key's hash (`hashKey`).
    @inline(__always)
    func hits(hash: UInt64) -> ArraySlice<Int32>? {
        guard let position = self.names.position(of: hash) else { return nil }
        return self.postings[Int(self.postingStarts[position])..<Int(self.postingStarts[position + 1])]
    }

    /// Entries named `name` (any spelling the gazetteer knows), most populous first.
    public func lookup(_ name: String) -> [GazetteerEntry] {
        guard let hits = self.hits(Self.normalize(Substring(name))) else { return [] }
        return hits.map { self.entries[Int($0)] }.sorted { $0.population > $1.population }
    }

    /// The country entry of an ISO code.
    public func country(_ code: String) -> GazetteerEntry? {
        self.countries[code].map { self.entries[Int($0)] }
    }

    /// The admin1 entry of a country code and admin1 code.
    public func admin1(_ countryCode: String, _ admin1Code: String) -> GazetteerEntry? {
        self.admin1Regions[countryCode + "." + admin1Code].map { self.entries[Int($0)] }
    }

    /// The lookup key of a name: lowercase, accents dropped, `’` as `'`, runs of whitespace as one space.
    static func normalize(_ name: Substring) -> String {
        var ascii = true
        for byte in name.utf8 where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            // Written straight into the String: a name of up to 15 bytes then needs no heap buffer at all, where a
            // byte array was made for every place name looked up.
            return String(unsafeUninitializedCapacity: name.utf8.count) { buffer in
                var count = 0
                var lastSpace = true
                for byte in name.utf8 {
                    if byte == 0x20 || byte == 0x09 {
                        if !lastSpace {
                            buffer[count] = 0x20
                            count += 1
                        }
                        lastSpace = true
                        continue
                    }
                    lastSpace = false
                    buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                    count += 1
                }
                if count > 0 && buffer[count - 1] == 0x20 { count -= 1 }
                return count
            }
        }
        let folded = String(name).replacingOccurrences(of: "\u{2019}", with: "'")
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        return folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A token's part of a key: its lowercase text, folded when it is not ASCII.
    static func keyPart(_ token: Token) -> String {
        for byte in token.lower.utf8 where byte >= 0x80 {
            if token.kind == .punctuation { return token.text == "\u{2019}" ? "'" : token.lower }
            return Self.normalize(Substring(token.text))
        }
        return token.lower
    }
}
