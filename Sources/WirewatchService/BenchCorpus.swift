import Articles
import Foundation

/// The articles a benchmark sends: a corpus cycled to any length, with a controlled share of exact and near
/// duplicates.
///
/// Cycling a corpus naively would make every later round a copy of the first. Each round after the first instead
/// maps every word through a seeded permutation of the corpus's vocabulary (within words of the same length and
/// case), so each round is new text with the same shape — lengths, paragraphs, word frequencies, which words are
/// capitalized — as real news.
///
/// Only the plan (which original, which round, which kind) is held for every article; payloads are made when asked
/// for, so a run of a million articles costs the client megabytes, not the gigabytes of the payloads. Small runs
/// keep their payloads, so that making them is not timed with the daemon's work.
public struct BenchCorpus: Sendable {
    public struct Item: Sendable {
        public let id: String
        public let payload: [UInt8]
        public let words: Int
        /// "unique", "exact" or "near": what the generator made it.
        public let kind: String
    }

    public struct CorpusError: Error, CustomStringConvertible {
        public let description: String
    }

    enum Kind: UInt8 { case unique, exact, near }

    /// One planned article: its kind, and the original and round its text is made from (a copy's are its source's).
    struct Planned: Sendable {
        let kind: Kind
        let original: Int32
        let round: Int32
    }

    struct Original: Sendable {
        let title: String
        let text: String
        let words: Int
        /// Where `remap` finds the words of the title and the text.
        var titleSpans: [WordSpan] = []
        var textSpans: [WordSpan] = []
    }

    /// A word of an original (a run of letters, as `Character.isLetter` tells them): its UTF-8 offsets, and its
    /// class (`wordClass`) and position in the vocabulary. Found once: cutting every text into Characters again for
    /// every round was most of what making an article cost, and a million-article run makes them while it sends, on
    /// the cores the daemon is measured on.
    struct WordSpan: Sendable {
        let start: Int32
        let end: Int32
        let wordClass: Int32
        let position: Int32
    }

    /// Corpora up to this many articles are made up front.
    public static let materializeLimit = 100_000
    static let nearSuffix = "\n\nThis article originally appeared on Example Wire."
    static let nearSuffixWords = 7

    let originals: [Original]
    /// Words by class (`wordClass`), sorted.
    let byClass: [Int: [String]]
    let plan: [Planned]
    let seed: UInt64
    private(set) var made: [Item]?

    public var count: Int { self.plan.count }
    public let totalWords: Int

