import Articles
import Foundation
import HeapModule

/// Key phrases of one article, scored from the article's own statistics (in the spirit of YAKE: no corpus
/// needed, so it works the same on any beat).
///
/// Candidates are runs of one to four content words inside a sentence; a stopword or punctuation ends a run,
/// between two capitalized words when it is capitalized too or joins names ("Bank of England", "Strictly Come
/// Dancing"). Variants are merged by Snowball stem
/// ("missile", "missiles") and shown in their most frequent surface form. A word weighs more when repeated,
/// spread over many sentences, written capitalized mid-sentence (a name) and met early; a phrase weighs the
/// mean of its words, more when its words rarely occur apart, less when it occurs once. Picked phrases never
/// nest, and sharing a word with a picked phrase costs half the score.
public struct KeyphraseExtractor: Sendable {
    public static let shared = KeyphraseExtractor()

    static let maximumLength = 4
    /// Lowercase words that join the parts of a name.
    static let nameJoiners: Set<String> = ["of", "for", "de", "du", "la", "le", "van", "von", "der", "del", "da"]
    /// A name that contains a picked phrase replaces it when it scores at least this share of it (and holds at
    /// least a third of its occurrences: "Pakistan" is not replaced by every name that ends in it).
    static let upgradeRatio = 0.5

    public func keyphrases(_ document: Document, limit: Int = 10) -> [KeyphraseResult] {
        self.keyphrases(document, terms: DocumentTerms(document), limit: limit)
    }

