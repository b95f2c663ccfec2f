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

/// GeoNames place names, looked up by normalized name, loaded once from `gazetteer.tsv` and
/// `gazetteer-aliases.tsv` (see tools/make-gazetteer.py).
///
/// Keys are lowercased with accents dropped and `’` written `'`; multi-word names keep one space where the text has
/// whitespace and none where it has none ("washington, d.c."), so a key can be built from `Token`s directly.
public final class Gazetteer: Sendable {
    /// The gazetteer the analysis uses; empty (and every lookup nil) when the resource files are missing.
    public static let shared: Gazetteer = {
        do {
            return try Gazetteer(
                data: try ResourceFiles.data("gazetteer.tsv"), aliases: try ResourceFiles.data("gazetteer-aliases.tsv"))
        } catch {
            return Gazetteer()
        }
    }()

    public let entries: [GazetteerEntry]
    /// The hash of a normalized name (`keyHash`) → indexes into `entries`. Keyed by hash so a token sequence is
    /// looked up without building its string; 64 bits make a collision among 400,000 names negligible.
    let byKey: [UInt64: [Int32]]
    /// Hashes of every key's prefix that ends right before a space: a token sequence is worth extending only while
    /// it is one.
    let prefixes: Set<UInt64>
    /// Hash of a normalized demonym ("pakistani") → country code.
    let demonyms: [UInt64: String]
    /// One bit per `demonyms` key (by the key's low bits): the geocoder asks about every capitalized word, and
    /// nearly all are no demonym, which the bit tells without hashing the key into the dictionary.
    let demonymBits: [UInt64]
    static let demonymBitCount = 1 << 14
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

    init() {
        self.entries = []
        self.byKey = [:]
        self.prefixes = []
        self.demonyms = [:]
        self.demonymBits = Self.bits(of: [UInt64]())
        self.countries = [:]
        self.admin1Regions = [:]
        self.stopWords = []
        self.stopHashes = []
        self.personNames = []
        self.maxTokens = 1
    }

    public init(data: Data, aliases: Data) throws {
        var entries: [GazetteerEntry] = []
        entries.reserveCapacity(240_000)
        var byKey: [UInt64: [Int32]] = [:]
        byKey.reserveCapacity(400_000)
        var prefixes: Set<UInt64> = []
        var maxTokens = 1
        var demonyms: [UInt64: String] = [:]
        var countries: [String: Int32] = [:]
        var admin1Regions: [String: Int32] = [:]
        var stopWords: Set<String> = []
        var personNames: Set<String> = []

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
                    prefixes.insert(hash)
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
                        prefixes.insert(hash)
                        words += 1
                    }
                    Self.hash(&hash, byte)
                }
            }
            maxTokens = max(maxTokens, words)
            byKey[hash, default: []].append(index)
        }
        func addNames(_ name: Substring, _ alternates: Substring?, _ index: Int32) {
            add(name, index)
            guard let alternates, !alternates.isEmpty else { return }
            var count = 0
            for alternate in alternates.split(separator: "|") {
                add(alternate, index)
                count += 1
            }
            entries[Int(index)].alternateCount = count
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
                entries.append(
                    GazetteerEntry(
                        kind: .place, geonameid: Int(fields[1]) ?? 0, countryCode: String(fields[2]),
                        admin1Code: String(fields[3]), name: String(fields[8]), lat: Double(fields[5]) ?? 0,
                        lon: Double(fields[6]) ?? 0, population: Int(fields[7]) ?? 0, isCapital: fields[4] == "PPLC"))
                addNames(fields[8], fields.count > 9 ? fields[9] : nil, index)
            case UInt8(ascii: "C") where fields.count >= 7:
                let code = String(fields[2])
                entries.append(
                    GazetteerEntry(
                        kind: .country, geonameid: Int(fields[1]) ?? 0, countryCode: code, admin1Code: "",
                        name: String(fields[6]), lat: Double(fields[3]) ?? 0, lon: Double(fields[4]) ?? 0,
                        population: Int(fields[5]) ?? 0, isCapital: false))
                countries[code] = index
                addNames(fields[6], fields.count > 7 ? fields[7] : nil, index)
            case UInt8(ascii: "A") where fields.count >= 8:
                let code = String(fields[2])
                entries.append(
                    GazetteerEntry(
                        kind: .admin1, geonameid: Int(fields[1]) ?? 0, countryCode: code, admin1Code: String(fields[3]),
                        name: String(fields[7]), lat: Double(fields[4]) ?? 0, lon: Double(fields[5]) ?? 0,
                        population: Int(fields[6]) ?? 0, isCapital: false))
                admin1Regions[code + "." + fields[3]] = index
                addNames(fields[7], fields.count > 8 ? fields[8] : nil, index)
            case UInt8(ascii: "L") where fields.count >= 7:
                entries.append(
                    GazetteerEntry(
                        kind: .feature, geonameid: Int(fields[1]) ?? 0, countryCode: String(fields[2]), admin1Code: "",
                        name: String(fields[6]), lat: Double(fields[3]) ?? 0, lon: Double(fields[4]) ?? 0,
                        population: Int(fields[5]) ?? 0, isCapital: false))
                addNames(fields[6], fields.count > 7 ? fields[7] : nil, index)
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
                    index = entries.firstIndex { $0.geonameid == id && $0.kind == .place }.map { Int32($0) }
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
                entries.append(
                    GazetteerEntry(
                        kind: .feature, geonameid: 0, countryCode: "", admin1Code: "", name: String(fields[1]),
                        lat: Double(fields[2]) ?? 0, lon: Double(fields[3]) ?? 0, population: 0, isCapital: false))
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

        self.entries = entries
        self.byKey = byKey
        self.prefixes = prefixes
        self.demonyms = demonyms
        self.demonymBits = Self.bits(of: demonyms.keys)
        self.countries = countries
        self.admin1Regions = admin1Regions
        self.stopWords = stopWords
        self.stopHashes = Set(stopWords.map(Self.hashKey))
        self.personNames = personNames
        // Punctuation glued inside names ("St. Louis", "Washington, D.C.") adds tokens beyond the words.
        self.maxTokens = min(maxTokens * 2, 12)
    }

    static let hashSeed: UInt64 = 0xcbf2_9ce4_8422_2325

    static func bits(of keys: some Sequence<UInt64>) -> [UInt64] {
        var bits = [UInt64](repeating: 0, count: Self.demonymBitCount / 64)
        for key in keys {
            let bit = Int(truncatingIfNeeded: key) & (Self.demonymBitCount - 1)
            bits[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        return bits
    }

    /// Whether `demonyms` may hold `key`; false means it certainly does not.
    @inline(__always)
    func mayBeDemonym(_ key: UInt64) -> Bool {
        let bit = Int(truncatingIfNeeded: key) & (Self.demonymBitCount - 1)
        return self.demonymBits[bit >> 6] & (1 << UInt64(bit & 63)) != 0
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
    func hits(_ key: String) -> [Int32]? {
        self.byKey[Self.hashKey(key)]
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
            var bytes: [UInt8] = []
            bytes.reserveCapacity(name.utf8.count)
            var lastSpace = true
            for byte in name.utf8 {
                if byte == 0x20 || byte == 0x09 {
                    if !lastSpace { bytes.append(0x20) }
                    lastSpace = true
                    continue
                }
                lastSpace = false
                bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            }
            if bytes.last == 0x20 { bytes.removeLast() }
            return String(decoding: bytes, as: UTF8.self)
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