    /// - Parameters:
    ///   - path: JSON Lines articles (each needs `text`).
    ///   - count: how many articles to produce.
    ///   - duplicateShare: share of copies of earlier articles, half exact re-sends, half near copies.
    ///   - materialize: make every payload now; by default, when `count` is at most `materializeLimit`.
    public init(path: String, count: Int, duplicateShare: Double, seed: UInt64 = 42, materialize: Bool? = nil) throws {
        var originals: [Original] = []
        for item in try ArticleFiles.read(path) {
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(item.payload)),
                case .string(let text)? = object["text"]
            else { continue }
            var title = ""
            if case .string(let value)? = object["title"] { title = value }
            originals.append(Original(title: title, text: text, words: text.split(whereSeparator: \.isWhitespace).count))
        }
        guard !originals.isEmpty else { throw CorpusError(description: "\(path): no articles with a \"text\"") }
        var byClass: [Int: [String]] = [:]
        var seen = Set<String>()
        for original in originals {
            for text in [original.title, original.text] {
                for word in text.split(whereSeparator: { !$0.isLetter }) where seen.insert(String(word)).inserted {
                    byClass[Self.wordClass(word), default: []].append(String(word))
                }
            }
        }
        // Each word of the vocabulary: its class and its position among the words of that class.
        var vocabulary: [String: (wordClass: Int, position: Int)] = [:]
        for key in byClass.keys {
            byClass[key]!.sort()
            for (position, word) in byClass[key]!.enumerated() { vocabulary[word] = (key, position) }
        }
        func spans(_ text: String) -> [WordSpan] {
            var spans: [WordSpan] = []
            var offset = 0
            var start = 0
            var word = ""
            func flush() {
                if let (wordClass, position) = vocabulary[word] {
                    spans.append(WordSpan(
                        start: Int32(start), end: Int32(offset), wordClass: Int32(wordClass), position: Int32(position)))
                }
                word = ""
            }
            for character in text {
                if character.isLetter {
                    if word.isEmpty { start = offset }
                    word.append(character)
                } else if !word.isEmpty {
                    flush()
                }
                offset += character.utf8.count
            }
            if !word.isEmpty { flush() }
            return spans
        }
        for index in originals.indices {
            originals[index].titleSpans = spans(originals[index].title)
            originals[index].textSpans = spans(originals[index].text)
        }
        var random = SplitMix(seed: seed)
        var plan: [Planned] = []
        plan.reserveCapacity(count)
        var uniques: [Int] = []
        var next = 0
        var totalWords = 0
        for _ in 0..<count {
            let roll = Double(random.next() % 10_000) / 10_000
            if !uniques.isEmpty && roll < duplicateShare {
                let source = plan[uniques[Int(random.next() % UInt64(uniques.count))]]
                let exact = roll < duplicateShare / 2
                plan.append(Planned(kind: exact ? .exact : .near, original: source.original, round: source.round))
                totalWords += originals[Int(source.original)].words + (exact ? 0 : Self.nearSuffixWords)
                continue
            }
            uniques.append(plan.count)
            plan.append(Planned(kind: .unique, original: Int32(next % originals.count), round: Int32(next / originals.count)))
            totalWords += originals[next % originals.count].words
            next += 1
        }
        self.originals = originals
        self.byClass = byClass
        self.plan = plan
        self.seed = seed
        self.totalWords = totalWords
        self.made = nil
        if materialize ?? (count <= Self.materializeLimit) {
            self.made = (0..<count).map(self.make)
        }
    }

    /// The article at `index`: the same on every call and every run with the same seed.
    public subscript(index: Int) -> Item {
        self.made?[index] ?? self.make(index)
    }

    /// Every article's id is `bench-<index>`, so a result is matched to its article without a table.
    public static func index(ofID id: some StringProtocol) -> Int? {
        guard id.hasPrefix("bench-") else { return nil }
        return Int(id.dropFirst(6))
    }

    func make(_ index: Int) -> Item {
        let planned = self.plan[index]
        let original = self.originals[Int(planned.original)]
        let round = Int(planned.round)
        var text = self.remap(original.text, spans: original.textSpans, round: round)
        if planned.kind == .near { text += Self.nearSuffix }
        let id = "bench-\(index)"
        let title = self.remap(original.title, spans: original.titleSpans, round: round)
        let object = ["id": id, "title": title, "text": text, "source": "bench"]
        // Sorted keys: a dictionary's order differs from one instance to the next, and an article must be the same
        // bytes whenever it is made.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = (try? encoder.encode(object)).map { [UInt8]($0) } ?? []
        let kind = switch planned.kind {
        case .unique: "unique"
        case .exact: "exact"
        case .near: "near"
        }
        return Item(
            id: id, payload: payload, words: original.words + (planned.kind == .near ? Self.nearSuffixWords : 0),
            kind: kind
        )
    }

    /// `text` with every word replaced by its image under round `round`'s permutation. Each class's permutation is
    /// affine, `position * a + b` modulo the number of words of that class with `a` coprime to it, so that any
    /// round's image is computed directly instead of from a table per round. `spans` are the text's words.
    func remap(_ text: String, spans: [WordSpan], round: Int) -> String {
        guard round > 0 else { return text }
        var steps: [Int: (a: Int, b: Int)] = [:]
        func step(_ wordClass: Int, _ count: Int) -> (a: Int, b: Int) {
            if let known = steps[wordClass] { return known }
            var random = SplitMix(seed: self.seed &+ UInt64(round) &* 0x9E37_79B9 &+ UInt64(wordClass) &* 0x85EB_CA6B)
            var a = count > 1 ? 1 + Int(random.next() % UInt64(count - 1)) : 1
            while Self.gcd(a, count) != 1 { a = a % (count - 1) + 1 }
            let found = (a, Int(random.next() % UInt64(count)))
            steps[wordClass] = found
            return found
        }
        let utf8 = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count + 16)
        var cursor = 0
        for span in spans {
            result.append(contentsOf: utf8[cursor..<Int(span.start)])
            cursor = Int(span.end)
            guard let words = self.byClass[Int(span.wordClass)] else {
                result.append(contentsOf: utf8[Int(span.start)..<cursor])
                continue
            }
            let (a, b) = step(Int(span.wordClass), words.count)
            result.append(contentsOf: words[(Int(span.position) &* a &+ b) % words.count].utf8)
        }
        result.append(contentsOf: utf8[cursor...])
        return String(decoding: result, as: UTF8.self)
    }

    /// A word's length and case: lowercase, capitalized, all capitals, or anything else. A permutation within
    /// lengths alone made "the" a name as often as the vocabulary holds names, and later rounds read like lists of
    /// names; the analysis spent a quarter to a third longer on them than on the real text.
    static func wordClass(_ word: Substring) -> Int {
        // Counted once: a Substring's count walks its Characters.
        let length = word.count
        let upper = word.count(where: \.isUppercase)
        let lower = word.count(where: \.isLowercase)
        let shape = if upper == 0 && lower == length {
            0
        } else if word.first!.isUppercase && upper == 1 && lower == length - 1 {
            1
        } else if upper == length {
            2
        } else {
            3
        }
        return length &* 4 &+ shape
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
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
