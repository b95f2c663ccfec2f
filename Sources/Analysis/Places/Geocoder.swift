import Articles
import Foundation

/// A place name found in a document, before it is resolved to a point.
public struct PlaceCandidate: Sendable, Equatable, Hashable {
    /// Scalar offsets into the document's text, end exclusive.
    public let start: Int
    public let end: Int
    /// The name as the text writes it.
    public let name: String
    /// Found by the entity tagger, not judged a place by the gazetteer's own rules.
    public let fromTagger: Bool

    public init(start: Int, end: Int, name: String, fromTagger: Bool = false) {
        self.start = start
        self.end = end
        self.name = name
        self.fromTagger = fromTagger
    }
}

/// Finds place names in an article and resolves each to a GeoNames place, using the article's own context:
/// the countries it names (also through demonyms), its other places, "City, State" patterns, capitals and
/// population.
public struct Geocoder: Sendable {
    public let gazetteer: Gazetteer

    public init(gazetteer: Gazetteer = .shared) {
        self.gazetteer = gazetteer
    }

    /// Great-circle distance on a sphere of the Earth's mean radius, in kilometres.
    public static func kilometres(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let radians = Double.pi / 180
        let dLat = (lat2 - lat1) * radians
        let dLon = (lon2 - lon1) * radians
        let a = sin(dLat / 2) * sin(dLat / 2)
            + cos(lat1 * radians) * cos(lat2 * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 6371.0088 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }

    /// Toponyms and their resolution in one call: what the geocoder finds without an NER.
    public func locate(_ document: Document) -> [LocationResult] {
        self.resolve(self.toponyms(in: document, exclude: []), in: document)
    }

    /// "GPE" for countries, admin1 regions and populated places, "LOC" for other geographic features
    /// (continents, regions), nil for a name the gazetteer does not know.
    public func placeKind(of name: String) -> String? {
        var key = Gazetteer.normalize(Substring(name))
        if self.gazetteer.hits(key) == nil, key.hasPrefix("the ") { key.removeFirst(4) }
        guard let hits = self.gazetteer.hits(key) else { return nil }
        let likeliest = self.gazetteer.entries[Int(self.best(of: hits, score: self.prior))]
        return likeliest.kind == .feature ? "LOC" : "GPE"
    }

    // MARK: - Finding toponyms

    /// Capitalized token sequences the gazetteer knows, with guards against common words and person names.
    ///
    /// - Parameters:
    ///   - document: the article.
    ///   - exclude: scalar ranges already typed as something else (an NER's PER or ORG spans); no toponym starts
    ///     inside one.
    /// - Returns: the candidates in text order, without overlaps.
    public func toponyms(in document: Document, exclude: [Range<Int>]) -> [PlaceCandidate] {
        let gazetteer = self.gazetteer
        guard !gazetteer.entries.isEmpty else { return [] }
        let tokens = document.tokens
        let excluded = exclude.sorted { $0.lowerBound < $1.lowerBound }
        var excludedCursor = 0
        func isExcluded(_ offset: Int) -> Bool {
            while excludedCursor < excluded.count && excluded[excludedCursor].upperBound <= offset {
                excludedCursor += 1
            }
            var index = excludedCursor
            while index < excluded.count && excluded[index].lowerBound <= offset {
                if excluded[index].contains(offset) { return true }
                index += 1
            }
            return false
        }

        var matches: [Match] = []
        // Names seen in a person's position anywhere ("Christopher Steele", "Mr. Steele"): not places elsewhere.
        var personKeys = Set<String>()
        for sentence in document.sentences {
            let range = sentence.tokens
            var headline: Bool?  // worked out at the sentence's first gazetteer hit, if any
            var firstWord = range.lowerBound
            while firstWord < range.upperBound && tokens[firstWord].kind != .word { firstWord += 1 }
            var index = range.lowerBound
            while index < range.upperBound {
                // Fields read in place: copying a Token retains its two strings, which costs more than the lookup.
                guard tokens[index].kind == .word, tokens[index].isCapitalized, !isExcluded(tokens[index].start),
                    let (end, hits, hash) = self.longestMatch(tokens, from: index, limit: range.upperBound, isExcluded),
                    !gazetteer.stopHashes.contains(hash)
                else {
                    index += 1
                    continue
                }
                if headline == nil { headline = Self.isHeadline(tokens, range) }
                if let match = self.judge(
                    tokens, index..<end, hits, sentence: range, firstWord: firstWord, headline: headline ?? false,
                    personKeys: &personKeys)
                {
                    matches.append(match)
                    index = end
                } else {
                    index += 1
                }
            }
        }
        guard !matches.isEmpty else { return [] }

        // Small places named alone need the article to be about their country.
        var contextCountries = Set<String>()
        let needContext = matches.contains { !$0.strong && !$0.hasContext }
        for match in matches where needContext && match.strong {
            for hit in match.hits {
                let entry = gazetteer.entries[Int(hit)]
                if entry.kind == .country || entry.kind == .admin1 { contextCountries.insert(entry.countryCode) }
            }
        }
        for index in tokens.indices where needContext && tokens[index].kind == .word && tokens[index].isCapitalized {
            if let code = self.demonym(tokens[index]) { contextCountries.insert(code) }
        }
        var candidates: [PlaceCandidate] = []
        candidates.reserveCapacity(matches.count)
        for match in matches {
            if !match.strong && personKeys.contains(match.key) { continue }
            if !match.strong && !match.hasContext {
                let supported = match.hits.contains { hit in
                    let entry = gazetteer.entries[Int(hit)]
                    return entry.population >= 5000 && contextCountries.contains(entry.countryCode)
                }
                guard supported else { continue }
            }
            let start = tokens[match.tokens.lowerBound].start
            let end = tokens[match.tokens.upperBound - 1].end
            candidates.append(PlaceCandidate(start: start, end: end, name: document.text(start, end)))
        }
        return candidates
    }

    struct Match {
        let tokens: Range<Int>
        let key: String
        let hits: ArraySlice<Int32>
        /// A country, admin1 region, continent, capital or large city: a place even without context.
        let strong: Bool
        /// A locative preposition before it or ", Place" after it.
        let hasContext: Bool
    }

    /// The longest gazetteer name starting at token `start` that ends on a capitalized word (or an abbreviation's
    /// period), as (end token, entries).
    func longestMatch(
        _ tokens: [Token], from start: Int, limit: Int, _ isExcluded: (Int) -> Bool
    ) -> (Int, ArraySlice<Int32>, UInt64)? {
        let gazetteer = self.gazetteer
        var key = Gazetteer.hashSeed
        Gazetteer.hash(&key, Gazetteer.keyPart(tokens[start]))
        // A word that is no place's name and begins none ends the search, unless the next token is glued to it
        // ("U.S.", "St. Louis"): one look-up in the index the entity tagger has just read for the same words, where
        // most capitalized words (people, organizations) took two in the larger, colder indexes of whole names.
        if gazetteer.placeFeature(key) == 0 && (start + 1 >= limit || tokens[start + 1].spaceBefore) { return nil }
        var best: (Int, ArraySlice<Int32>, UInt64)?
        var index = start
        while true {
            let endsWell =
                (tokens[index].kind == .word && tokens[index].isCapitalized)
                || (index > start && tokens[index].text == ".")
            if endsWell, let hits = gazetteer.hits(hash: key) { best = (index + 1, hits, key) }
            index += 1
            guard index < limit, index - start < gazetteer.maxTokens else { break }
            if tokens[index].spaceBefore {
                guard gazetteer.prefixes.contains(key), !isExcluded(tokens[index].start) else { break }
                Gazetteer.hash(&key, UInt8(ascii: " "))
            }
            Gazetteer.hash(&key, Gazetteer.keyPart(tokens[index]))
        }
        return best
    }

    /// Whether a gazetteer hit in running text is a place, not a common word or a person's name.
    func judge(
        _ tokens: [Token], _ span: Range<Int>, _ hits: ArraySlice<Int32>, sentence: Range<Int>, firstWord: Int,
        headline: Bool,
        personKeys: inout Set<String>
    ) -> Match? {
        let gazetteer = self.gazetteer
        let first = tokens[span.lowerBound]
        let last = tokens[span.upperBound - 1]
        let wordCount = tokens[span].reduce(0) { $0 + ($1.kind == .word ? 1 : 0) }
        let key = wordCount == 1 ? Gazetteer.keyPart(first) : Self.key(tokens, span)
        if gazetteer.stopWords.contains(key) { return nil }
        // "Canadian" names a people, not the town some gazetteer also calls so.
        if wordCount == 1 && self.demonym(first) != nil
            && !hits.contains(where: { gazetteer.entries.packed[Int($0)].kind == .country })
        {
            return nil
        }

        var strong = false
        var country = false
        var largeCity = false
        for hit in hits {
            let entry = gazetteer.entries.packed[Int(hit)]
            switch entry.kind {
            case .country:
                country = true
                strong = true
            case .admin1, .feature: strong = true
            case .place:
                if entry.isCapital || entry.population >= 100_000 { strong = true }
                if entry.isCapital || entry.population >= 500_000 { largeCity = true }
            }
        }
        // "FAO", "IRNA": all-caps words are acronyms unless they name a country, a region or a large city
        // ("WASHINGTON" in a dateline).
        if wordCount == 1 && first.isAllCaps {
            let region = hits.contains { gazetteer.entries.packed[Int($0)].kind != .place }
            if !region && !largeCity { return nil }
        }

        let previous = Self.previousWord(tokens, before: span.lowerBound, in: sentence)
        let previousLower = previous.map { tokens[$0].lower } ?? ""
        let next = span.upperBound < sentence.upperBound ? tokens[span.upperBound] : nil
        let afterNext = span.upperBound + 1 < sentence.upperBound ? tokens[span.upperBound + 1] : nil
        let locative = Self.locatives.contains(previousLower)
        let followedByPlace =
            next?.text == "," && afterNext.map { $0.isCapitalized && self.startsRegion(tokens, span.upperBound + 1) }
            ?? false

        // A title before the name makes it a person ("President Jackson", "Mr Paris").
        if let previous, Self.titles.contains(tokens[previous].lower) {
            personKeys.insert(key)
            return nil
        }
        if !headline {
            // "Washington Post", "Paris Hilton", "Georgia Tech": a capitalized word right after joins the name.
            // A country keeps its name before a noun: "U.S. officials", "Pakistan Army".
            if !country, let next, next.kind == .word, next.isCapitalized, !Self.placeFollowers.contains(next.lower),
                self.demonym(next) == nil, last.text != "."
            {
                personKeys.insert(key)
                return nil
            }
            // "Michael Jordan", "Air China": a capitalized word right before, unless it is a direction.
            if let previous, previous == span.lowerBound - 1, previous != firstWord {
                let token = tokens[previous]
                if token.kind == .word && token.isCapitalized && !Self.qualifiers.contains(token.lower)
                    && !gazetteer.stopWords.contains(token.lower) && !self.isRegionName(token)
                {
                    personKeys.insert(key)
                    return nil
                }
            }
        }
        // "Victoria said", "Jordan, who": a person-like context after a name that is not certainly a place.
        let personContext = next.map { Self.personFollowers.contains($0.lower) } ?? false
        if wordCount == 1 && gazetteer.personNames.contains(key) && !locative && !followedByPlace { return nil }
        if personContext && !country && !locative && (!strong || wordCount == 1) {
            personKeys.insert(key)
            return nil
        }
        // A capital at a sentence's start is just how sentences start: small places there need support.
        if span.lowerBound == firstWord && !strong && !followedByPlace { return nil }
        return Match(tokens: span, key: key, hits: hits, strong: strong, hasContext: locative || followedByPlace)
    }

    /// Whether a single token names a country or an admin1 region.
    func isRegionName(_ token: Token) -> Bool {
        guard let hits = self.gazetteer.hits(Gazetteer.keyPart(token)) else { return false }
        return hits.contains {
            let kind = self.gazetteer.entries.packed[Int($0)].kind
            return kind == .country || kind == .admin1
        }
    }

    /// The lookup key of a token range, spaced as the text is.
    static func key(_ tokens: [Token], _ span: Range<Int>) -> String {
        var key = ""
        for index in span {
            if index > span.lowerBound && tokens[index].spaceBefore { key.append(" ") }
            key.append(Gazetteer.keyPart(tokens[index]))
        }
        return key
    }

    /// Whether tokens from `index` start a country or admin1 name ("Texas" in "Paris, Texas").
    func startsRegion(_ tokens: [Token], _ index: Int) -> Bool {
        guard let (_, hits, _) = self.longestMatch(tokens, from: index, limit: min(tokens.count, index + 8), { _ in false })
        else { return false }
        return hits.contains {
            let kind = self.gazetteer.entries.packed[Int($0)].kind
            return kind == .country || kind == .admin1
        }
    }

    /// The country a demonym token names ("Pakistani", "Afghans").
    func demonym(_ token: Token) -> String? {
        let key = Gazetteer.keyPart(token)
        var hash = Gazetteer.hashSeed
        var plural = hash
        var last: UInt8 = 0
        var length = 0
        for byte in key.utf8 {
            plural = hash
            Gazetteer.hash(&hash, byte)
            last = byte
            length += 1
        }
        if let code = self.gazetteer.demonymCountry(hash) { return code }
        if length > 4, last == UInt8(ascii: "s") {
            return self.gazetteer.demonymCountry(plural)
        }
        return nil
    }

    static func previousWord(_ tokens: [Token], before index: Int, in sentence: Range<Int>) -> Int? {
        var cursor = index - 1
        while cursor >= sentence.lowerBound {
            if tokens[cursor].kind == .word { return cursor }
            // "Mr. Steele", "(Kabul", a quoted name: look past the period, bracket or quote mark.
            if tokens[cursor].text != "(" && tokens[cursor].text != "." && !tokens[cursor].isQuote { return nil }
            cursor -= 1
        }
        return nil
    }

    /// Most words capitalized: a headline or a title-cased line, where capitals say nothing about names.
    static func isHeadline(_ tokens: [Token], _ range: Range<Int>) -> Bool {
        var words = 0
        var capitalized = 0
        for index in range where tokens[index].kind == .word {
            words += 1
            if tokens[index].isCapitalized { capitalized += 1 }
        }
        return words >= 4 && capitalized * 10 >= words * 7
    }

    static let locatives: Set<String> = [
        "in", "at", "near", "from", "to", "outside", "across", "around", "into", "toward", "towards", "via",
        "throughout", "inside", "within", "between", "of", "visited", "visiting", "downtown",
    ]
    static let titles: Set<String> = [
        "mr", "mrs", "ms", "miss", "dr", "president", "sen", "senator", "gov", "governor", "rep", "judge", "justice",
        "gen", "general", "lt", "col", "colonel", "capt", "captain", "sgt", "king", "queen", "prince", "princess",
        "lord", "lady", "sir", "dame", "minister", "secretary", "pope", "bishop", "rev", "reverend", "chancellor",
        "mayor", "officer", "coach", "prof", "professor", "premier", "ambassador", "spokesman", "spokeswoman",
        "chairman", "director", "detective", "sheriff", "commissioner", "councillor", "councilman", "councilwoman",
        "brother", "sister", "father", "uncle", "aunt", "mother", "wife", "husband", "son", "daughter", "actor",
        "actress", "singer", "player", "striker", "coach", "manager", "emir", "sheikh", "mullah", "imam",
    ]
    /// Words after a place name that still leave it a place ("Kabul Province", "Georgia State" is not).
    static let placeFollowers: Set<String> = [
        "province", "provinces", "region", "district", "state", "county", "city", "valley", "basin", "border",
        "coast", "island", "islands", "peninsula", "river", "delta", "governorate", "prefecture", "territory",
    ]
    static let qualifiers: Set<String> = [
        "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "northeast",
        "northwest", "southeast", "southwest", "northeastern", "northwestern", "southeastern", "southwestern",
        "upper", "lower", "greater", "downtown", "rural", "metro", "inner", "outer", "coastal", "mainland",
        "neighbouring", "neighboring", "occupied", "war-torn", "and", "or",
    ]
    static let personFollowers: Set<String> = [
        "said", "says", "told", "added", "who", "whose", "explained", "wrote", "noted", "argued", "insisted",
        "claimed", "replied", "recalled", "testified", "tweeted",
    ]

    // MARK: - Resolving

    /// Resolves candidates to places, one result per place with every mention.
    ///
    /// Each distinct name takes the reading the article supports best: its countries (named outright, by
    /// demonym, or through other places), "City, State" patterns, admin1 regions it names, capitals, population.
    public func resolve(_ candidates: [PlaceCandidate], in document: Document) -> [LocationResult] {
        let gazetteer = self.gazetteer
        guard !gazetteer.entries.isEmpty, !candidates.isEmpty else { return [] }
        let sorted = candidates.sorted { $0.start < $1.start }

        // Distinct names with their mentions and gazetteer readings.
        var groupOfKey: [String: Int] = [:]
        var groups: [NameGroup] = []
        for candidate in sorted {
            var key = Gazetteer.normalize(Substring(candidate.name))
            if gazetteer.hits(key) == nil, key.hasPrefix("the ") { key.removeFirst(4) }
            guard let hits = gazetteer.hits(key) else { continue }
            if let group = groupOfKey[key] {
                groups[group].mentions.append(Mention(start: candidate.start, end: candidate.end))
                groups[group].taggerOnly = groups[group].taggerOnly && candidate.fromTagger
            } else {
                groupOfKey[key] = groups.count
                // A name that is a country's is the country, not some town also called so ("China", "Chad").
                let countryNamed = hits.contains { gazetteer.entries.packed[Int($0)].kind == .country }
                let readings =
                    countryNamed ? ArraySlice(hits.filter { gazetteer.entries.packed[Int($0)].kind != .place }) : hits
                groups.append(
                    NameGroup(
                        hits: readings, mentions: [Mention(start: candidate.start, end: candidate.end)], pattern: nil,
                        taggerOnly: candidate.fromTagger))
            }
        }
        guard !groups.isEmpty else { return [] }

        // "Paris, Texas": the name after the comma narrows the one before.
        var groupAt: [Int: Int] = [:]
        for (index, group) in groups.enumerated() {
            for mention in group.mentions { groupAt[mention.start] = index }
        }
        for (index, group) in groups.enumerated() {
            for mention in group.mentions {
                var cursor = mention.end
                while cursor < document.scalars.count && document.scalars[cursor] == " " { cursor += 1 }
                guard cursor < document.scalars.count, document.scalars[cursor] == "," else { continue }
                cursor += 1
                while cursor < document.scalars.count && Tokenizer.isSpace(document.scalars[cursor]) { cursor += 1 }
                if let other = groupAt[cursor], other != index { groups[index].pattern = other }
            }
        }

        let cues = Self.regionCues(groups, document.scalars)
        // The countries and regions each group's name after the comma may be.
        let patternGoverned = groups.map { group -> (countries: Set<UInt16>, regions: Set<UInt64>) in
            var governed: (countries: Set<UInt16>, regions: Set<UInt64>) = ([], [])
            guard let pattern = group.pattern else { return governed }
            // Kinds read from the packed table first: most readings are towns, and a whole entry is built per read.
            for hit in groups[pattern].hits {
                switch gazetteer.entries.packed[Int(hit)].kind {
                case .country: governed.countries.insert(Self.countryKey(gazetteer.entries[Int(hit)].countryCode))
                case .admin1: governed.regions.insert(Self.regionKey(gazetteer.entries[Int(hit)]))
                case .place, .feature: continue
                }
            }
            return governed
        }
        // The countries each name is ("Taiwan"): a country's region of the country's own name stays the country.
        let countriesNamed = groups.map { group in
            group.hits.compactMap { hit -> UInt16? in
                guard gazetteer.entries.packed[Int(hit)].kind == .country else { return nil }
                return Self.countryKey(gazetteer.entries[Int(hit)].countryCode)
            }
        }

        // Per group, the regions its name may be that also hold a town of the name ("Quebec" and Québec City, "New
        // York" and the city): the region's towns named in the article vouch for both readings alike. Kinds are read
        // from the packed table first: few names are a region's at all.
        let sharedRegions = groups.map { group -> [UInt64] in
            guard group.hits.contains(where: { gazetteer.entries.packed[Int($0)].kind == .admin1 }) else { return [] }
            var regions: [UInt64] = []
            var towns: [UInt64] = []
            for hit in group.hits {
                switch gazetteer.entries.packed[Int(hit)].kind {
                case .admin1: regions.append(Self.regionKey(gazetteer.entries[Int(hit)]))
                case .place: towns.append(Self.regionKey(gazetteer.entries[Int(hit)]))
                case .country, .feature: continue
                }
            }
            return regions.filter { towns.contains($0) }
        }

        // Demonyms in the article vote for their countries.
        var demonymVotes: [UInt16: Double] = [:]
        var seenDemonyms = Set<String>()
        let tokens = document.tokens
        for index in tokens.indices where tokens[index].kind == .word && tokens[index].isCapitalized {
            if let code = self.demonym(tokens[index]), seenDemonyms.insert(tokens[index].lower).inserted {
                demonymVotes[Self.countryKey(code), default: 0] += 1
            }
        }

        // Start from each name's reading without context, then let the readings vote for each other's countries.
        var chosen = groups.map { self.best(of: $0.hits, score: { self.prior($0) }) }
        /// What the chosen readings (each distinct one once, of the groups `counted` lets through) and the demonyms
        /// say of countries and regions.
        func tally(
            _ chosen: [Int32], counted: (Int) -> Bool = { _ in true }
        ) -> (votes: [UInt16: Double], regions: [UInt64: Int]) {
            // Sized for every group up front: grown as they filled, these three were rehashed several times a tally.
            var votes = demonymVotes
            votes.reserveCapacity(demonymVotes.count + chosen.count)
            var regions = [UInt64: Int](minimumCapacity: chosen.count)
            var voted = Set<Int32>(minimumCapacity: chosen.count)
            for (index, entryIndex) in chosen.enumerated() where counted(index) && voted.insert(entryIndex).inserted {
                let entry = gazetteer.entries[Int(entryIndex)]
                guard !entry.countryCode.isEmpty else { continue }
                votes[Self.countryKey(entry.countryCode), default: 0] += Self.voteWeight(entry, groups[index])
                if !entry.admin1Code.isEmpty { regions[Self.regionKey(entry), default: 0] += 1 }
            }
            return (votes, regions)
        }
        for _ in 0..<2 {
            let (votes, regions) = tally(chosen)
            // Per list, how many of its names read as a region of each country.
            let listRegions = cues.lists.map { members -> [UInt16: Int] in
                var counts: [UInt16: Int] = [:]
                for member in members where gazetteer.entries.packed[Int(chosen[member])].kind == .admin1 {
                    counts[Self.countryKey(gazetteer.entries[Int(chosen[member])].countryCode), default: 0] += 1
                }
                return counts
            }
            chosen = groups.enumerated().map { index, group in
                let own = gazetteer.entries[Int(chosen[index])]
                let ownRegion = Self.regionKey(own)
                // In a list of regions ("Virginia, Washington, West Virginia") a comma does not name the state of a
                // town, if the name is a region of theirs too ("Springfield, Illinois, and Columbus, Ohio" is towns).
                var listCountries = Set<UInt16>()
                for list in cues.listsOfGroup[index] {
                    for (country, count) in listRegions[list]
                    where count - (own.kind == .admin1 && Self.countryKey(own.countryCode) == country ? 1 : 0) > 0 {
                        listCountries.insert(country)
                    }
                }
                let inRegionList =
                    !listCountries.isEmpty
                    && group.hits.contains {
                        let entry = gazetteer.entries[Int($0)]
                        return entry.kind == .admin1 && listCountries.contains(Self.countryKey(entry.countryCode))
                    }
                // Nor in a list of countries ("Guinea-Bissau, Niger, Nigeria and Togo"): a country's name before a
                // country's is the first country, not its namesake region of the second (Niger State).
                let inCountryList =
                    !countriesNamed[index].isEmpty
                    && group.pattern.map { pattern in
                        gazetteer.entries.packed[Int(chosen[pattern])].kind == .country
                            && cues.listsOfGroup[index].contains { cues.listsOfGroup[pattern].contains($0) }
                    } ?? false
                let patternEntry =
                    inRegionList || inCountryList ? nil : group.pattern.map { gazetteer.entries[Int(chosen[$0])] }
                let sharedRegions = sharedRegions[index]
                var containedRegions: [UInt64] = []
                for place in cues.containedPlaces[index] where gazetteer.entries.packed[Int(chosen[place])].kind == .place {
                    containedRegions.append(Self.regionKey(gazetteer.entries[Int(chosen[place])]))
                }
                return self.best(of: group.hits) { entry in
                    var score = self.prior(entry)
                    if !entry.countryCode.isEmpty {
                        var support = votes[Self.countryKey(entry.countryCode)] ?? 0
                        if entry.countryCode == own.countryCode { support -= Self.voteWeight(own, group) }
                        score += 1.5 * min(max(support, 0), 3)
                        // A region of a country the article is about counts as named by the article, as the region
                        // of a town would: "Oregon" beside "Ohio" in an American article is the state, not the
                        // Ohio town of that name. Not where the name is also a country's, or a town's of the same
                        // region, or a city's of the country: the reading news means by it ("Niger", "São Paulo",
                        // "Washington").
                        if entry.kind == .admin1 && support >= 1.5 && !self.hasNamesake(entry, in: group.hits) {
                            score += Self.namedRegionBonus
                        } else if !entry.admin1Code.isEmpty {
                            let region = Self.regionKey(entry)
                            var regionSupport = regions[region] ?? 0
                            if region == ownRegion { regionSupport -= 1 }
                            // The article names the region, or other places in it ("Atlanta" beside "Georgia"). Not
                            // where the name is both the region's and a town's in it: then the rest decides
                            // ("Quebec" beside "Montreal" is the province, "New York" beside "Manhattan" the city).
                            if regionSupport > 0 && !sharedRegions.contains(region) { score += Self.namedRegionBonus }
                        }
                    }
                    // The text says it is a region: "Washington state", "the state of Washington", "Utah,
                    // Washington and Wisconsin", "New Jersey and New York", "Buffalo, New York".
                    if entry.kind == .admin1 && !countriesNamed[index].contains(Self.countryKey(entry.countryCode))
                        && (cues.calledState[index] || listCountries.contains(Self.countryKey(entry.countryCode))
                            || containedRegions.contains(Self.regionKey(entry)))
                    {
                        score += Self.regionCueBonus
                    }
                    if let patternEntry {
                        let sameCountry = patternEntry.countryCode == entry.countryCode
                        if sameCountry && (patternEntry.kind == .country || patternEntry.admin1Code == entry.admin1Code) {
                            score += Self.commaRegionBonus
                        } else if Self.lies(entry, in: patternGoverned[index]) {
                            // Any country or region the name after the comma may be, not only the one it took on
                            // its own: "Blakely, Georgia" is the Georgia town, and so puts Georgia in America.
                            score += Self.commaRegionBonus
                        }
                    }
                    return score
                }
            }
        }

        // A small town only the tagger called a place, in a country and region nothing else in the article names,
        // is more often a word or a name the tagger mistook ("over Christmas", "the 18th Century", a footballer)
        // than a village abroad: such a name is left out rather than put on the wrong continent. So is a region
        // named by a bare direction ("the West", "the North East") that resolved to another country's. Such names
        // do not vouch for each other: a team sheet of surnames is not a list of American towns.
        let doubtful = groups.indices.map { index -> Bool in
            guard groups[index].taggerOnly else { return false }
            let entry = gazetteer.entries[Int(chosen[index])]
            // "Innisfail, Alberta": the region or country named after the comma is support enough; a list of
            // names ("Thompson, Bellamy, Powell") is not.
            if let pattern = groups[index].pattern {
                let named = gazetteer.entries[Int(chosen[pattern])]
                if named.countryCode == entry.countryCode
                    && (named.kind == .country || (named.kind == .admin1 && named.admin1Code == entry.admin1Code))
                {
                    return false
                }
            }
            switch entry.kind {
            case .place: return !entry.isCapital && entry.population < Self.unsupportedTownPopulation
            case .admin1: return Self.isDirectionName(entry.name)
            case .country, .feature: return false
            }
        }
        let (anchored, anchoredRegions) = tally(chosen, counted: { !doubtful[$0] })
        let unsupported = groups.indices.map { index -> Bool in
            guard doubtful[index] else { return false }
            let entry = gazetteer.entries[Int(chosen[index])]
            return (anchored[Self.countryKey(entry.countryCode)] ?? 0) < 0.01
                && (entry.admin1Code.isEmpty || (anchoredRegions[Self.regionKey(entry)] ?? 0) == 0)
        }

        // A town the text places in a region it has no reading in ("Bradford, Ontario", where the gazetteer knows
        // Bradfords in England and the United States only) is left out: the text says the reading is wrong, and no
        // place is better than the wrong continent. Not a town in a list ("Klin, Ivanovo, Saransk, Kursk"), nor
        // one before a country's name: a comma ends many a clause ("a draw in Paris, Ireland face the Faroes").
        let contradicted = groups.indices.map { index -> Bool in
            guard let pattern = groups[index].pattern, cues.listsOfGroup[index].isEmpty else { return false }
            let entry = gazetteer.entries[Int(chosen[index])]
            guard entry.kind == .place, gazetteer.entries.packed[Int(chosen[pattern])].kind == .admin1 else { return false }
            return !groups[index].hits.contains { Self.lies(gazetteer.entries[Int($0)], in: patternGoverned[index]) }
        }

        // One result per place, however many names pointed at it.
        var resultOfEntry: [Int32: Int] = [:]
        var results: [LocationResult] = []
        for (index, group) in groups.enumerated() where !unsupported[index] && !contradicted[index] {
            let entryIndex = chosen[index]
            if let existing = resultOfEntry[entryIndex] {
                results[existing].mentions.append(contentsOf: group.mentions)
                results[existing].count += group.mentions.count
                continue
            }
            let entry = gazetteer.entries[Int(entryIndex)]
            let admin1 =
                entry.kind == .place || entry.kind == .admin1
                ? gazetteer.admin1(entry.countryCode, entry.admin1Code)?.name : nil
            resultOfEntry[entryIndex] = results.count
            results.append(
                LocationResult(
                    name: entry.name, countryCode: entry.countryCode.isEmpty ? nil : entry.countryCode,
                    admin1: admin1, lat: entry.lat, lon: entry.lon, geonameid: entry.geonameid,
                    count: group.mentions.count, mentions: group.mentions))
        }
        for index in results.indices { results[index].mentions.sort { $0.start < $1.start } }
        return results.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.mentions[0].start < $1.mentions[0].start
        }
    }

