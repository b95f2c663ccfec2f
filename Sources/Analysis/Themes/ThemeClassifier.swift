import Articles
import Foundation

/// Topics of an article among the 17 top-level IPTC Media Topics, from a weighted cue lexicon kept as data
/// (Resources/iptc-topics.tsv).
///
/// A cue is one to three words matched by Snowball stem, so "elected", "elections" and "election" are one cue.
/// Evidence grows with the logarithm of a cue's repetitions (one word said fifty times is not fifty cues) and
/// is divided by the article's length, so a long article needs proportionally more evidence.
public struct ThemeClassifier: Sendable {
    public static let shared = ThemeClassifier()

    struct Topic: Sendable {
        let code: String
        let label: String
    }

    struct Phrase: Sendable {
        /// Cue-stem ids after the first one.
        let rest: [Int32]
        let topic: Int
        let weight: Double
    }

    struct Cue: Sendable {
        let topic: Int
        let weight: Double
    }

    let topics: [Topic]
    /// Single-word cues by `TermLexicon` cue-stem id: those of cue c are `words[wordStart[c]..<wordStart[c + 1]]`.
    /// Flat, as the phrases: an array per cue was retained and released for every word of every article.
    let words: [Cue]
    let wordStart: [Int32]
    /// Multi-word cues by the cue-stem id of their first word, as `phrases[phraseStart[c]..<phraseStart[c + 1]]`.
    let phrases: [Phrase]
    let phraseStart: [Int32]

    /// Weight per 100 words at which a topic's score reaches 1 − 1/e ≈ 0.63.
    static let scale = 8.0
    /// Topics under this score, or under `relativeFloor` of the best one, are not reported.
    static let threshold = 0.2
    static let relativeFloor = 0.35
    static let maximumTopics = 4

    init() {
        let lexicon = TermLexicon.shared
        var topics: [Topic] = []
        var indexOfCode: [String: Int] = [:]
        var words = [[Cue]](repeating: [], count: lexicon.cueStems.count)
        var phrases = [[Phrase]](repeating: [], count: lexicon.cueStems.count)
        for fields in TermLexicon.resourceLines("iptc-topics.tsv").map({ $0.split(separator: "\t").map(String.init) })
        where fields.count >= 3 {
            if fields[0] == "label" {
                indexOfCode[fields[1]] = topics.count
                topics.append(Topic(code: fields[1], label: fields[2]))
                continue
            }
            let cues = fields[2].split(separator: " ").compactMap { lexicon.cue(String($0)) }
            guard let topic = indexOfCode[fields[0]], let weight = Double(fields[1]), let first = cues.first else { continue }
            if cues.count == 1 {
                words[Int(first)].append(Cue(topic: topic, weight: weight))
            } else {
                phrases[Int(first)].append(Phrase(rest: Array(cues.dropFirst()), topic: topic, weight: weight))
            }
        }
        self.topics = topics
        (self.words, self.wordStart) = Self.flatten(words)
        (self.phrases, self.phraseStart) = Self.flatten(phrases)
    }

    /// Lists by cue as one array and each list's start (the last start is the end of the last list).
    static func flatten<Element>(_ lists: [[Element]]) -> ([Element], [Int32]) {
        var flat: [Element] = []
        var starts: [Int32] = []
        starts.reserveCapacity(lists.count + 1)
        for list in lists {
            starts.append(Int32(flat.count))
            flat += list
        }
        starts.append(Int32(flat.count))
        return (flat, starts)
    }

    public func themes(_ document: Document) -> [ThemeResult] {
        self.themes(document, terms: DocumentTerms(document))
    }

    public func themes(_ document: Document, terms: DocumentTerms) -> [ThemeResult] {
        guard !self.topics.isEmpty else { return [] }
        let raw = self.evidence(document, terms: terms)
        let words = max(50, terms.stemOfToken.count { $0 >= 0 })
        var scored: [(topic: Int, score: Double)] = []
        scored.reserveCapacity(raw.count)
        for (topic, value) in raw.enumerated() where value > 0 {
            let density = 100 * value / Double(words)
            scored.append((topic, 1 - exp(-density / Self.scale)))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.topic < $1.topic }
        guard let best = scored.first?.score else { return [] }
        return Array(
            scored.prefix(Self.maximumTopics)
                .lazy.filter { $0.score >= Self.threshold && $0.score >= best * Self.relativeFloor }
                .map { ThemeResult(code: self.topics[$0.topic].code, label: self.topics[$0.topic].label, score: ($0.score * 1000).rounded() / 1000) })
    }

    /// Summed cue weight per topic.
    func evidence(_ document: Document, terms: DocumentTerms) -> [Double] {
        var raw = [Double](repeating: 0, count: self.topics.count)
        // Single words: each distinct content stem once, weighted by 1 + ln(repetitions).
        var contentCount = [Int](repeating: 0, count: terms.stems.count)
        for index in terms.flags.indices where terms.isContent(index) {
            contentCount[Int(terms.stemOfToken[index])] += 1
        }
        for (stem, count) in contentCount.enumerated() where count > 0 {
            let cue = terms.cueOfStem[stem]
            guard cue >= 0 else { continue }
            let repetition = 1 + log(Double(count))
            for entry in Int(self.wordStart[Int(cue)])..<Int(self.wordStart[Int(cue) + 1]) {
                raw[self.words[entry].topic] += self.words[entry].weight * repetition
            }
        }
        // Phrases: counted per occurrence, then damped the same way.
        var phraseHits: [Int: (topic: Int, weight: Double, count: Int)] = [:]
        let stemOfToken = terms.stemOfToken
        for index in stemOfToken.indices {
            let stem = stemOfToken[index]
            guard stem >= 0 else { continue }
            let cue = terms.cueOfStem[Int(stem)]
            guard cue >= 0 else { continue }
            let first = Int(self.phraseStart[Int(cue)])
            for number in first..<Int(self.phraseStart[Int(cue) + 1]) {
                let phrase = self.phrases[number]
                var matched = true
                for (offset, next) in phrase.rest.enumerated() {
                    let position = index + 1 + offset
                    guard position < stemOfToken.count, stemOfToken[position] >= 0,
                        terms.cueOfStem[Int(stemOfToken[position])] == next
                    else {
                        matched = false
                        break
                    }
                }
                if matched {
                    phraseHits[number, default: (phrase.topic, phrase.weight, 0)].count += 1
                }
            }
        }
        // In key order: a dictionary's order changes from run to run, and so would the sums' last bits.
        for key in phraseHits.keys.sorted() {
            let hit = phraseHits[key]!
            raw[hit.topic] += hit.weight * (1 + log(Double(hit.count)))
        }
        return raw
    }
}
