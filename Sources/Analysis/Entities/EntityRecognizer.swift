import Articles

/// One name found in the text, before mentions of the same entity are merged.
public struct EntityMention: Sendable, Equatable {
    /// Scalar offsets into the article text.
    public let start: Int
    public let end: Int
    /// Indexes into `Document.tokens`.
    public let tokens: Range<Int>
    /// PER, ORG, LOC, NORP, MISC; GPE for countries named in the alias table.
    public let type: String
    public let text: String
    /// The alias table's entry for this name, when it has one.
    public let canonical: String?
}

/// Finds named entities with the trained tagger, then merges the mentions of each entity within the article.
public struct EntityRecognizer: Sendable {
    /// The shipped model (Resources/ner.model) and alias tables, loaded once.
    public static let shared: EntityRecognizer = {
        let model = ResourceFiles.loading("ner.model", or: nil) {
            try EntityModel(data: ResourceFiles.data("ner.model"))
        }
        return EntityRecognizer(model: model, lexicon: .shared)
    }()

    /// Nil when the model file is missing: then only names in the alias table are found.
    public let model: EntityModel?
    public let lexicon: EntityLexicon

    public init(model: EntityModel?, lexicon: EntityLexicon) {
        self.model = model
        self.lexicon = lexicon
    }

    static let reportedTypes = EntityTags.types

    /// Lowercase words that may sit inside a name ("Bank of England", "Osama bin Laden").
    static let connectors: Set<String> = [
        "of", "the", "and", "de", "da", "del", "der", "den", "van", "von", "al", "el", "bin", "ibn", "la", "le", "du",
        "di", "for", "on", "&", "y", "e", "do", "dos", "das",
    ]
    /// `connectors` holds no word longer than this: most words inside a tagged span are skipped without hashing.
    static let connectorLength = connectors.map(\.utf8.count).max()!

    @inline(__always)
    static func isConnector(_ word: String) -> Bool {
        word.utf8.count <= Self.connectorLength && Self.connectors.contains(word)
    }
    /// Capitalized function words the tagger sometimes takes for a one-word name at a sentence start, and titles.
    static let notNames: Set<String> = [
        "the", "a", "an", "this", "that", "these", "those", "there", "it", "he", "she", "they", "we", "i", "you",
        "in", "on", "at", "but", "and", "or", "if", "when", "while", "after", "before", "as", "for", "with", "by",
        "his", "her", "their", "our", "its", "my", "mr", "mrs", "ms", "dr", "today", "yesterday",
        // caption and credit labels of scraped pages
        "image", "photo", "video", "picture", "file", "source", "credit",
        // the title alone, cut from its holder's name ("Prime" of "Prime Minister Helena Markovic")
        "prime", "minister", "president", "chancellor", "secretary", "senator", "governor", "mayor", "deputy", "vice",
        "chief", "chairman", "spokesman", "spokeswoman",
    ]

    /// A tagged span cut to a clean name: no edge punctuation, no lowercase words inside except connectors.
    static func trim(_ span: Range<Int>, _ tokens: [Token]) -> Range<Int>? {
        var start = span.lowerBound
        var end = span.upperBound
        while start < end && (tokens[start].kind == .punctuation || (tokens[start].lower == "the" && end - start > 1)) { start += 1 }
        guard start < end else { return nil }
        var index = start + 1
        while index < end {
            // Fields read in place: copying a Token retains its two Strings.
            let lowercase = tokens[index].kind == .word && !tokens[index].isCapitalized && !tokens[index].isAllCaps
                && !tokens[index].hasInnerCapital
            if lowercase && !Self.isConnector(tokens[index].lower) { break }
            index += 1
        }
        end = index
        while end > start && (tokens[end - 1].kind == .punctuation || Self.isConnector(tokens[end - 1].lower)) {
            // Keep a final period that belongs to an abbreviation ("Inc.", "Co.") only when glued to it.
            if tokens[end - 1].text == "." && !tokens[end - 1].spaceBefore && end - 1 > start
                && tokens[end - 2].isCapitalized && tokens[end - 2].text.unicodeScalars.count <= 3
            {
                break
            }
            end -= 1
        }
        guard end > start else { return nil }
        guard (start..<end).contains(where: { tokens[$0].isCapitalized || tokens[$0].isAllCaps }) else { return nil }
        if end - start == 1 && Self.notNames.contains(tokens[start].lower) { return nil }
        return start..<end
    }

    /// Whether a listed name keeps its table type and canonical name where the tagger saw `tagged`. A country's
    /// name the tagger calls an organisation is its team ("Italy beat Wales"); not an acronym ("US", "UK"), which
    /// the tagger calls one before a noun ("US firms", "the US economy": 892 of the BBC corpus's 1,203 "US").
    static func compatible(listed: String, tagged: String, acronym: Bool = false) -> Bool {
        switch listed {
        case "PER": tagged == "PER"
        case "GPE", "LOC": tagged != "PER" && (tagged != "ORG" || acronym)
        default: tagged != "PER"
        }
    }