    /// What a reading gains when the article names its region (or the reading is a region of the article's country).
    static let namedRegionBonus = 4.0

    /// What a town's reading gains when the name after its comma is the town's region or country ("Paris, Texas").
    static let commaRegionBonus = 10.0

    /// What a region reading gains when the text itself calls the name a region (`regionCues`): as much as a town
    /// gains from the region named after its comma, enough to outweigh a large city of the name.
    static let regionCueBonus = Self.commaRegionBonus

    /// Whether a reading lies in one of the countries or regions a name may be (`countryKey`s, `regionKey`s).
    static func lies(_ entry: GazetteerEntry, in governed: (countries: Set<UInt16>, regions: Set<UInt64>)) -> Bool {
        !entry.countryCode.isEmpty
            && (governed.countries.contains(Self.countryKey(entry.countryCode))
                || (!entry.admin1Code.isEmpty && governed.regions.contains(Self.regionKey(entry))))
    }

    /// What the words around each name group's mentions say of it being a region, by group index.
    struct RegionCues {
        /// "Washington state", "the state of Washington".
        var calledState: [Bool]
        /// Lists of names, each as its distinct groups: three or more names joined by commas, "and" or "or", or two
        /// joined by "and" or "or" ("New Jersey and New York").
        var lists: [[Int]]
        /// The lists each group stands in, as indexes into `lists`.
        var listsOfGroup: [[Int]]
        /// Groups named right before it and a comma ("Buffalo" for "New York" in "Buffalo, New York").
        var containedPlaces: [[Int]]
    }

