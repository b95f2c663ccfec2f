/// The tag set of the entity tagger: BIO over the entity types it learns.
///
/// Dates are left out: they have their own stage, and the training data's time tags (weekdays, years) are not names.
public enum EntityTags {
    public static let types = ["PER", "ORG", "LOC", "NORP", "MISC"]
    /// 0 is O; type t has B = 1 + 2t and I = 2 + 2t.
    public static let count = 1 + 2 * types.count

    static func begin(_ type: Int) -> Int { 1 + 2 * type }
    static func inside(_ type: Int) -> Int { 2 + 2 * type }
    static func type(of tag: Int) -> Int? { tag == 0 ? nil : (tag - 1) / 2 }
    static func isInside(_ tag: Int) -> Bool { tag != 0 && (tag - 1) % 2 == 1 }

    public static func name(_ tag: Int) -> String {
        guard let type = Self.type(of: tag) else { return "O" }
        return (Self.isInside(tag) ? "I-" : "B-") + Self.types[type]
    }
}

/// One hash for a run of word hashes: equal runs, equal hashes; a collision is as likely as in 64 random bits.
@inline(__always)
func entityRunHash<Words: Collection<UInt64>>(_ hashes: Words) -> UInt64 {
    var hash = UInt64(truncatingIfNeeded: hashes.count)
    for word in hashes { hash = entityMix(hash, word) }
    return hash
}

@inline(__always)
func entityMix(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var x = a &* 0x9E37_79B9_7F4A_7C15 ^ (b &+ 0x632B_E59B_D9B4_E019)
    x ^= x >> 31
    x &*= 0xBF58_476D_1CE4_E5B9
    x ^= x >> 29
    return x
}

/// What the tagger knows about one token before it looks at its neighbours' tags; computed once per token.
struct EntityTokenInfo {
    var word: UInt64
    var shape: UInt64
    var prefix3: UInt64
    var suffix2: UInt64
    var suffix3: UInt64
    var suffix4: UInt64
    /// Capitalized, all caps, lowercase, number, punctuation; and whether it opens the sentence.
    var flags: UInt64
    /// The alias table's BIO tag and type at this token (0 when outside every listed name).
    var lexicon: UInt64
    /// A capitalized word's bands as a given name and a surname (`EntityLexicon.personNameBands`); 0 otherwise.
    var personName: UInt64 = 0
    /// A capitalized word's place-name value (`Gazetteer.placeFeature`); 0 otherwise.
    var place: UInt64 = 0
    var isCapitalized: Bool
    /// A function word opening a sentence ("The", "He", "In"): see `EntityDecoder.mayOpen`.
    var isFunctionWord = false
    /// The affix hashes are not filled in yet: see `EntityFeatures.infos(…, lazyAffixes:)`.
    var affixesPending = false
    /// Punctuation no name runs through (`EntityFeatures.breaksName`): the decoders tag it O.
    var breaksName = false
}

/// Turns tokens into hashed feature ids for the perceptron.
enum EntityFeatures {
    static let padding = EntityTokenInfo(
        word: WordHash.fnv("<pad>"), shape: WordHash.fnv("<pad>"), prefix3: 0, suffix2: 0, suffix3: 0, suffix4: 0,
        flags: 99, lexicon: 0, isCapitalized: false)

    @inline(__always)
    static func isUpper(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 ? scalar.value >= 65 && scalar.value <= 90 : scalar.properties.isUppercase
    }

    /// "Xxxx" style shape with runs collapsed ("Daesh-K" → "Xx-X", "2021" → "d", "U.S." → "X.X.").
    static func shape(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var last: UInt8 = 0
        var length = 0
        for scalar in text.unicodeScalars {
            let c: UInt8
            let value = scalar.value
            if value < 0x80 {
                // ASCII without the Unicode property tables: this runs for every token.
                c = value >= 65 && value <= 90 ? 88 : value >= 97 && value <= 122 ? 120 : value >= 48 && value <= 57 ? 100 : UInt8(value)
            } else if scalar.properties.isUppercase {
                c = 88  // X
            } else if scalar.properties.isLowercase {
                c = 120  // x
            } else if scalar.value >= 0x30 && scalar.value <= 0x39 {
                c = 100  // d
            } else {
                c = scalar.value < 0x80 ? UInt8(scalar.value) : 63
            }
            length += 1
            if c == last { continue }
            last = c
            hash ^= UInt64(c)
            hash &*= 0x100_0000_01b3
        }
        return entityMix(hash, UInt64(min(length, 4)))
    }

