import Foundation

/// Trains the entity tagger (an averaged perceptron over BIO tags) from labelled JSON Lines sentences in the
/// schema of shared/data/ner-gmb-train.jsonl. Deterministic: a fixed seed orders the examples.
public struct EntityTrainer {
    struct Record: Decodable {
        struct Span: Decodable {
            let start: Int
            let end: Int
            let label: String
        }
        let text: String
        let entities: [Span]
    }

    struct Example {
        let infos: [EntityTokenInfo]
        let gold: [Int]
    }

    /// Words that open a person's name in some annotations ("President Bush") but are titles, not names: the
    /// tagger learns names without them, as news NER conventionally marks them.
    static let titles: Set<String> = [
        "mr", "mrs", "ms", "miss", "dr", "president", "prime", "minister", "general", "gen", "secretary", "senator",
        "sen", "king", "queen", "vice", "pope", "chancellor", "governor", "gov", "ambassador", "foreign", "defense",
        "defence", "interior", "finance", "state", "lieutenant", "lt", "colonel", "col", "commander", "chief",
        "judge", "justice", "sheikh", "ayatollah", "cardinal", "archbishop", "bishop", "rev", "reverend", "prince",
        "princess", "sir", "lord", "lady", "mayor", "premier", "spokesman", "spokeswoman", "leader", "opposition",
        "former", "rep", "representative", "congressman", "congresswoman", "admiral", "adm", "sergeant", "sgt",
        "captain", "capt", "major", "maj", "emperor", "sultan", "emir", "crown", "deputy", "envoy", "director",
        "chairman", "chairwoman", "professor", "prof", "coach", "officer", "agent", "detective", "inspector",
        "senior", "top", "late", "acting", "interim", "new", "outgoing", "incoming", "first", "dame", "saint", "st",
        "grand", "mufti", "imam", "cleric", "rabbi", "father", "sister", "brother", "president-elect", "u.s.",
        "british", "afghan", "iraqi", "iranian", "israeli", "palestinian", "pakistani", "indian", "chinese",
        "russian", "french", "german", "american", "secretary-general",
    ]

    static func label(_ gold: String) -> Int? {
        switch gold {
        case "PER": 0
        case "ORG": 1
        case "LOC": 2
        case "GPE", "NORP": 3  // the training data's "gpe" marks nationality adjectives
        case "MISC": 4
        default: nil
        }
    }

    public let epochs: Int
    public let seed: UInt64
    public let bits: Int
    let lexicon: EntityLexicon

    public init(epochs: Int = 5, seed: UInt64 = 7, bits: Int = EntityModel.defaultBits, lexicon: EntityLexicon = .shared) {
        self.epochs = epochs
        self.seed = seed
        self.bits = bits
        self.lexicon = lexicon
    }