    static func regionCues(_ groups: [NameGroup], _ scalars: [Unicode.Scalar]) -> RegionCues {
        var cues = RegionCues(
            calledState: Array(repeating: false, count: groups.count), lists: [],
            listsOfGroup: Array(repeating: [], count: groups.count), containedPlaces: Array(repeating: [], count: groups.count))
        var mentions: [(start: Int, end: Int, group: Int)] = []
        mentions.reserveCapacity(groups.reduce(0) { $0 + $1.mentions.count })
        for (index, group) in groups.enumerated() {
            for mention in group.mentions {
                mentions.append((mention.start, mention.end, index))
                if Self.isCalledState(mention, scalars) { cues.calledState[index] = true }
            }
        }
        mentions.sort { $0.start < $1.start }
        var chain: [Int] = []  // indexes into `mentions`
        var conjunction = false
        func close() {
            defer {
                chain.removeAll(keepingCapacity: true)
                conjunction = false
            }
            guard chain.count >= 3 || (chain.count == 2 && conjunction) else { return }
            // Distinct groups only: a list repeating one name is counted once per name, so its cost stays linear.
            var members: [Int] = []
            for member in chain where cues.listsOfGroup[mentions[member].group].last != cues.lists.count {
                cues.listsOfGroup[mentions[member].group].append(cues.lists.count)
                members.append(mentions[member].group)
            }
            cues.lists.append(members)
        }
        for index in mentions.indices {
            if let last = chain.last, let joiner = Self.joiner(scalars, from: mentions[last].end, to: mentions[index].start) {
                if joiner == .comma, mentions[last].group != mentions[index].group {
                    cues.containedPlaces[mentions[index].group].append(mentions[last].group)
                }
                if joiner == .conjunction { conjunction = true }
                chain.append(index)
            } else {
                close()
                chain.append(index)
            }
        }
        close()
        return cues
    }