    /// Hashes of the first 3 and last 2, 3 and 4 bytes of a lowercased word (0 when it is not longer).
    static func affixes(_ lower: String) -> (UInt64, UInt64, UInt64, UInt64) {
        var lower = lower
        return lower.withUTF8 { bytes in
            func hash(_ range: Range<Int>, _ salt: UInt64) -> UInt64 {
                guard bytes.count > range.count else { return 0 }
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ salt
                for index in range {
                    hash ^= UInt64(bytes[index])
                    hash &*= 0x100_0000_01b3
                }
                return hash
            }
            let count = bytes.count
            return (
                hash(0..<min(3, count), 10), hash(max(0, count - 2)..<count, 2), hash(max(0, count - 3)..<count, 3),
                hash(max(0, count - 4)..<count, 4)
            )
        }
    }

    /// Per-token information for one sentence, including the alias table's matches.
    static func infos(_ document: Document, _ range: Range<Int>, lexicon: EntityLexicon) -> [EntityTokenInfo] {
        var matches: [EntityLexicon.Match] = []
        return Self.infos(document, range, lexicon: lexicon, matches: &matches)
    }

    /// Also hands back the alias table's matches, which the recognizer uses again.
    ///
    /// With `lazyAffixes`, an ASCII token that cannot open a name (`EntityDecoder.mayOpen`) is left without its
    /// affix hashes (`affixesPending`): only the token being scored reads them, and the shipped decoder scores
    /// such a token only after an entity tag, where it fills them in (`fillAffixes`). Four hashes for three
    /// tokens in four that are never scored were a third of this step.
    static func infos(
        _ document: Document, _ range: Range<Int>, lexicon: EntityLexicon, matches: inout [EntityLexicon.Match],
        lazyAffixes: Bool = false
    ) -> [EntityTokenInfo] {
        var infos: [EntityTokenInfo] = []
        var hashes: [UInt64] = []
        Self.infos(document, range, lexicon: lexicon, matches: &matches, lazyAffixes: lazyAffixes, into: &infos, hashes: &hashes)
        return infos
    }

    /// The same, written into `infos` (emptied first), with each token's `word` hash into `hashes` (emptied first):
    /// the recognizer keeps both for a whole article, where these arrays were made and grown for every sentence.
    static func infos(
        _ document: Document, _ range: Range<Int>, lexicon: EntityLexicon, matches: inout [EntityLexicon.Match],
        lazyAffixes: Bool, into infos: inout [EntityTokenInfo], hashes: inout [UInt64]
    ) {
        infos.removeAll(keepingCapacity: true)
        infos.reserveCapacity(range.count)
        var opensSentence = true
        // Fields read in place: copying a Token retains its two Strings. The word hashes are the tokenizer's.
        let wordHashes = document.wordHashes
        document.tokens.withUnsafeBufferPointer { tokens in
            document.scalars.withUnsafeBufferPointer { scalars in
                for index in range {
                    let kind = tokens[index].kind
                    let isCapitalized = tokens[index].isCapitalized
                    let isAllCaps = tokens[index].isAllCaps
                    let start = tokens[index].start
                    let end = tokens[index].end
                    var flags: UInt64
                    switch kind {
                    case .number: flags = 1
                    case .punctuation: flags = 2
                    case .word: flags = isAllCaps ? 3 : isCapitalized ? 4 : 5
                    }
                    var ascii = true
                    var hasUpper = false
                    for position in start..<end {
                        let value = scalars[position].value
                        guard value < 0x80 else {
                            ascii = false
                            break
                        }
                        hasUpper = hasUpper || (value >= 0x41 && value <= 0x5A)
                    }
                    let word = wordHashes[index]
                    let info: EntityTokenInfo
                    if ascii {
                        if kind == .word && !isCapitalized && hasUpper { flags = 6 }
                        if opensSentence { flags += 10 }
                        var ready = EntityTokenInfo(
                            word: word, shape: Self.asciiShape(scalars, start, end), prefix3: 0, suffix2: 0, suffix3: 0,
                            suffix4: 0, flags: flags, lexicon: 0, isCapitalized: isCapitalized || isAllCaps)
                        ready.isFunctionWord = flags == 14 && EntityDecoder.functionWords.contains(word)
                        if lazyAffixes && !EntityDecoder.mayOpen(ready) {
                            ready.affixesPending = true
                        } else {
                            Self.fillAffixes(&ready, scalars, start, end)
                        }
                        info = ready
                    } else {
                        let token = tokens[index]
                        if kind == .word && !isCapitalized && token.text.unicodeScalars.contains(where: Self.isUpper) {
                            flags = 6  // "al-Qaida", "iPhone"
                        }
                        if opensSentence { flags += 10 }
                        let (prefix3, suffix2, suffix3, suffix4) = Self.affixes(token.lower)
                        info = EntityTokenInfo(
                            word: word, shape: Self.shape(token.text),
                            prefix3: prefix3, suffix2: suffix2, suffix3: suffix3, suffix4: suffix4,
                            flags: flags, lexicon: 0, isCapitalized: isCapitalized || isAllCaps)
                    }
                    infos.append(info)
                    if kind == .punctuation && Self.breaksName(scalars[start]) {
                        infos[infos.count - 1].breaksName = true
                    }
                    if !ascii && info.flags == 14 && EntityDecoder.functionWords.contains(info.word) {
                        infos[infos.count - 1].isFunctionWord = true
                    }
                    // Punctuation is one scalar: "(" and the quote marks are told apart without the token's text.
                    let first = scalars[start]
                    opensSentence =
                        kind == .punctuation && (opensSentence || first == "(" || Tokenizer.isQuoteMark(first))
                }
            }
        }
        hashes.removeAll(keepingCapacity: true)
        let gazetteer = Gazetteer.shared
        // Both word lists are asked for the whole sentence's capitalized words before any is read: their misses overlap.
        for index in infos.indices where infos[index].isCapitalized {
            lexicon.prefetchPersonNameBands(infos[index].word)
            gazetteer.prefetchPlaceFeature(infos[index].word)
        }
        for index in infos.indices {
            hashes.append(infos[index].word)
            if infos[index].isCapitalized {
                infos[index].personName = lexicon.personNameBands(infos[index].word)
                infos[index].place = gazetteer.placeFeature(infos[index].word)
            }
        }
        lexicon.matches(document.tokens, range, hashes: hashes, into: &matches)
        for match in matches {
            let type = UInt64(match.type.rawValue + 1)
            for index in match.tokens {
                let position = index == match.tokens.lowerBound ? 1 : 2
                infos[index - range.lowerBound].lexicon = type * 4 + UInt64(position)
                // A listed name's words may open one (`mayOpen`): they are scored with the others.
                Self.fillAffixes(&infos[index - range.lowerBound], document, index)
            }
        }
    }

