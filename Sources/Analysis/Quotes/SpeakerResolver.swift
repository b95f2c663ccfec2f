import Articles

/// Turns a scan's segments and reports into `QuoteResult`s and resolves each speaker to an entity: a name
/// mention covering the phrase's head, a surname of a person named before, or, for a pronoun, the most recent
/// person. A description ("a Pakistani expert …") resolves to nothing.
struct SpeakerResolver {
    struct EntityMention {
        let start: Int
        let end: Int
        let canonical: String
        let isPerson: Bool
    }

    let document: Document
    let mentions: [EntityMention]
    /// The last word of every person's name and alias, when only one person has it.
    let surnames: [String: String]

    init(document: Document, entities: [EntityResult]) {
        self.document = document
        var mentions: [EntityMention] = []
        mentions.reserveCapacity(entities.reduce(0) { $0 + $1.mentions.count })
        var surnames: [String: String] = [:]
        var ambiguous: Set<String> = []
        for entity in entities {
            let isPerson = entity.type == "PER"
            for mention in entity.mentions {
                mentions.append(EntityMention(start: mention.start, end: mention.end, canonical: entity.canonical,
                                              isPerson: isPerson))
            }
            guard isPerson else { continue }
            func note(_ name: String) {
                guard let last = Self.lastWord(name)?.lowercased() else { return }
                if let known = surnames[last], known != entity.canonical { ambiguous.insert(last) }
                surnames[last] = entity.canonical
            }
            note(entity.name)
            note(entity.canonical)
            entity.aliases.forEach(note)
        }
        for name in ambiguous { surnames[name] = nil }
        self.mentions = mentions.sorted { $0.start < $1.start }
        self.people = self.mentions.filter(\.isPerson)
        self.surnames = surnames
    }

    /// The last space-separated word of `name`, nil if it has none: what `split(separator: " ").last` gives,
    /// without building every word (the generic split was a third of this type's setup). A space is one UTF-8
    /// byte that is never part of another scalar, so the bytes give the scalars' word boundaries undecoded.
    static func lastWord(_ name: String) -> Substring? {
        let utf8 = name.utf8
        var end = utf8.endIndex
        while end > utf8.startIndex && utf8[utf8.index(before: end)] == 0x20 { end = utf8.index(before: end) }
        guard end > utf8.startIndex else { return nil }
        let start = utf8[..<end].lastIndex(of: 0x20).map { utf8.index(after: $0) } ?? utf8.startIndex
        return name[start..<end]
    }

    /// The person mentions alone, in text order.
    let people: [EntityMention]

    /// The number of mentions in `list` (sorted by start) that start at or before `offset`: binary search, so
    /// resolving stays linear overall however many mentions and quotes an article has.
    static func count(_ list: [EntityMention], startingAtOrBefore offset: Int) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].start <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func results(_ scan: QuoteScan) -> [QuoteResult] {
        let tokens = self.document.tokens
        var pending: [(start: Int, end: Int, attribution: Attribution?, kind: String)] = []
        var index = 0
        while index < scan.segments.count {
            // One result per multi-paragraph quote.
            var last = index
            while last + 1 < scan.segments.count && scan.segments[last + 1].group == scan.segments[index].group {
                last += 1
            }
            let first = scan.segments[index]
            let final = scan.segments[last]
            var end = final.closed ? final.close : final.close
            while end - 1 > first.open, tokens[end - 1].text == "," { end -= 1 }
            if end > first.open + 1 {
                let attribution = scan.segments[index...last].first { $0.attribution != nil }?.attribution
                pending.append((tokens[first.open].end, tokens[end - 1].end, attribution, "direct"))
            }
            index = last + 1
        }
        for report in scan.indirect {
            pending.append((tokens[report.content.lowerBound].start, tokens[report.content.upperBound - 1].end,
                            report.attribution, "indirect"))
        }
        pending.sort { $0.start < $1.start }
        var lastPerson: String? = nil
        var lastOther: String? = nil
        var results: [QuoteResult] = []
        results.reserveCapacity(pending.count)
        for item in pending {
            var speakerText: String? = nil
            var speakerStart: Int? = nil
            var speakerEnd: Int? = nil
            var entity: String? = nil
            var cue: String? = nil
            if let attribution = item.attribution {
                let start = tokens[attribution.speaker.lowerBound].start
                let end = tokens[attribution.speaker.upperBound - 1].end
                speakerText = self.document.text(start, end)
                speakerStart = start
                speakerEnd = end
                if let cueRange = attribution.cue { cue = self.document.text(tokens[cueRange.lowerBound].start, tokens[cueRange.upperBound - 1].end) }
                let resolved = self.resolve(attribution.speaker, lastPerson: lastPerson, lastOther: lastOther)
                entity = resolved?.canonical
                if let resolved {
                    if resolved.isPerson { lastPerson = resolved.canonical } else { lastOther = resolved.canonical }
                }
            }
            results.append(QuoteResult(
                text: self.document.text(item.start, item.end), speaker: speakerText, speakerEntity: entity,
                cue: cue, start: item.start, end: item.end, speakerStart: speakerStart, speakerEnd: speakerEnd,
                kind: item.kind))
        }
        return results
    }

    func resolve(_ speaker: Range<Int>, lastPerson: String?, lastOther: String?) -> (canonical: String, isPerson: Bool)? {
        let tokens = self.document.tokens
        let first = tokens[speaker.lowerBound]
        if speaker.count == 1, QuoteLexicon.subjectPronouns.contains(first.lower) {
            switch first.lower {
            case "he", "she":
                if let lastPerson { return (lastPerson, true) }
                var index = Self.count(self.people, startingAtOrBefore: first.start)
                while index > 0 && self.people[index - 1].end > first.start { index -= 1 }
                return index > 0 ? (self.people[index - 1].canonical, true) : nil
            case "they", "it", "we":
                return lastOther.map { ($0, false) }
            default:
                return nil
            }
        }
        if QuoteLexicon.indefinite.contains(first.lower) { return nil }
        // The head: the last word before an appositive comma or a lowercase preposition.
        var head = speaker.lowerBound
        for index in speaker {
            let token = tokens[index]
            if token.text == "," { break }
            if !token.isCapitalized && QuoteLexicon.innerPrepositions.contains(token.lower) {
                let nameOf = token.lower == "of" && index + 1 < speaker.upperBound && tokens[index + 1].isCapitalized
                    && tokens[index - 1].isCapitalized
                if !nameOf { break }
            }
            if token.kind != .punctuation { head = index }
        }
        let headToken = tokens[head]
        // Mentions do not nest, so the few starting just before the head are the only ones that can cover it.
        let upper = Self.count(self.mentions, startingAtOrBefore: headToken.start)
        let covering = self.mentions[max(0, upper - 4)..<upper].reversed()
            .filter { $0.start <= headToken.start && headToken.end <= $0.end }
        if let mention = covering.first(where: \.isPerson) ?? covering.first {
            return (mention.canonical, mention.isPerson)
        }
        if headToken.isCapitalized, let canonical = self.surnames[headToken.lower] { return (canonical, true) }
        return nil
    }
}