    enum Joiner { case comma, conjunction }

    /// How two names are joined when only a comma, "and" or "or" (", and") stands between them.
    static func joiner(_ scalars: [Unicode.Scalar], from start: Int, to end: Int) -> Joiner? {
        guard start <= end, end - start <= 8 else { return nil }
        // The letters packed into one integer, first in the highest byte (at most 8 fit): byte arrays for the word
        // and for the words it was compared with were made for every pair of neighbouring place names.
        var word: UInt64 = 0
        var letters = 0
        var comma = false
        for position in start..<end {
            let value = scalars[position].value
            if value == 0x2C {
                guard !comma, letters == 0 else { return nil }
                comma = true
            } else if value >= 0x61 && value <= 0x7A {
                word = word << 8 | UInt64(value)
                letters += 1
            } else if !Tokenizer.isSpace(scalars[position]) {
                return nil
            }
        }
        if letters == 0 { return comma ? .comma : nil }
        return (letters == 3 && word == Self.packedAnd) || (letters == 2 && word == Self.packedOr) ? .conjunction : nil
    }

    /// "and" and "or" as `joiner` packs a word's letters.
    static let packedAnd: UInt64 = 0x61_6E_64
    static let packedOr: UInt64 = 0x6F_72

    /// "Washington state", "New York State", "the state of Washington".
    static func isCalledState(_ mention: Mention, _ scalars: [Unicode.Scalar]) -> Bool {
        func lower(_ position: Int) -> UInt32 {
            let value = scalars[position].value
            return value >= 0x41 && value <= 0x5A ? value | 0x20 : value
        }
        func matches(_ word: String, at start: Int) -> Bool {
            guard start >= 0, start + word.unicodeScalars.count <= scalars.count else { return false }
            return zip(word.unicodeScalars, start...).allSatisfy { $0.value == lower($1) }
        }
        let after = mention.end + 1
        if mention.end < scalars.count, scalars[mention.end] == " ", matches("state", at: after),
            after + 5 == scalars.count || !Tokenizer.isLetterOrDigit(scalars[after + 5])
        {
            return true
        }
        let before = mention.start - 9
        return matches("state of ", at: before) && (before == 0 || !Tokenizer.isLetterOrDigit(scalars[before - 1]))
    }