    public func keyphrases(_ document: Document, terms: DocumentTerms, limit: Int = 10) -> [KeyphraseResult] {
        guard limit > 0, !document.sentences.isEmpty else { return [] }
        let relevance = self.wordRelevance(document, terms: terms)
        let stemOfToken = terms.stemOfToken

        // Single words are candidates numbered by their stem; longer phrases are keyed by their stems packed
        // into 16-bit lanes and found through an open-addressing table (a Dictionary's hashing per occurrence
        // cost more than the rest).
        var tableSize = 64
        // Each token starts up to maximumLength - 1 phrases: the table must hold them all with room to spare, or
        // probing for a free slot never ends (a text of capitalized words without stopwords filled it). No more
        // than that: most slots stay empty, and a larger table only spreads the probes over more cache lines.
        while tableSize < stemOfToken.count * Self.maximumLength { tableSize <<= 1 }
        let mask = tableSize - 1
        var tableKeys = [UInt64](repeating: 0, count: tableSize)
        var tableIDs = [Int32](repeating: 0, count: tableSize)
        // Room for as many phrases as tokens: grown from the single words' count, the list was copied as it filled.
        var candidates: [Candidate] = []
        candidates.reserveCapacity(terms.stems.count + stemOfToken.count)
        for stem in 0..<terms.stems.count { candidates.append(Candidate(key: UInt64(stem + 1), length: 1)) }
        for sentence in document.sentences {
            let bound = sentence.tokens.upperBound
            for start in sentence.tokens where self.isCandidateWord(start, terms: terms) {
                let first = Int(stemOfToken[start])
                candidates[first].count += 1
                if terms.has(start, TermFlags.capitalized) { candidates[first].capitalized += 1 }
                guard first < 0xFFFF else { continue }
                var key = UInt64(first + 1)
                var length = 1
                var end = start + 1
                var allCapitalized = terms.has(start, TermFlags.capitalized)
                while end < bound && length < Self.maximumLength {
                    if self.isCandidateWord(end, terms: terms) {
                        let stem = stemOfToken[end]
                        // A word repeated back to back ("very very") is not a phrase.
                        guard stem < 0xFFFF, stem != stemOfToken[end - 1] else { break }
                        key = key << 16 | UInt64(stem + 1)
                        length += 1
                        allCapitalized = allCapitalized && terms.has(end, TermFlags.capitalized)
                        end += 1
                        var slot = Int(truncatingIfNeeded: WordHash.mix(key)) & mask
                        while tableKeys[slot] != 0 && tableKeys[slot] != key { slot = (slot + 1) & mask }
                        let candidate: Int
                        if tableKeys[slot] == key {
                            candidate = Int(tableIDs[slot])
                        } else {
                            candidate = candidates.count
                            tableKeys[slot] = key
                            tableIDs[slot] = Int32(candidate)
                            candidates.append(Candidate(key: key, length: length))
                        }
                        candidates[candidate].count += 1
                        if allCapitalized { candidates[candidate].capitalized += 1 }
                    } else if end + 1 < bound, length + 1 < Self.maximumLength, self.joinsName(end, document, terms) {
                        end += 1
                    } else {
                        break
                    }
                }
            }
        }

        // Per stem, how often it occurs as a candidate word: a phrase whose words rarely occur apart is a unit.
        let stemCount = candidates[0..<terms.stems.count].map(\.count)
        // Built as the heap's elements: mapping a list of scores into them cost more than the heap itself.
        var scored: [Ranked] = []
        scored.reserveCapacity(candidates.count)
        for (number, candidate) in candidates.enumerated() where candidate.count > 0 {
            var sum = 0.0
            var rarest = Int.max
            for lane in 0..<candidate.length {
                let stem = candidate.stem(lane)
                sum += relevance[stem]
                rarest = min(rarest, stemCount[stem])
            }
            var score = sum / Double(candidate.length)
            if candidate.length > 1 {
                let cohesion = Double(candidate.count) / Double(max(1, rarest))
                let isName = candidate.capitalized * 2 >= candidate.count
                score *= 0.6 + 0.8 * cohesion
                // A phrase said once is usually a chance sequence of words, unless it is a name.
                if candidate.count == 1 && !isName { score *= 0.5 }
            }
            scored.append(Ranked(score: score, tie: number, candidate: number))
        }
        // Sorting every candidate of a long article costs more than finding them: first drop those far below
        // the best, as long as enough remain to fill the list after nesting and demotion.
        let best = scored.reduce(0) { max($0, $1.score) }
        let floor = best * Self.floor
        if scored.count(where: { $0.score >= floor }) >= limit * 4 { scored.removeAll { $0.score < floor } }
        // Ties go to the phrase met first: candidates are numbered in order of first occurrence. A heap hands them
        // out best first: the greedy pass seldom reads past the first few dozen, and sorting them all was a fifth
        // of this step. Only the best `shortlist` are ever read, as when the sorted list was cut there.
        var ranking = Heap(scored)
        var shortlisted = 0
        var demotions = 0

        // Greedy picking: a phrase inside or around a picked one is dropped; one sharing a word with a picked one
        // goes back in line at half its score, so the list covers several subjects, not one name's variants.
        // Phrases are compared by their candidates' packed stems, read in place: an array of stems per phrase
        // weighed was a thirtieth of the analysis's allocations.
        var picked: [(candidate: Int, score: Double)] = []
        var demoted = Set<Int>()
        // Phrases replaced by a name that contains them: what nests in or around them stays out too.
        var covered: [Int] = []
        var inside: [Int] = []
        while picked.count < limit, let next = ranking.popMax() {
            let (number, score) = (next.candidate, next.score)
            if next.tie < Self.demotedTie {
                guard shortlisted < Self.shortlist else { continue }
                shortlisted += 1
            }
            let candidate = candidates[number]
            var shares = false
            var nests = false
            inside.removeAll(keepingCapacity: true)
            for replaced in covered
            where Self.contains(candidate, candidates[replaced]) || Self.contains(candidates[replaced], candidate) {
                nests = true
            }
            for (slot, other) in picked.enumerated() {
                let otherCandidate = candidates[other.candidate]
                if Self.contains(candidate, otherCandidate) {
                    inside.append(slot)
                } else if Self.contains(otherCandidate, candidate) {
                    nests = true
                } else if Self.sharesStem(candidate, otherCandidate) {
                    shares = true
                }
            }
            // "Manchester United" is a better key phrase than the "United" picked before it, if said often enough.
            let isName = candidate.count > 1 && candidate.capitalized * 2 >= candidate.count
            if !nests, isName, let first = inside.first, score >= picked[first].score * Self.upgradeRatio,
                inside.allSatisfy({ candidate.count * 3 >= candidates[picked[$0].candidate].count })
            {
                for slot in inside { covered.append(picked[slot].candidate) }
                picked[first].candidate = number
                for slot in inside.dropFirst().reversed() { picked.remove(at: slot) }
                continue
            }
            if nests || !inside.isEmpty { continue }
            if shares && !demoted.contains(number) {
                demoted.insert(number)
                // Back in line after every phrase scoring as much, those demoted before it included.
                ranking.insert(Ranked(score: score / 2, tie: Self.demotedTie + demotions, candidate: number))
                demotions += 1
                continue
            }
            picked.append((number, score))
        }
        guard let top = picked.first?.score, top > 0 else { return [] }
        let surfaces = self.surfaces(picked.map { candidates[$0.candidate] }, document, terms)
        return zip(picked, surfaces).map { pick, surface in
            KeyphraseResult(phrase: surface, score: (1000 * pick.score / top).rounded() / 1000)
        }
    }

