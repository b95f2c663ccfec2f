import Foundation

/// The curated names: canonical entities with their aliases (Resources/aliases.tsv) and the demonyms of
/// countries (Resources/demonyms.tsv). The tagger uses them as features; the linker as canonical names.
public struct EntityLexicon: Sendable {
    public enum Kind: Int, Sendable {
        case person = 0, organization, place, nationality, misc

        init?(_ label: Substring) {
            switch label {
            case "PER": self = .person
            case "ORG": self = .organization
            case "GPE", "LOC": self = .place
            case "NORP": self = .nationality
            case "MISC": self = .misc
            default: return nil
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public let canonical: String
        /// The envelope type: PER, ORG, GPE, LOC, NORP or MISC.
        public let type: String
        public let kind: Kind
    }

    struct Candidate: Sendable {
        /// Word hashes of the alias's tokens after the first.
        let rest: [UInt64]
        let entry: Int
        /// An acronym alias ("IS", "US") matches only in capitals.
        let allCaps: Bool
        /// A one-word alias with a capital inside ("LeT", "BoE") matches only as written: in any other case it is a
        /// word ("Let me say", "Boe").
        var exact: String? = nil
    }

    struct Match {
        let tokens: Range<Int>
        let type: Kind
        let entry: Int
    }

    public let entries: [Entry]
    /// First token's word hash → aliases starting with it, longest first.
    let candidates: [UInt64: [Candidate]]
    /// `entityRunHash` of an alias's lowercase word hashes → entry: looked up for every name found, where
    /// joining and hashing the words as one String cost more than the look-up.
    let byName: [UInt64: Int]
    /// The words of Resources/person-names.tsv by `WordHash.fnv` of their lowercase form, each with how common it is as
    /// a given name and as a surname, `given * 4 + surname`, each a band from 1 (common) to 3, or 0 (not listed);
    /// asked about every capitalized word.
    let personNames: HashBytes

    public static let shared: EntityLexicon = {
        // Without the name list, or with a broken one, the tagger only loses one feature, not the alias table.
        let names = ResourceFiles.loading("person-names.tsv", or: HashBytes.empty) {
            try Self.personNameTable(try ResourceFiles.lines("person-names.tsv"))
        }
        // The tagger still works without the alias table; only canonical names are lost.
        return ResourceFiles.loading(
            "aliases.tsv",
            or: EntityLexicon(entries: [], candidates: [:], byName: [:], personNames: names)
        ) {
            try EntityLexicon(
                aliases: try ResourceFiles.lines("aliases.tsv"), demonyms: try ResourceFiles.lines("demonyms.tsv"),
                nameTable: names)
        }
    }()

    init(
        entries: [Entry], candidates: [UInt64: [Candidate]], byName: [UInt64: Int], personNames: HashBytes
    ) {
        self.entries = entries
        self.candidates = candidates
        self.byName = byName
        self.personNames = personNames
    }

    /// - Parameters:
    ///   - aliases: lines `canonical \t type \t alias|alias|…`.
    ///   - demonyms: lines `country \t demonym|demonym|…`; each demonym becomes a NORP entry canonical to the country.
    ///   - personNames: lines `word \t given-name band \t surname band` (`#` lines are comments).
    public init(aliases: [Substring], demonyms: [Substring], personNames: [Substring] = []) throws {
        try self.init(aliases: aliases, demonyms: demonyms, nameTable: try Self.personNameTable(personNames))
    }

    /// The name list's words by `WordHash.fnv`, each with its bands.
    static func personNameTable(_ lines: [Substring]) throws -> HashBytes {
        var nameHashes: [UInt64] = []
        var nameBands: [UInt8] = []
        for (number, line) in lines.enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            guard fields.count == 3, let given = UInt8(fields[1]), let surname = UInt8(fields[2]), given < 4, surname < 4
            else {
                throw ResourceError.malformed("person-names.tsv", "line \(number + 1) is not word<TAB>band<TAB>band")
            }
            nameHashes.append(WordHash.fnv(String(fields[0])))
            nameBands.append(given << 2 | surname)
        }
        return HashBytes(keys: nameHashes, values: nameBands)
    }