    /// Towns smaller than this need the article's support when only the tagger found them.
    static let unsupportedTownPopulation = 20_000

    static let directionWords: Set<String> = [
        "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "centre", "center",
        "northeast", "northwest", "southeast", "southwest", "north-east", "north-west", "south-east", "south-west",
        "north-eastern", "north-western", "south-eastern", "south-western", "northeastern", "northwestern",
        "southeastern", "southwestern", "upper", "lower", "middle", "region", "province",
    ]

    /// A region's name made of directions alone ("West", "North East", "Central Region"): every country has one.
    static func isDirectionName(_ name: String) -> Bool {
        name.lowercased().split(separator: " ").allSatisfy { Self.directionWords.contains(String($0)) }
    }

    /// A country code packed into an integer: vote tables keyed by it hash faster than by strings.
    @inline(__always)
    static func countryKey(_ code: String) -> UInt16 {
        var key: UInt16 = 0
        for byte in code.utf8 { key = key &<< 8 | UInt16(byte) }
        return key
    }

    /// An admin1 region as a hash of "cc.admin1", built without a string.
    @inline(__always)
    static func regionKey(_ entry: GazetteerEntry) -> UInt64 {
        var hash = Gazetteer.hashSeed
        Gazetteer.hash(&hash, entry.countryCode)
        Gazetteer.hash(&hash, UInt8(ascii: "."))
        Gazetteer.hash(&hash, entry.admin1Code)
        return hash
    }