    /// One example per sentence of every record, with gold tags aligned to the tokenizer's tokens.
    func examples(_ path: String) throws -> [Example] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        var examples: [Example] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let record = try decoder.decode(Record.self, from: Data(line))
            let document = Document(text: record.text, paragraphs: [0..<record.text.unicodeScalars.count])
            var tags = [Int](repeating: 0, count: document.tokens.count)
            for span in record.entities {
                guard let type = Self.label(span.label) else { continue }
                var inside = document.tokens.indices.filter {
                    document.tokens[$0].start >= span.start && document.tokens[$0].end <= span.end
                }
                if type == 0 {
                    while inside.count > 1,
                        Self.titles.contains(document.tokens[inside[0]].lower) || document.tokens[inside[0]].kind == .punctuation
                    {
                        inside.removeFirst()
                    }
                }
                guard let first = inside.first, inside.allSatisfy({ tags[$0] == 0 }) else { continue }
                for index in inside { tags[index] = index == first ? EntityTags.begin(type) : EntityTags.inside(type) }
            }
            for sentence in document.sentences {
                examples.append(
                    Example(
                        infos: EntityFeatures.infos(document, sentence.tokens, lexicon: self.lexicon),
                        gold: Array(tags[sentence.tokens])))
            }
        }
        return examples
    }

    /// The trainer's live weights over hashed buckets and their running sums for averaging.
    final class Weights: EntityScorer {
        /// The resources this process trains with, recorded in every model it writes.
        static let resourceDigest = EntityModel.resourceDigest()
        let bits: Int
        var weights: [Float]
        var sums: [Double]
        var step: Double = 1

        init(bits: Int) {
            self.bits = bits
            self.weights = [Float](repeating: 0, count: (1 << bits) * EntityTags.count)
            self.sums = [Double](repeating: 0, count: (1 << bits) * EntityTags.count)
        }

        func scores(_ features: [UInt64], into scores: inout [Float]) {
            for tag in 0..<EntityTags.count { scores[tag] = 0 }
            for feature in features {
                let base = EntityModel.base(feature, bits: self.bits, tagCount: EntityTags.count)
                for tag in 0..<EntityTags.count { scores[tag] += self.weights[base + tag] }
            }
        }

        func update(_ features: [UInt64], gold: Int, guess: Int) {
            for feature in features {
                let base = EntityModel.base(feature, bits: self.bits, tagCount: EntityTags.count)
                self.weights[base + gold] += 1
                self.sums[base + gold] += self.step
                self.weights[base + guess] -= 1
                self.sums[base + guess] -= self.step
            }
        }

        func averaged() -> EntityModel {
            var averaged = [Float](repeating: 0, count: self.weights.count)
            for index in 0..<self.weights.count {
                averaged[index] = Float(Double(self.weights[index]) - self.sums[index] / self.step)
            }
            var model = EntityModel(tagCount: EntityTags.count, bits: self.bits, floatWeights: averaged)
            model.resourceDigest = Self.resourceDigest
            return model
        }
    }

    /// Entity-level F1 (exact token span and type) of a model on examples.
    static func f1<Scorer: EntityScorer>(_ model: Scorer, _ examples: [Example]) -> Double {
        var features: [UInt64] = []
        var scores = [Float](repeating: 0, count: EntityTags.count)
        var truePositives = 0
        var predicted = 0
        var gold = 0
        for example in examples {
            let tags = EntityDecoder.decode(example.infos, scorer: model, features: &features, scores: &scores)
            let guessed = Set(EntityDecoder.spans(tags).map { [$0.tokens.lowerBound, $0.tokens.upperBound, $0.type] })
            let truth = Set(EntityDecoder.spans(example.gold).map { [$0.tokens.lowerBound, $0.tokens.upperBound, $0.type] })
            truePositives += guessed.intersection(truth).count
            predicted += guessed.count
            gold += truth.count
        }
        let precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
        let recall = gold == 0 ? 0 : Double(truePositives) / Double(gold)
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }

    /// Trains on the file, holding out every 20th sentence to print F1 after each epoch.
    /// - Parameter progress: receives one line per stage and per epoch.
    public func train(file: String, progress: (String) -> Void) throws -> EntityModel {
        let started = Date()
        let all = try self.examples(file)
        var training: [Example] = []
        var heldOut: [Example] = []
        for (index, example) in all.enumerated() {
            if index % 20 == 0 { heldOut.append(example) } else { training.append(example) }
        }
        progress("read \(all.count) sentences (\(training.count) training, \(heldOut.count) held out) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let weights = Weights(bits: self.bits)
        var random = SplitMix64(seed: self.seed)
        var order = Array(training.indices)
        var features: [UInt64] = []
        var scores = [Float](repeating: 0, count: EntityTags.count)
        var model = weights.averaged()
        for epoch in 1...self.epochs {
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
            var errors = 0
            var tokens = 0
            for position in order {
                let example = training[position]
                _ = EntityDecoder.decode(
                    example.infos, scorer: weights, features: &features, scores: &scores, breaking: false
                ) { i, features, guess in
                    let gold = example.gold[i]
                    if guess != gold {
                        weights.update(features, gold: gold, guess: guess)
                        errors += 1
                    }
                    weights.step += 1
                    tokens += 1
                    return guess
                }
            }
            model = weights.averaged()
            let f1 = Self.f1(model, heldOut)
            progress(
                "epoch \(epoch)/\(self.epochs): token errors \(String(format: "%.2f", 100 * Double(errors) / Double(max(tokens, 1))))%, "
                    + "held-out F1 \(String(format: "%.4f", f1)), \(model.featureCount) buckets used, "
                    + "\(String(format: "%.0f", Date().timeIntervalSince(started))) s")
        }
        return model
    }
}

/// A small fixed-seed generator, so training is reproducible on every platform.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