    init(aliases: [Substring], demonyms: [Substring], nameTable: HashBytes) throws {
        var entries: [Entry] = []
        var candidates: [UInt64: [Candidate]] = [:]
        var byName: [UInt64: Int] = [:]
        func add(_ name: Substring, _ entry: Int) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return }
            var tokens: [Token] = []
            let scalars = Array(trimmed.unicodeScalars)
            Tokenizer.tokenize(scalars, 0..<scalars.count, into: &tokens)
            guard let first = tokens.first else { return }
            let key = entityRunHash(tokens.lazy.map { WordHash.fnv($0.lower) })
            if byName[key] == nil { byName[key] = entry }
            let allCaps = tokens.count == 1 && first.isAllCaps && scalars.count <= 5
            // Not a capital after a hyphen: "Al-Qaeda" is also written "Al-qaeda".
            let innerCapital = !first.isAllCaps && !first.text.contains("-") && first.hasInnerCapital
            candidates[WordHash.fnv(first.lower), default: []].append(
                Candidate(
                    rest: tokens.dropFirst().map { WordHash.fnv($0.lower) }, entry: entry, allCaps: allCaps,
                    exact: tokens.count == 1 && innerCapital ? first.text : nil))
        }
        for (number, line) in aliases.enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let kind = Kind(fields[1]) else {
                throw ResourceError.malformed("aliases.tsv", "line \(number + 1) is not canonical<TAB>type<TAB>aliases")
            }
            let entry = entries.count
            entries.append(Entry(canonical: String(fields[0]), type: String(fields[1]), kind: kind))
            add(fields[0], entry)
            if fields.count > 2 {
                for alias in fields[2].split(separator: "|") { add(alias, entry) }
            }
        }
        for (number, line) in demonyms.enumerated() {
            let fields = line.split(separator: "\t")
            guard fields.count == 2 else {
                throw ResourceError.malformed("demonyms.tsv", "line \(number + 1) is not country<TAB>demonyms")
            }
            let entry = entries.count
            entries.append(Entry(canonical: String(fields[0]), type: "NORP", kind: .nationality))
            for demonym in fields[1].split(separator: "|") { add(demonym, entry) }
        }
        for key in candidates.keys {
            candidates[key]!.sort { $0.rest.count > $1.rest.count }
        }
        self.entries = entries
        self.candidates = candidates
        self.byName = byName
        self.personNames = nameTable
    }

    /// Asks for what `personNameBands` of `word` will read (see `HashIndex.prefetch`).
    @inline(__always)
    func prefetchPersonNameBands(_ word: UInt64) { self.personNames.prefetch(word) }

    /// How common a word is as a given name and as a surname (`personNames`), by `WordHash.fnv` of its lowercase form.
    @inline(__always)
    func personNameBands(_ word: UInt64) -> UInt64 {
        UInt64(self.personNames.value(of: word))
    }

    /// The entry a name (any case, tokens as the tokenizer cuts them) stands for.
    public func entry(named name: String) -> Entry? {
        var tokens: [Token] = []
        let scalars = Array(name.unicodeScalars)
        Tokenizer.tokenize(scalars, 0..<scalars.count, into: &tokens)
        return self.entry(wordHashes: tokens.lazy.map { WordHash.fnv($0.lower) })
    }

    /// The entry of a name given as the `WordHash.fnv` of each lowercase word.
    func entry<Words: Collection<UInt64>>(wordHashes: Words) -> Entry? {
        self.byName[entityRunHash(wordHashes)].map { self.entries[$0] }
    }

    /// Longest listed names in a sentence whose first token is capitalized, left to right, not overlapping, written
    /// into `matches` (emptied first), which the caller keeps from one sentence to the next.
    func matches(_ tokens: [Token], _ range: Range<Int>, hashes: [UInt64], into matches: inout [Match]) {
        matches.removeAll(keepingCapacity: true)
        var index = range.lowerBound
        while index < range.upperBound {
            // Fields read in place: copying a Token retains its two Strings.
            guard tokens[index].kind == .word, tokens[index].isCapitalized || tokens[index].isAllCaps,
                let list = self.candidates[hashes[index - range.lowerBound]]
            else {
                index += 1
                continue
            }
            let isAllCaps = tokens[index].isAllCaps
            var found: Match?
            for candidate in list {
                if candidate.allCaps && !isAllCaps { continue }
                if let exact = candidate.exact, tokens[index].text != exact { continue }
                let end = index + 1 + candidate.rest.count
                guard end <= range.upperBound else { continue }
                var same = true
                for (offset, hash) in candidate.rest.enumerated() where hashes[index + 1 + offset - range.lowerBound] != hash {
                    same = false
                    break
                }
                if same {
                    found = Match(tokens: index..<end, type: self.entries[candidate.entry].kind, entry: candidate.entry)
                    break
                }
            }
            if let found {
                matches.append(found)
                index = found.tokens.upperBound
            } else {
                index += 1
            }
        }
    }
}
