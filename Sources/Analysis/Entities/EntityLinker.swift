import Articles

/// Merges the mentions of one entity within an article: repeats, listed aliases, a surname after the full
/// name, and an acronym the article defines in parentheses or that spells a name's initials.
///
/// Words are compared by their 64-bit hashes (one per token, `WordHash.fnv` of the lowercase word), never as
/// Strings: building, hashing and freeing word arrays was most of what linking cost.
struct EntityLinker {
    let document: Document
    let lexicon: EntityLexicon
    /// Per token of the document: `WordHash.fnv(token.lower)`.
    let wordHashes: [UInt64]

    init(document: Document, lexicon: EntityLexicon) {
        self.document = document
        self.lexicon = lexicon
        self.wordHashes = document.wordHashes
    }

    /// `WordHash.fnv(text.lowercased())` without building the lowercased String when the text is ASCII.
    static func lowercasedHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            guard byte < 0x80 else { return WordHash.fnv(text.lowercased()) }
            hash ^= UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    /// Words left out of initials ("Central Intelligence Agency" → CIA, "Bank of England" → BOE).
    static let minorWords: Set<String> = ["of", "the", "and", "for", "&", "in", "on", "at", "to", "de", "a"]

    func link(_ found: [EntityMention], title: String?) -> [EntityResult] {
        var mentions = found
        let tokens = self.document.tokens
        // An acronym in parentheses right after a name is that name's alias: "Tehrik-e-Taliban Pakistan (TTP)".
        var acronyms: [String: Int] = [:]
        for (index, mention) in found.enumerated() where mention.type != "NORP" && mention.type != "PER" {
            let open = mention.tokens.upperBound
            guard open + 2 < tokens.count, tokens[open].text == "(", tokens[open + 2].text == ")",
                tokens[open + 1].isAllCaps, tokens[open + 1].kind == .word, acronyms[tokens[open + 1].text] == nil
            else { continue }
            acronyms[tokens[open + 1].text] = index
        }
        if !acronyms.isEmpty {
            // Every use of a defined acronym is a mention, tagged or not.
            var taken = Set<Int>(minimumCapacity: found.count * 2)
            for mention in found { for token in mention.tokens { taken.insert(token) } }
            for index in tokens.indices where tokens[index].isAllCaps && !taken.contains(index) {
                guard let owner = acronyms[tokens[index].text] else { continue }
                mentions.append(
                    EntityMention(
                        start: tokens[index].start, end: tokens[index].end, tokens: index..<(index + 1),
                        type: found[owner].type, text: tokens[index].text, canonical: nil))
            }
            mentions.sort { $0.start < $1.start }
        }

        mentions = self.propagate(mentions)

        // Union-find over mentions; the key of a mention is its canonical name or its own lowercased text.
        var parent = Array(mentions.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        func union(_ a: Int, _ b: Int) {
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        func key(_ mention: EntityMention) -> UInt64 {
            if let canonical = mention.canonical {
                return entityMix(WordHash.fnv(canonical), mention.type == "NORP" ? 1 : 2)
            }
            return entityMix(Self.lowercasedHash(mention.text), 3)
        }
        var firstByKey = [UInt64: Int](minimumCapacity: mentions.count)
        for (index, mention) in mentions.enumerated() {
            let key = key(mention)
            if let first = firstByKey[key] { union(first, index) } else { firstByKey[key] = index }
        }
        // Acronyms: defined in parentheses, or the initials of a longer organization name in the article.
        if !acronyms.isEmpty {
            let byText = Dictionary(mentions.indices.map { (mentions[$0].text, $0) }, uniquingKeysWith: { a, _ in a })
            for (acronym, owner) in acronyms {
                if let index = byText[acronym] { union(owner, index) }
            }
        }
        // Initials are only worth spelling out when some mention is a lone all-caps word they could match.
        let hasAcronymMention = mentions.contains { $0.tokens.count == 1 && tokens[$0.tokens.lowerBound].isAllCaps }
        var initials: [String: Int] = [:]
        for (index, mention) in mentions.enumerated()
        where hasAcronymMention && mention.type == "ORG" && mention.tokens.count >= 2 {
            // Tokens read in place, first letters from the scalars: copying Tokens retains their Strings.
            var view = String.UnicodeScalarView()
            for word in mention.tokens where tokens[word].kind == .word && !Self.minorWords.contains(tokens[word].lower) {
                view.append(self.document.scalars[tokens[word].start])
            }
            guard view.count >= 2, view.allSatisfy({ $0.properties.isUppercase }) else { continue }
            let letters = String(view)
            if initials[letters] == nil { initials[letters] = index }
        }
        for (index, mention) in mentions.enumerated() where mention.tokens.count == 1 && tokens[mention.tokens.lowerBound].isAllCaps {
            if let owner = initials[mention.text] { union(owner, index) }
        }
        // A person's surname or first name alone is the full name used elsewhere in the article, whatever type
        // the tagger gave the short form ("Warhol", "Gloria").
        // Each distinct full name once, found by its first or last word, with its mentions in text order: linear
        // in the mentions however often an article repeats names (a hostile text of 20,000 was quadratic here).
        let hashes = self.wordHashes
        // Two flat lists sorted by key and searched by halving, as `propagate`'s names are: dictionaries of arrays
        // cost an array for every distinct full name and every edge word of an article.
        // Every mention of a full name by the name's hash; sorted, one name's mentions are a run in text order.
        var fullNameUses: [(key: UInt64, mention: Int)] = []
        // Each distinct full name once under its first and its last word, in the order the names were met.
        var fullNamesByEdge: [(edge: UInt64, order: Int, words: Range<Int>, key: UInt64)] = []
        var distinctFullNames = Set<UInt64>()
        for index in mentions.indices where mentions[index].type == "PER" && mentions[index].canonical == nil {
            let words = mentions[index].tokens
            guard words.count >= 2 else { continue }
            let key = entityRunHash(hashes[words])
            if distinctFullNames.insert(key).inserted {
                let (first, last) = (hashes[words.lowerBound], hashes[words.upperBound - 1])
                fullNamesByEdge.append((first, fullNamesByEdge.count, words, key))
                if last != first { fullNamesByEdge.append((last, fullNamesByEdge.count, words, key)) }
            }
            fullNameUses.append((key, index))
        }
        fullNameUses.sort { $0.key != $1.key ? $0.key < $1.key : $0.mention < $1.mention }
        fullNamesByEdge.sort { $0.edge != $1.edge ? $0.edge < $1.edge : $0.order < $1.order }
        /// The full names with `edge` as their first or last word: at most the first 64 met, so an article
        /// repeating thousands of names stays linear.
        func edgeNames(_ edge: UInt64) -> Range<Int> {
            Self.run(of: edge, count: fullNamesByEdge.count, limit: 64) { fullNamesByEdge[$0].edge }
        }
        // Full names already weighed for the current mention: at most the two edge lists' 128, searched in place
        // (a Set and the lists' concatenation were made for every mention).
        var seen: [UInt64] = []
        for index in mentions.indices where mentions[index].canonical == nil && mentions[index].type != "NORP" {
            let words = mentions[index].tokens
            let short = hashes[words]
            let start = mentions[index].start
            var best: Int?
            seen.removeAll(keepingCapacity: true)
            let firstEdge = edgeNames(hashes[words.lowerBound])
            let lastEdge = edgeNames(hashes[words.upperBound - 1])
            for position in 0..<(firstEdge.count + lastEdge.count) {
                let full = fullNamesByEdge[
                    position < firstEdge.count
                        ? firstEdge.lowerBound + position : lastEdge.lowerBound + position - firstEdge.count]
                guard full.words.count > words.count else { continue }
                let long = hashes[full.words]
                let fresh = !seen.contains(full.key)
                if fresh { seen.append(full.key) }
                guard fresh, long.suffix(words.count).elementsEqual(short) || long.prefix(words.count).elementsEqual(short)
                else { continue }
                // The name's mentions, in text order, found by halving: walked, they made a text repeating one name
                // quadratic.
                let uses = Self.run(of: full.key, count: fullNameUses.count, limit: .max) { fullNameUses[$0].key }
                guard !uses.isEmpty else { continue }
                // Prefer the nearest full name before this mention; else the first after it.
                let earlier = Self.partitionPoint(uses.count) { mentions[fullNameUses[uses.lowerBound + $0].mention].start < start }
                let other = fullNameUses[uses.lowerBound + max(earlier - 1, 0)].mention
                if let chosen = best {
                    let before = mentions[other].start < start
                    let chosenBefore = mentions[chosen].start < start
                    if before && (!chosenBefore || mentions[other].start > mentions[chosen].start) { best = other }
                } else {
                    best = other
                }
            }
            if let best {
                union(best, index)
                if mentions[index].type != "PER" {
                    let mention = mentions[index]
                    mentions[index] = EntityMention(
                        start: mention.start, end: mention.end, tokens: mention.tokens, type: "PER", text: mention.text,
                        canonical: nil)
                }
            }
        }

        // Groups in one flat array, each group's members in text order: `union` keeps the smaller index as the root,
        // so a group's root is its first member. Dictionaries of arrays, and of Strings per group, were a third of
        // linking.
        let roots = mentions.indices.map { root($0) }
        var groupStart = [Int](repeating: 0, count: mentions.count + 1)
        for index in mentions.indices { groupStart[roots[index] + 1] += 1 }
        var maxCount = 1
        for index in mentions.indices {
            maxCount = max(maxCount, groupStart[index + 1])
            groupStart[index + 1] += groupStart[index]
        }
        var fill = groupStart
        var grouped = [Int](repeating: 0, count: mentions.count)
        for index in mentions.indices {
            grouped[fill[roots[index]]] = index
            fill[roots[index]] += 1
        }
        let length = max(self.document.scalars.count, 1)
        let titleWords = title.map(Self.wordHashes) ?? []
        var results: [(result: EntityResult, first: Int)] = []
        results.reserveCapacity(mentions.count)
        // Scratch for one group at a time, emptied but kept between groups: four arrays made per group, and two
        // more per surface to look for it in the title, were a good part of linking.
        // Distinct surfaces in order of first use, with their counts: a linear search while there are few (as
        // there are), a dictionary past that, so a text repeating one name in a thousand spellings stays linear.
        var order: [String] = []
        var counts: [Int] = []
        // The first mention of each surface in `order`: its tokens are the surface's words.
        var orderTokens: [Range<Int>] = []
        var types: [(type: String, count: Int)] = []
        for root in mentions.indices where roots[root] == root {
            let members = grouped[groupStart[root]..<groupStart[root + 1]]
            order.removeAll(keepingCapacity: true)
            counts.removeAll(keepingCapacity: true)
            orderTokens.removeAll(keepingCapacity: true)
            types.removeAll(keepingCapacity: true)
            var orderIndex: [String: Int]? = nil
            var canonical: String?
            for member in members {
                let text = mentions[member].text
                if let known = orderIndex != nil ? orderIndex![text] : order.firstIndex(of: text) {
                    counts[known] += 1
                } else {
                    order.append(text)
                    counts.append(1)
                    orderTokens.append(mentions[member].tokens)
                    orderIndex?[text] = order.count - 1
                    if orderIndex == nil && order.count > 16 {
                        orderIndex = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
                    }
                }
                let type = mentions[member].type
                if let known = types.firstIndex(where: { $0.type == type }) {
                    types[known].count += 1
                } else {
                    types.append((type, 1))
                }
                canonical = canonical ?? mentions[member].canonical
            }
            let name = order[
                order.indices.max { a, b in
                    let (la, lb) = (order[a].unicodeScalars.count, order[b].unicodeScalars.count)
                    return la != lb ? la < lb : counts[a] < counts[b]
                }!]
            let type = types.max { $0.count != $1.count ? $0.count < $1.count : $0.type > $1.type }!.type
            let first = mentions[root].start
            let inTitle = !titleWords.isEmpty && orderTokens.contains { self.occurs($0, in: titleWords) }
            let frequency = Double(members.count) / Double(maxCount)
            let earliness = 1 - Double(first) / Double(length)
            let salience = (0.55 * frequency + 0.25 * earliness + (inTitle ? 0.2 : 0)) * 1000
            results.append(
                (
                    EntityResult(
                        name: name, canonical: canonical ?? name, type: type,
                        aliases: order.filter { $0 != name }, count: members.count,
                        salience: salience.rounded() / 1000,
                        mentions: members.map { Mention(start: mentions[$0].start, end: mentions[$0].end) }),
                    first
                ))
        }
        results.sort { $0.result.salience != $1.result.salience ? $0.result.salience > $1.result.salience : $0.first < $1.first }
        return results.map(\.result)
    }

    /// An acronym or a word with a capital after its first letter: its case is part of the name.
    static func isCased(_ token: Token) -> Bool {
        token.isAllCaps || token.hasInnerCapital
    }

    /// Adds the places where the article repeats a name the tagger found elsewhere but missed there, and a
    /// person's bare surname: one name keeps one reading within an article.
    func propagate(_ mentions: [EntityMention]) -> [EntityMention] {
        let tokens = self.document.tokens
        let hashes = self.wordHashes
        // By first word: the words of a known name (a token range of its first mention), that mention, whether it
        // is a surname. One flat list sorted by that word, searched by halving: a dictionary of arrays cost an
        // array for every distinct name of the article.
        // Each distinct name once (the first mention of it speaks for all), and at most 64 per first word, so
        // an article repeating thousands of names stays linear.
        var names: [(first: UInt64, order: Int, words: Range<Int>, mention: Int, surname: Bool)] = []
        var known = Set<UInt64>(minimumCapacity: mentions.count * 2)
        names.reserveCapacity(mentions.count * 2)
        // Mentions read in place: copying one retains its three Strings.
        for index in mentions.indices {
            let words = mentions[index].tokens
            let first = hashes[words.lowerBound]
            if known.insert(entityRunHash(hashes[words])).inserted {
                names.append((first, names.count, words, index, false))
            }
            let last = hashes[words.upperBound - 1]
            if mentions[index].type == "PER", words.count >= 2, tokens[words.upperBound - 1].isCapitalized,
                known.insert(entityMix(last, 0x5355_524E)).inserted
            {
                names.append((last, names.count, (words.upperBound - 1)..<words.upperBound, index, true))
            }
        }
        names.sort { $0.first != $1.first ? $0.first < $1.first : $0.order < $1.order }
        // The candidates for a first word: `names[start..<end]`, in the order they were met, the first 64.
        func candidates(_ word: UInt64) -> Range<Int>? {
            let run = Self.run(of: word, count: names.count, limit: 64) { names[$0].first }
            return run.isEmpty ? nil : run
        }
        var covered = [Bool](repeating: false, count: tokens.count)
        for index in mentions.indices { for token in mentions[index].tokens { covered[token] = true } }
        var added: [EntityMention] = []
        added.reserveCapacity(mentions.count)
        var index = 0
        while index < tokens.count {
            // Fields read in place: copying a Token retains its two Strings, for every token of the article.
            guard !covered[index], tokens[index].kind == .word, tokens[index].isCapitalized || tokens[index].isAllCaps,
                let listed = candidates(hashes[index])
            else {
                index += 1
                continue
            }
            var best: (first: UInt64, order: Int, words: Range<Int>, mention: Int, surname: Bool)?
            for candidate in names[listed] where candidate.words.count > (best?.words.count ?? 0) {
                let end = index + candidate.words.count
                let offset = candidate.words.lowerBound - index
                guard end <= tokens.count, (index..<end).allSatisfy({ !covered[$0] && hashes[$0] == hashes[$0 + offset] })
                else { continue }
                // One word in capitals or with a capital inside ("IS", "LeT") repeats only as written: "Is it?" and
                // "Let me" are words.
                if candidate.words.count == 1, Self.isCased(tokens[candidate.words.lowerBound]),
                    tokens[index].text != tokens[candidate.words.lowerBound].text
                {
                    continue
                }
                best = candidate
            }
            guard let best else {
                index += 1
                continue
            }
            let source = mentions[best.mention]
            let range = index..<(index + best.words.count)
            added.append(
                EntityMention(
                    start: tokens[range.lowerBound].start, end: tokens[range.upperBound - 1].end, tokens: range,
                    type: source.type, text: self.document.text(tokens: range), canonical: best.surname ? nil : source.canonical))
            index = range.upperBound
        }
        guard !added.isEmpty else { return mentions }
        return (mentions + added).sorted { $0.start < $1.start }
    }

    /// The first position in `0..<count` where `isBefore` is false, for a predicate true on a prefix: a binary search.
    static func partitionPoint(_ count: Int, _ isBefore: (Int) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(middle) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// In a list of `count` entries sorted by key (`keyAt`), the positions of the entries whose key is `key`, the
    /// first `limit` of them.
    static func run(of key: UInt64, count: Int, limit: Int, _ keyAt: (Int) -> UInt64) -> Range<Int> {
        let start = Self.partitionPoint(count) { keyAt($0) < key }
        let end = Self.partitionPoint(count) { keyAt($0) <= key }
        return start..<(start + min(end - start, limit))
    }

    /// Whether the words of `tokens` (punctuation skipped) occur in a row in `title` (hashes of its words).
    func occurs(_ tokens: Range<Int>, in title: [UInt64]) -> Bool {
        let all = self.document.tokens
        let count = tokens.reduce(0) { $0 + (all[$1].kind == .punctuation ? 0 : 1) }
        guard count > 0, count <= title.count else { return false }
        return (0...(title.count - count)).contains { offset in
            var position = offset
            for token in tokens where all[token].kind != .punctuation {
                guard self.wordHashes[token] == title[position] else { return false }
                position += 1
            }
            return true
        }
    }

    /// `WordHash.fnv` of each lowercased word of a short text, for finding names in the title: in one pass, where
    /// filtering the tokens and mapping them twice made three arrays more.
    static func wordHashes(_ text: String) -> [UInt64] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 4 + 4)
        var all: [UInt64] = []
        all.reserveCapacity(scalars.count / 4 + 4)
        Tokenizer.tokenize(scalars, 0..<scalars.count, into: &tokens, hashes: &all)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(tokens.count)
        for (token, hash) in zip(tokens, all) where token.kind != .punctuation { hashes.append(hash) }
        return hashes
    }
}