    struct NameGroup {
        let hits: ArraySlice<Int32>
        var mentions: [Mention]
        /// The group named right after a comma ("Paris, Texas").
        var pattern: Int?
        /// Every mention came from the entity tagger.
        var taggerOnly: Bool
    }

    /// Whether a region's name is also a country's, a town's in that same region, or a city's of its country; a
    /// town only when it is a sizeable part of the region or the country's capital ("São Paulo", "New York",
    /// "Washington"), not a regional capital far smaller than its province ("Quebec").
    func hasNamesake(_ region: GazetteerEntry, in hits: ArraySlice<Int32>) -> Bool {
        hits.contains { hit in
            let entry = self.gazetteer.entries[Int(hit)]
            guard entry.kind != .country else { return true }
            guard entry.kind == .place && entry.countryCode == region.countryCode
                && (entry.admin1Code == region.admin1Code || entry.population >= Self.namesakeCityPopulation)
            else { return false }
            return entry.isCapital || Double(entry.population) >= Self.namesakeShare * Double(region.population)
        }
    }

    /// A city this large is what news means by its name, over a region of its country named alike ("Washington",
    /// "Buenos Aires").
    static let namesakeCityPopulation = 100_000
    /// The share of its region's people a namesake town must hold to be what the name means.
    static let namesakeShare = 0.1