    /// Every entity mention in reading order (dates are left to the date stage).
    public func mentions(in document: Document) -> [EntityMention] {
        var mentions: [EntityMention] = []
        // The BBC articles hold a name mention every 14 words (one every 4.6 at most): room for one in eight tokens
        // spares regrowing the list as it fills. Capped, so a huge text without names does not reserve megabytes.
        mentions.reserveCapacity(min(document.tokens.count / 8, 1024))
        // Per-sentence arrays made once an article, sized for its longest sentence: made for every sentence, and grown
        // as each filled, they were a fifth of the analysis's allocations.
        let longest = document.sentences.reduce(0) { max($0, $1.tokens.count) }
        var matches: [EntityLexicon.Match] = []
        var infos: [EntityTokenInfo] = []
        infos.reserveCapacity(longest)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(longest)
        var tags: [Int] = []
        tags.reserveCapacity(longest)
        var spans: [(tokens: Range<Int>, type: Int)] = []
        var tagged: [(tokens: Range<Int>, type: String)] = []
        var found: [(tokens: Range<Int>, type: String)] = []
        var context: [SIMD16<Int32>] = []
        context.reserveCapacity(longest)
        var afterO: [SIMD16<Int32>] = []
        afterO.reserveCapacity(longest)
        var rows: [Int32] = []
        rows.reserveCapacity(longest * (EntityFeatures.contextCount + EntityFeatures.historyCount))
        for sentence in document.sentences {
            EntityFeatures.infos(
                document, sentence.tokens, lexicon: self.lexicon, matches: &matches, lazyAffixes: self.model != nil,
                into: &infos, hashes: &hashes)
            tagged.removeAll(keepingCapacity: true)
            if let model = self.model {
                EntityDecoder.decode(
                    infos, document: document, first: sentence.tokens.lowerBound, model: model, tags: &tags,
                    context: &context, afterO: &afterO, rows: &rows)
                EntityDecoder.spans(tags, into: &spans)
                for span in spans {
                    let type = Self.reportedTypes[span.type]
                    let tokens = (span.tokens.lowerBound + sentence.tokens.lowerBound)..<(span.tokens.upperBound + sentence.tokens.lowerBound)
                    if let trimmed = Self.trim(tokens, document.tokens) { tagged.append((trimmed, type)) }
                }
            }
            // Listed names the tagger missed still count: the table holds only unambiguous proper names.
            // A listed name of several words also wins over the pieces the tagger cut it into ("Afghan" + "Taliban"),
            // or the one piece it kept ("Afghan" of "Afghan Taliban", the rest left out). Where the tagger found the
            // listed name itself, its type stands: the context may make a listed name something else.
            // The tagger's names and the table's matches are each in text order without overlaps, so one sweep merges
            // them. Comparing every match with every name found held a worker for half a minute on one long sentence
            // of listed names.
            found.removeAll(keepingCapacity: true)
            var next = 0
            for match in matches {
                while next < tagged.count && tagged[next].tokens.upperBound <= match.tokens.lowerBound {
                    found.append(tagged[next])
                    next += 1
                }
                // Every name from `next` that starts before the match ends overlaps it.
                var after = next
                var inside = true
                var whole = false
                while after < tagged.count && tagged[after].tokens.lowerBound < match.tokens.upperBound {
                    let name = tagged[after].tokens
                    inside = inside
                        && name.lowerBound >= match.tokens.lowerBound && name.upperBound <= match.tokens.upperBound
                    whole = whole || name == match.tokens
                    after += 1
                }
                guard after == next || (inside && match.tokens.count >= 2 && !whole) else { continue }
                next = after
                found.append((match.tokens, self.lexicon.entries[match.entry].type))
            }
            found.append(contentsOf: tagged[next...])
            for (tokens, taggedType) in found {
                let first = tokens.lowerBound - sentence.tokens.lowerBound
                var entry = self.lexicon.entry(wordHashes: infos[first..<(first + tokens.count)].lazy.map(\.word))
                // The tagger reads the context: "Jordan said" is a person, "Sweden beat Belgium" two teams.
                let acronym = tokens.count == 1 && document.tokens[tokens.lowerBound].isAllCaps
                if let listed = entry, !Self.compatible(listed: listed.type, tagged: taggedType, acronym: acronym) {
                    entry = nil
                }
                let type = entry?.type ?? taggedType
                mentions.append(
                    EntityMention(
                        start: document.tokens[tokens.lowerBound].start, end: document.tokens[tokens.upperBound - 1].end,
                        tokens: tokens, type: type, text: document.text(tokens: tokens), canonical: entry?.canonical))
            }
        }
        return mentions
    }

    /// The article's entities, each with all its mentions merged, most salient first.
    /// - Parameters:
    ///   - document: the tokenized article.
    ///   - title: the headline; an entity named in it is more salient.
    public func entities(in document: Document, title: String? = nil) -> [EntityResult] {
        let mentions = self.mentions(in: document)
        return EntityLinker(document: document, lexicon: self.lexicon).link(mentions, title: title)
    }
}