    /// Punctuation that ends any name: a colon, semicolon, comma, bracket, quotation mark, exclamation or question
    /// mark, a dash or a currency sign. The tagger had run names on through them, mostly in title-cased lines and
    /// bylines: "Helena Markovic: Why …", "Dana Warren (D-Mass", "Harbor Watch” on Monday", "Harbor Growth
    /// Fund $500,000". No person, organisation or place of the GUM news file holds one; a period, hyphen, ampersand or
    /// apostrophe may ("U.S.", "Procter & Gamble").
    @inline(__always)
    static func breaksName(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ":", ";", ",", "(", ")", "[", "]", "{", "}", "!", "?", "\"", "\u{201C}", "\u{201D}", "\u{2018}",
            "\u{00AB}", "\u{00BB}", "\u{2014}", "\u{2013}", "$", "\u{00A3}", "\u{20AC}":
            true
        default: false
        }
    }

    /// Fills in the affix hashes `infos(…, lazyAffixes: true)` left out of document token `index`'s info.
    static func fillAffixes(_ info: inout EntityTokenInfo, _ document: Document, _ index: Int) {
        guard info.affixesPending else { return }
        let start = document.tokens[index].start
        let end = document.tokens[index].end
        document.scalars.withUnsafeBufferPointer { Self.fillAffixes(&info, $0, start, end) }
    }

    /// The affix hashes of an ASCII token: `affixes` of its lowercase bytes, which are its scalars lowercased.
    @inline(__always)
    static func fillAffixes(
        _ info: inout EntityTokenInfo, _ scalars: UnsafeBufferPointer<Unicode.Scalar>, _ start: Int, _ end: Int
    ) {
        info.prefix3 = Self.asciiAffix(scalars, start, end, start..<min(start + 3, end), 10)
        info.suffix2 = Self.asciiAffix(scalars, start, end, max(start, end - 2)..<end, 2)
        info.suffix3 = Self.asciiAffix(scalars, start, end, max(start, end - 3)..<end, 3)
        info.suffix4 = Self.asciiAffix(scalars, start, end, max(start, end - 4)..<end, 4)
        info.affixesPending = false
    }

    /// `shape` of an ASCII token, read from the document's scalars.
    @inline(__always)
    static func asciiShape(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, _ start: Int, _ end: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var last: UInt8 = 0
        for position in start..<end {
            let value = UInt8(truncatingIfNeeded: scalars[position].value)
            let c: UInt8 = value >= 65 && value <= 90 ? 88 : value >= 97 && value <= 122 ? 120 : value >= 48 && value <= 57 ? 100 : value
            if c == last { continue }
            last = c
            hash ^= UInt64(c)
            hash &*= 0x100_0000_01b3
        }
        return entityMix(hash, UInt64(min(end - start, 4)))
    }

    /// One of `affixes` for an ASCII token: its lowercase bytes are its scalars, lowercased.
    @inline(__always)
    static func asciiAffix(
        _ scalars: UnsafeBufferPointer<Unicode.Scalar>, _ start: Int, _ end: Int, _ range: Range<Int>, _ salt: UInt64
    ) -> UInt64 {
        guard end - start > range.count else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ salt
        for position in range {
            let value = scalars[position].value
            hash ^= UInt64(value >= 0x41 && value <= 0x5A ? value | 0x20 : value)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    /// The feature ids of position `i`, given the two tags before it.
    @inline(__always)
    static func features(
        _ infos: [EntityTokenInfo], _ i: Int, previous: Int, previous2: Int, into features: inout [UInt64]
    ) {
        features.removeAll(keepingCapacity: true)
        for _ in 0..<Self.biasCount { features.append(Self.bias) }
        Self.contextFeatures(infos, i) { features.append($0) }
        Self.historyFeatures(infos, i, previous: previous) { features.append($0) }
        features.append(Self.tagPairFeature(previous: previous, previous2: previous2))
    }

    /// The feature every position has, the tags' prior.
    static let bias = entityMix(1, 0)
    /// How many times the bias counts, in training and in scoring. Counted once, its steps were as small as a rare
    /// word's and the prior lagged behind the word features: counted 6 times, F1 rose on the GMB sentences held out
    /// (0.802 to 0.814, mean of 4 training orders) and on GUM's news (0.53 to 0.58), with the person and place
    /// name features.
    static let biasCount = 6

    /// How many features `contextFeatures` and `historyFeatures` emit for every position.
    static let contextCount = 26
    static let historyCount = 4

    /// The features of position `i` that do not depend on the tags before it: the tagger scores them for a whole
    /// sentence before decoding, where the table look-ups of many tokens overlap instead of waiting one by one.
    @inline(__always)
    static func contextFeatures(_ infos: [EntityTokenInfo], _ i: Int, _ emit: (UInt64) -> Void) {
        Self.contextFeatures(infos, i, token: infos[i], emit)
    }

    /// `contextFeatures` with position `i`'s own info given (`token`: its affixes filled in).
    @inline(__always)
    static func contextFeatures(
        _ infos: [EntityTokenInfo], _ i: Int, token t0: EntityTokenInfo, _ emit: (UInt64) -> Void
    ) {
        let count = infos.count
        let m1 = i >= 1 ? infos[i - 1] : Self.padding
        let m2 = i >= 2 ? infos[i - 2] : Self.padding
        let p1 = i + 1 < count ? infos[i + 1] : Self.padding
        let p2 = i + 2 < count ? infos[i + 2] : Self.padding
        func add(_ template: UInt64, _ value: UInt64) {
            emit(entityMix(template, value))
        }
        add(2, t0.word)
        add(3, m1.word)
        add(4, p1.word)
        add(5, m2.word)
        add(6, p2.word)
        add(7, t0.shape)
        add(8, m1.shape)
        add(9, p1.shape)
        add(10, entityMix(entityMix(m1.shape, t0.shape), p1.shape))
        add(11, t0.prefix3)
        add(12, t0.suffix2)
        add(13, t0.suffix3)
        add(14, t0.suffix4)
        add(15, t0.flags)
        add(16, entityMix(m1.flags, t0.flags))
        add(17, entityMix(t0.flags, p1.flags))
        add(18, t0.lexicon)
        add(19, m1.lexicon)
        add(20, p1.lexicon)
        add(25, entityMix(m1.word, t0.word))
        add(26, entityMix(t0.word, p1.word))
        add(27, entityMix(t0.lexicon, t0.flags))
        add(29, entityMix(t0.word, t0.flags))
        add(30, t0.personName)
        add(31, entityMix(m1.personName, t0.personName))
        add(33, t0.place)
    }

    /// The features of position `i` that read the tag before it.
    @inline(__always)
    static func historyFeatures(_ infos: [EntityTokenInfo], _ i: Int, previous: Int, _ emit: (UInt64) -> Void) {
        let t0 = infos[i]
        let p1 = i + 1 < infos.count ? infos[i + 1] : Self.padding
        let tag1 = UInt64(previous)
        emit(entityMix(21, tag1))
        emit(entityMix(23, entityMix(tag1, t0.word)))
        emit(entityMix(24, entityMix(tag1, t0.shape)))
        emit(entityMix(28, entityMix(tag1, p1.word)))
    }

    /// The feature of the two tags before a position.
    @inline(__always)
    static func tagPairFeature(previous: Int, previous2: Int) -> UInt64 {
        entityMix(22, entityMix(UInt64(previous), UInt64(previous2)))
    }
}