    /// A reading's plausibility without context: population, and governed units before towns of the same name.
    func prior(_ entry: GazetteerEntry) -> Double {
        var score = log10(Double(entry.population) + 10)
        switch entry.kind {
        case .country: score += 6
        // Continents, oceans and world regions have no population; a town named after one ("Atlantic", Iowa;
        // "Pacific", Missouri) took their name with a country's support behind it unless the town's own region is
        // named too.
        case .feature: score += 10
        case .admin1: score += 1.5
        case .place:
            if entry.isCapital { score += 3 }
            score += 0.6 * log2(1 + Double(entry.alternateCount))
        }
        return score
    }

    /// How much a resolved name says about the article's country: countries most, towns least.
    static func voteWeight(_ entry: GazetteerEntry, _ group: NameGroup) -> Double {
        switch entry.kind {
        case .country: 1.5
        case .admin1: 1
        case .place: 0.75
        case .feature: 0
        }
    }

    func best(of hits: ArraySlice<Int32>, score: (GazetteerEntry) -> Double) -> Int32 {
        var bestIndex = hits[hits.startIndex]
        var bestScore = -Double.infinity
        for hit in hits {
            let value = score(self.gazetteer.entries[Int(hit)])
            // Ties go to the lower index: the generator writes countries and regions before towns.
            if value > bestScore {
                bestScore = value
                bestIndex = hit
            }
        }
        return bestIndex
    }
}