    /// A candidate's place in line: higher scores first, then lower `tie`s (its number, or for a phrase sent back
    /// in line, `demotedTie` plus how many were sent back before it).
    struct Ranked: Comparable {
        let score: Double
        let tie: Int
        let candidate: Int

        static func < (a: Ranked, b: Ranked) -> Bool { a.score != b.score ? a.score < b.score : a.tie > b.tie }
        static func == (a: Ranked, b: Ranked) -> Bool { a.score == b.score && a.tie == b.tie }
    }

    static let demotedTie = Int.max / 2

    struct Candidate {
        let key: UInt64
        let length: Int
        var count = 0
        var capitalized = 0

        /// The stem id at `position` (0 is the first word).
        @inline(__always)
        func stem(_ position: Int) -> Int {
            // A single word's key is its stem id plus one, unpacked: an article may have more than 0xFFFF stems.
            self.length == 1 ? Int(self.key) - 1 : Int((self.key >> (16 * UInt64(self.length - 1 - position))) & 0xFFFF) - 1
        }
    }

    /// Candidates ranked past this are never picked; keeps the greedy pass short on long articles.
    static let shortlist = 300
    /// Share of the best score under which a candidate is not ranked at all.
    static let floor = 0.15

    /// Occurrences looked at to choose a phrase's surface form.
    static let surfaceSample = 12

    /// The most frequent way the article writes each phrase (among its first `surfaceSample` occurrences); the
    /// earliest on a tie. Found again by walking the tokens once for all the phrases (once per phrase was a tenth of
    /// this step): only the picked phrases need it.
    func surfaces(_ phrases: [Candidate], _ document: Document, _ terms: DocumentTerms) -> [String] {
        // Forms as scalar ranges, in order of first occurrence, compared in place: a String (and its hash) per
        // occurrence cost more than finding the occurrences. One String is made per phrase, for the form chosen.
        // A phrase has at most `surfaceSample` forms: phrase n's are `forms[n * surfaceSample ..< … + formCount[n]]`,
        // in one array (an array of forms and one of stems per phrase were most of this step's allocations).
        let sample = Self.surfaceSample
        var forms = [(start: Int, end: Int, count: Int)](repeating: (0, 0, 0), count: phrases.count * sample)
        var formCount = [Int](repeating: 0, count: phrases.count)
        var sampled = [Int](repeating: 0, count: phrases.count)
        // The phrases by first stem, as lists threaded through `nextWithHead`.
        var firstWithHead = [Int](repeating: -1, count: terms.stems.count)
        var nextWithHead = [Int](repeating: -1, count: phrases.count)
        for (number, phrase) in phrases.enumerated().reversed() {
            nextWithHead[number] = firstWithHead[phrase.stem(0)]
            firstWithHead[phrase.stem(0)] = number
        }
        let stemOfToken = terms.stemOfToken
        let scalars = document.scalars
        for start in stemOfToken.indices where stemOfToken[start] >= 0 && self.isCandidateWord(start, terms: terms) {
            var number = firstWithHead[Int(stemOfToken[start])]
            while number >= 0 {
                defer { number = nextWithHead[number] }
                let phrase = phrases[number]
                guard sampled[number] < sample else { continue }
                var end = start + 1
                var matched = 1
                while matched < phrase.length && end < stemOfToken.count {
                    if Int(stemOfToken[end]) == phrase.stem(matched) && self.isCandidateWord(end, terms: terms) {
                        matched += 1
                        end += 1
                    } else if end + 1 < stemOfToken.count, self.joinsName(end, document, terms) {
                        end += 1
                    } else {
                        break
                    }
                }
                guard matched == phrase.length else { continue }
                let lower = document.tokens[start].start
                let upper = document.tokens[end - 1].end
                let base = number * sample
                if let known = (base..<(base + formCount[number])).first(where: {
                    forms[$0].end - forms[$0].start == upper - lower
                        && scalars[forms[$0].start..<forms[$0].end].elementsEqual(scalars[lower..<upper])
                }) {
                    forms[known].count += 1
                } else {
                    forms[base + formCount[number]] = (lower, upper, 1)
                    formCount[number] += 1
                }
                sampled[number] += 1
            }
        }
        // The most frequent form, the earliest of those tied (`max` would keep the last).
        return phrases.indices.map { number in
            let own = forms[(number * sample)..<(number * sample + formCount[number])]
            let top = own.reduce(0) { max($0, $1.count) }
            guard let best = own.first(where: { $0.count == top }) else { return "" }
            return document.text(best.start, best.end)
        }
    }

