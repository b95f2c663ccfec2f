/// The words quote attribution leans on: verbs of saying (a resource file) and the closed word classes that
/// bound a speaker's noun phrase (grammar, so kept here rather than as data).
struct QuoteLexicon: Sendable {
    enum VerbClass: UInt8, Sendable {
        /// The reported clause may follow bare ("said the talks failed").
        case say
        /// The reported clause needs "that" or a colon ("described the plan" reports nothing).
        case report
        /// A listener comes first ("told reporters that …").
        case tell
    }

    let verbs: [String: VerbClass]
    /// Which (first letter, last letter, length) triples any verb form has: a table lookup that spares most
    /// tokens a hash. A bit each (3 KB; a Bool each was 23 KB, asked of most tokens, and pushed other tables out
    /// of the first-level cache).
    private let shapes: [UInt64]

    init(lines: [Substring]) {
        var verbs: [String: VerbClass] = [:]
        for line in lines {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let verbClass: VerbClass
            switch fields[0] {
            case "say": verbClass = .say
            case "tell": verbClass = .tell
            default: verbClass = .report
            }
            for form in fields[2...] { verbs[String(form)] = verbClass }
        }
        self.verbs = verbs
        var shapes = [UInt64](repeating: 0, count: 27 * 27 * 32 / 64 + 1)
        for form in verbs.keys {
            let shape = Self.shape(form.utf8.first!, form.utf8.last!, form.utf8.count)
            shapes[shape >> 6] |= 1 << UInt64(shape & 63)
        }
        self.shapes = shapes
    }

    private static func shape(_ first: UInt8, _ last: UInt8, _ length: Int) -> Int {
        func letter(_ byte: UInt8) -> Int { byte >= 0x61 && byte <= 0x7A ? Int(byte - 0x61) : 26 }
        return (letter(first) * 27 + letter(last)) * 32 + min(length, 31)
    }

    /// The class of a cue verb form, for a lowercase word token.
    // Inlined so callers passing `tokens[i]` read its fields in place instead of copying the Token (and
    // retaining its two Strings): it is asked of most tokens of every sentence.
    @inline(__always)
    func verbClass(_ token: Token) -> VerbClass? {
        guard token.kind == .word else { return nil }
        let utf8 = token.lower.utf8
        guard let first = utf8.first else { return nil }
        let shape = Self.shape(first, utf8.last!, utf8.count)
        guard self.shapes[shape >> 6] & (1 << UInt64(shape & 63)) != 0 else { return nil }
        return self.verbs[token.lower]
    }

    /// Forms that only occur as verbs (past tense, participles), so they end a subject read backwards;
    /// "reports" or "notes" may be the subject's own noun.
    static func isPastForm(_ lower: String) -> Bool {
        lower.hasSuffix("ed") || lower == "said" || lower == "told" || lower == "wrote" || lower == "swore"
            || lower == "written" || lower == "sworn"
    }

    static let subjectPronouns: Set<String> = ["he", "she", "they", "it", "we", "i", "you"]
    static let objectPronouns: Set<String> = ["him", "her", "them", "me", "us", "you", "it"]
    static let determiners: Set<String> = [
        "a", "an", "the", "this", "these", "those", "one", "another", "some", "several", "many", "most", "both",
        "his", "her", "its", "their", "our", "my", "your", "two", "three", "four", "other", "each", "every",
    ]
    /// A speaker introduced this way is a description, never resolved to a named entity.
    static let indefinite: Set<String> = ["a", "an", "one", "another", "some", "several", "many", "most", "other"]
    /// Prepositions a description may contain ("a spokesman for the ministry", "an expert associated with …").
    static let innerPrepositions: Set<String> = [
        "of", "for", "with", "from", "at", "in", "on", "to", "based", "associated", "close", "within", "inside",
        "near", "behind", "under", "by",
    ]
    /// Words that end a speaker phrase read forwards ("said Smith in a statement", "said Smith on Monday").
    static let forwardStops: Set<String> = [
        "in", "on", "during", "when", "while", "after", "before", "because", "as", "to", "adding", "saying",
        "noting", "according", "who", "which", "that", "and", "but", "or", "today", "yesterday", "tonight",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "last", "earlier", "later",
        "recently", "not", "is", "was", "has", "had", "will", "would", "than", "then", "so", "if", "via", "into",
        "about", "over", "amid", "despite", "this", "late", "early", "told", "said", "he", "she", "they", "we",
        "i", "it", "there",
    ]
    /// Words that end a subject read backwards from its verb: clause words, auxiliaries, conjunctions.
    static let backwardStops: Set<String> = [
        "that", "which", "who", "whom", "whose", "and", "but", "or", "nor", "because", "since", "while", "when",
        "where", "whether", "if", "as", "after", "before", "although", "though", "so", "than", "until", "unless",
        "is", "are", "was", "were", "be", "been", "being", "am", "not", "has", "have", "had", "having", "will",
        "would", "shall", "should", "can", "could", "may", "might", "must", "do", "does", "did", "also", "then",
        "now", "there", "here", "what", "how", "why", "just", "even", "still", "yet", "already", "never", "ever",
        "only", "however", "meanwhile", "instead", "too", "very", "him", "them", "me", "us", "what", "once",
        "about", "into", "over", "against", "without", "through", "between", "among", "amid", "despite", "like",
        "unlike", "i", "we", "you", "he", "she", "they", "it", "by", "again", "said", "told",
    ]
    /// Words between a subject and its verb that belong to neither ("Smith also said", "officials on Monday said").
    static let adverbs: Set<String> = [
        "also", "has", "have", "had", "later", "then", "again", "once", "previously", "recently", "reportedly",
        "simply", "repeatedly", "would", "will", "could", "did", "further", "first", "finally", "often", "always",
        "earlier", "yesterday", "today", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "on", "last", "week", "night", "himself", "herself", "themselves", "itself", "too",
        "once", "since", "long", "ago", "both", "all",
    ]
    static let timeWords: Set<String> = [
        "today", "yesterday", "tonight", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "last", "this", "next", "earlier", "later", "week", "month", "year", "morning",
        "afternoon", "evening", "night", "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "recently", "now", "then", "meanwhile", "also",
    ]
    /// Abbreviations whose period stays inside a name ("Gen. Ali", "Mr. Smith").
    static let titleAbbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "st", "jr", "sr",
        "maj", "adm", "brig", "cmdr", "rev", "hon", "pres", "supt", "insp", "det", "cpl", "pvt", "inc", "co",
        "corp", "ltd",
    ]
    /// Lowercase words that open a name as part of a title ("former Gov. Jim Hodges").
    static let titleWords: Set<String> = ["former", "the", "then", "late", "acting", "retired", "deputy", "interim"]
    /// Nouns that take "to" inside a description ("an adviser to the president").
    static let relationNouns: Set<String> = [
        "adviser", "advisor", "aide", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
        "counsel", "assistant", "secretary", "successor", "deputy", "consultant", "close", "heir", "attorney",
    ]
}
