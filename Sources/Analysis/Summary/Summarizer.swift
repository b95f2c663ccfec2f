import Articles
import Foundation

/// An extractive summary: the sentences that best cover what the article is about, in the article's order.
///
/// Each sentence is scored by its similarity to the article's content-word centroid (stems weighted by how
/// often the article repeats them), times a position prior (news puts its point first), and picked greedily
/// while penalizing overlap with sentences already picked. Sentences that cannot stand alone — very short,
/// mostly a quotation, or a bare question — are discounted rather than banned, so a short article still gets
/// its sentences.
public struct Summarizer: Sendable {
    public static let shared = Summarizer()

    /// Weight of the position prior against centrality: score = centrality × (1 − w + w × prior).
    static let positionWeight = 0.55
    /// How fast the position prior decays with the sentence's rank.
    static let positionDecay = 0.25
    /// Share of the score lost per unit of overlap (0…1) with an already picked sentence.
    static let redundancyPenalty = 0.7
    static let shortSentenceWords = 8
    static let longSentenceWords = 60

    public func summary(_ document: Document, sentences: Int = 3) -> [String] {
        self.summary(document, terms: DocumentTerms(document), sentences: sentences)
    }

    public func summary(_ document: Document, terms: DocumentTerms, sentences count: Int = 3) -> [String] {
        self.pick(document, terms: terms, count: count).map { document.text(document.sentences[$0].start, document.sentences[$0].end) }
    }

    /// Indexes of the picked sentences, in document order.
    func pick(_ document: Document, terms: DocumentTerms, count: Int) -> [Int] {
        let sentences = document.sentences
        guard count > 0, !sentences.isEmpty else { return [] }
        guard sentences.count > count else { return Array(sentences.indices) }
        // Content-stem weights: sublinear in repetition, zero for words said once (they mark no theme).
        var weight = [Double](repeating: 0, count: terms.stems.count)
        for index in terms.flags.indices where terms.isContent(index) {
            weight[Int(terms.stemOfToken[index])] += 1
        }
        for stem in weight.indices where weight[stem] > 0 {
            weight[stem] = weight[stem] > 1 ? 1 + log(weight[stem]) : 0
        }
        let centroidNorm = sqrt(weight.reduce(0) { $0 + $1 * $1 })
        guard centroidNorm > 0 else { return Array(sentences.indices.prefix(count)) }

        // Each sentence's distinct content stems, flattened: `allStems[bounds[n]..<bounds[n + 1]]`.
        var allStems: [Int32] = []
        allStems.reserveCapacity(terms.stemOfToken.count)
        var bounds = [0]
        bounds.reserveCapacity(sentences.count + 1)
        var scores: [Double] = []
        scores.reserveCapacity(sentences.count)
        var seen = [Int](repeating: -1, count: terms.stems.count)
        for (number, sentence) in sentences.enumerated() {
            var words = 0
            var quoted = 0
            var insideQuote = false
            for index in sentence.tokens {
                let flags = terms.flags[index]
                if flags & TermFlags.quote != 0 {
                    insideQuote.toggle()
                    continue
                }
                let stem = terms.stemOfToken[index]
                guard stem >= 0 else { continue }
                words += 1
                if insideQuote { quoted += 1 }
                if flags & TermFlags.stop == 0 && seen[Int(stem)] != number {
                    seen[Int(stem)] = number
                    allStems.append(stem)
                }
            }
            bounds.append(allStems.count)
            let stems = allStems[bounds[number]..<allStems.count]
            var dot = 0.0
            for stem in stems { dot += weight[Int(stem)] }
            // Cosine against the centroid with a binary sentence vector: long sentences are not favoured for
            // being long, only for covering more of what the article repeats.
            var score = stems.isEmpty ? 0 : dot / (centroidNorm * sqrt(Double(stems.count)))
            let prior = 1 / (1 + Self.positionDecay * Double(number))
            score *= (1 - Self.positionWeight) + Self.positionWeight * prior
            if words < Self.shortSentenceWords { score *= Double(words) / Double(Self.shortSentenceWords) }
            if words > Self.longSentenceWords { score *= Double(Self.longSentenceWords) / Double(words) }
            if words > 0 && Double(quoted) / Double(words) > 0.6 { score *= 0.6 }
            if let last = sentence.tokens.last, terms.has(last, TermFlags.question) { score *= 0.5 }
            scores.append(score)
        }

        var picked: [Int] = []
        var mark = [Bool](repeating: false, count: terms.stems.count)
        while picked.count < count {
            var best = -1
            var bestScore = -Double.infinity
            for candidate in sentences.indices where !picked.contains(candidate) {
                let stems = allStems[bounds[candidate]..<bounds[candidate + 1]]
                var overlap = 0.0
                if !stems.isEmpty {
                    var shared = 0
                    for stem in stems where mark[Int(stem)] { shared += 1 }
                    overlap = Double(shared) / Double(stems.count)
                }
                let score = scores[candidate] * (1 - Self.redundancyPenalty * overlap)
                if score > bestScore {
                    bestScore = score
                    best = candidate
                }
            }
            guard best >= 0 else { break }
            picked.append(best)
            for stem in allStems[bounds[best]..<bounds[best + 1]] { mark[Int(stem)] = true }
        }
        return picked.sorted()
    }
}
