import Articles
import Foundation

/// The articles a benchmark sends: a corpus cycled to any length, with a controlled share of exact and near
/// duplicates.
///
/// Cycling a corpus naively would make every later round a copy of the first. Each round after the first instead
/// maps every word through a seeded permutation of the corpus's vocabulary (within words of the same length), so
/// each round is new text with the same shape — lengths, paragraphs, word frequencies — as real news.
public struct BenchCorpus: Sendable {
    public struct Item: Sendable {
        public let id: String
        public let payload: [UInt8]
        public let words: Int
        /// "unique", "exact" or "near": what the generator made it.
        public let kind: String
    }

    public let items: [Item]

    public struct CorpusError: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameters:
    ///   - path: JSON Lines articles (each needs `text`).
    ///   - count: how many articles to produce.
    ///   - duplicateShare: share of copies of earlier articles, half exact re-sends, half near copies.
    public init(path: String, count: Int, duplicateShare: Double, seed: UInt64 = 42) throws {
        var originals: [(title: String, text: String)] = []
        for item in try ArticleFiles.read(path) {
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(item.payload)),
                case .string(let text)? = object["text"]
            else { continue }
            var title = ""
            if case .string(let value)? = object["title"] { title = value }
            originals.append((title, text))
        }
        guard !originals.isEmpty else { throw CorpusError(description: "\(path): no articles with a \"text\"") }
        var random = SplitMix(seed: seed)
        // Vocabulary by word length, for the per-round permutations.
        var byLength: [Int: [String]] = [:]
        var seen = Set<String>()
        for original in originals {
            for word in original.text.split(whereSeparator: { !$0.isLetter }) where seen.insert(String(word)).inserted {
                byLength[word.count, default: []].append(String(word))
            }
        }
        for key in byLength.keys { byLength[key]!.sort() }
        var rounds: [Int: [String: String]] = [:]
        func permutation(_ round: Int) -> [String: String] {
            if let cached = rounds[round] { return cached }
            var mapping: [String: String] = [:]
            var roundRandom = SplitMix(seed: seed &+ UInt64(round) &* 0x9E37_79B9)
            for (_, words) in byLength {
                var shuffled = words
                for index in stride(from: shuffled.count - 1, to: 0, by: -1) {
                    shuffled.swapAt(index, Int(roundRandom.next() % UInt64(index + 1)))
                }
                for (word, replacement) in zip(words, shuffled) { mapping[word] = replacement }
            }
            rounds[round] = mapping
            return mapping
        }
        func remap(_ text: String, round: Int) -> String {
            guard round > 0 else { return text }
            let mapping = permutation(round)
            var result = ""
            result.reserveCapacity(text.utf8.count)
            var word = ""
            for character in text {
                if character.isLetter {
                    word.append(character)
                } else {
                    if !word.isEmpty { result += mapping[word] ?? word; word = "" }
                    result.append(character)
                }
            }
            if !word.isEmpty { result += mapping[word] ?? word }
            return result
        }
        func payload(_ object: [String: String]) -> [UInt8] {
            (try? JSONEncoder().encode(object)).map { [UInt8]($0) } ?? []
        }
        var items: [Item] = []
        items.reserveCapacity(count)
        var uniques: [(id: String, title: String, text: String)] = []
        var next = 0
        for index in 0..<count {
            let roll = Double(random.next() % 10_000) / 10_000
            if !uniques.isEmpty && roll < duplicateShare {
                let source = uniques[Int(random.next() % UInt64(uniques.count))]
                let exact = roll < duplicateShare / 2
                let text = exact ? source.text : source.text + "\n\nThis article originally appeared on Example Wire."
                let id = "bench-\(index)"
                items.append(Item(
                    id: id, payload: payload(["id": id, "title": source.title, "text": text, "source": "bench"]),
                    words: text.split(whereSeparator: \.isWhitespace).count, kind: exact ? "exact" : "near"
                ))
                continue
            }
            let original = originals[next % originals.count]
            let round = next / originals.count
            next += 1
            let id = "bench-\(index)"
            let text = remap(original.text, round: round)
            let title = remap(original.title, round: round)
            uniques.append((id, title, text))
            items.append(Item(
                id: id, payload: payload(["id": id, "title": title, "text": text, "source": "bench"]),
                words: text.split(whereSeparator: \.isWhitespace).count, kind: "unique"
            ))
        }
        self.items = items
    }

    public var totalWords: Int { self.items.reduce(0) { $0 + $1.words } }
    public var totalBytes: Int { self.items.reduce(0) { $0 + $1.payload.count } }
}

/// A small seeded generator, so a benchmark corpus (or a test's data) is the same on every run.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