    /// Whether the stopword at `index` joins two capitalized words into one name: it is capitalized itself
    /// ("Strictly Come Dancing") or a name joiner ("Bank of England").
    func joinsName(_ index: Int, _ document: Document, _ terms: DocumentTerms) -> Bool {
        index > 0 && index + 1 < terms.stemOfToken.count && terms.stemOfToken[index] >= 0
            && terms.has(index - 1, TermFlags.capitalized) && terms.has(index + 1, TermFlags.capitalized)
            && self.isCandidateWord(index + 1, terms: terms)
            && (terms.has(index, TermFlags.capitalized) || Self.nameJoiners.contains(document.tokens[index].lower))
    }

    /// A word that may be part of a keyphrase: not a stopword or number, at least two letters.
    @inline(__always)
    func isCandidateWord(_ token: Int, terms: DocumentTerms) -> Bool {
        terms.flags[token] & (TermFlags.stop | TermFlags.short) == 0
    }

    /// Per stem: how much the article is about it.
    func wordRelevance(_ document: Document, terms: DocumentTerms) -> [Double] {
        let count = terms.stems.count
        var frequency = [Int](repeating: 0, count: count)
        var capitalized = [Int](repeating: 0, count: count)
        var firstSentence = [Int](repeating: -1, count: count)
        var sentencesWith = [Int](repeating: 0, count: count)
        var lastSentence = [Int](repeating: -1, count: count)
        for (number, sentence) in document.sentences.enumerated() {
            for index in sentence.tokens where terms.isContent(index) {
                let stem = Int(terms.stemOfToken[index])
                frequency[stem] += 1
                if index > sentence.tokens.lowerBound && terms.has(index, TermFlags.capitalized) { capitalized[stem] += 1 }
                if firstSentence[stem] < 0 { firstSentence[stem] = number }
                if lastSentence[stem] != number {
                    lastSentence[stem] = number
                    sentencesWith[stem] += 1
                }
            }
        }
        let sentenceCount = Double(max(1, document.sentences.count))
        var relevance = [Double](repeating: 0, count: count)
        for stem in 0..<count where frequency[stem] > 0 {
            let repetition = 1 + log(Double(frequency[stem]))
            let spread = 0.5 + 0.5 * Double(sentencesWith[stem]) / sentenceCount
            let casing = 1 + 0.5 * Double(capitalized[stem]) / Double(frequency[stem])
            let position = 1 + 1 / (1 + Double(firstSentence[stem]))
            relevance[stem] = repetition * spread * casing * position
        }
        return relevance
    }

    /// Whether the stems of `inner` occur as a contiguous run inside those of `outer`.
    static func contains(_ outer: Candidate, _ inner: Candidate) -> Bool {
        guard inner.length <= outer.length else { return false }
        for start in 0...(outer.length - inner.length)
        where (0..<inner.length).allSatisfy({ outer.stem(start + $0) == inner.stem($0) }) {
            return true
        }
        return false
    }

    /// Whether the two phrases have a stem in common.
    static func sharesStem(_ a: Candidate, _ b: Candidate) -> Bool {
        (0..<a.length).contains { lane in (0..<b.length).contains { b.stem($0) == a.stem(lane) } }
    }
}
