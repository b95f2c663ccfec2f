import Articles

/// GDELT's seven tone values, computed as GDELT does: word densities from dictionaries, in percent of all words.
///
/// Polarity words come from VADER's lexicon (Resources/tone-lexicon.tsv, tools/make-tone-lexicon.py); activity
/// verbs and first-person pronouns are hand-written (Resources/tone-reference-words.tsv). The lexicons are
/// loaded once into `TermLexicon`, which flags each word of a `DocumentTerms`. One difference from GDELT: a
/// polarity word within three words after a negation ("not good", "never safe") counts for the other side.
public struct ToneScorer: Sendable {
    public static let shared = ToneScorer()

    /// Per `TermLexicon.cueStems` id: a verb of action.
    let isActivity: [Bool]
    static let negationReach = 3
    static let outOfReach = 1_000

    init() {
        let lexicon = TermLexicon.shared
        var isActivity = [Bool](repeating: false, count: lexicon.cueStems.count)
        for fields in TermLexicon.resourceLines("tone-reference-words.tsv").map({ $0.split(separator: "\t") })
        where fields.count >= 2 && fields[0] == "activity" {
            if let cue = lexicon.cue(String(fields[1])) { isActivity[Int(cue)] = true }
        }
        self.isActivity = isActivity
    }

    public func tone(_ document: Document) -> ToneResult {
        self.tone(document, terms: DocumentTerms(document))
    }

    public func tone(_ document: Document, terms: DocumentTerms) -> ToneResult {
        let activityOfStem = terms.cueOfStem.map { $0 >= 0 && self.isActivity[Int($0)] }
        var words = 0
        var positive = 0
        var negative = 0
        var activity = 0
        var selfGroup = 0
        var sinceNegation = Self.outOfReach
        for index in terms.flags.indices {
            let flags = terms.flags[index]
            let stem = terms.stemOfToken[index]
            guard stem >= 0 else {
                // A clause ends the reach of a negation.
                if flags & TermFlags.clauseBreak != 0 { sinceNegation = Self.outOfReach }
                continue
            }
            words += 1
            sinceNegation = min(sinceNegation + 1, Self.outOfReach)
            if flags & (TermFlags.positive | TermFlags.negative) != 0 {
                let flipped = sinceNegation <= Self.negationReach
                if (flags & TermFlags.positive != 0) != flipped { positive += 1 } else { negative += 1 }
            }
            if flags & TermFlags.negation != 0 { sinceNegation = 0 }
            if activityOfStem[Int(stem)] { activity += 1 }
            // "US" is the country, not the pronoun.
            if flags & TermFlags.selfGroup != 0 && flags & TermFlags.allCaps == 0 { selfGroup += 1 }
        }
        guard words > 0 else {
            return ToneResult(tone: 0, positive: 0, negative: 0, polarity: 0, activity: 0, selfGroup: 0, wordCount: 0)
        }
        func percent(_ count: Int) -> Double { Self.round(100 * Double(count) / Double(words)) }
        let positiveShare = percent(positive)
        let negativeShare = percent(negative)
        return ToneResult(
            tone: Self.round(positiveShare - negativeShare), positive: positiveShare, negative: negativeShare,
            polarity: Self.round(positiveShare + negativeShare), activity: percent(activity),
            selfGroup: percent(selfGroup), wordCount: words)
    }

    /// Four decimals, as GDELT prints them; keeps the wire output short and stable.
    static func round(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
