import Articles

/// Finds who said what: direct quotes in quotation marks and attributed indirect speech, each with the speaker's
/// noun phrase as written and, where it resolves, the entity it names.
///
/// Rules over tokens rather than a model: attribution layouts are few and regular, the rules stay explainable,
/// and every scan is bounded to a sentence or a short window, so the cost is linear in the article.
public struct QuoteExtractor: Sendable {
    /// Built once per process from `speech-verbs.txt`; without the file only cue-less layouts are found.
    public static let shared = QuoteExtractor(lexicon: QuoteLexicon(
        lines: ResourceFiles.loading("speech-verbs.txt", or: []) { try ResourceFiles.lines("speech-verbs.txt") }))

    let lexicon: QuoteLexicon

    init(lexicon: QuoteLexicon) {
        self.lexicon = lexicon
    }

    /// Whether the verb lexicon loaded; false means the resources are missing.
    public var hasLexicon: Bool { !self.lexicon.verbs.isEmpty }

    /// The quotes of a document in text order.
    /// - Parameters:
    ///   - document: the tokenized article.
    ///   - entities: the article's entities, to resolve speakers to; may be empty.
    /// - Returns: direct quotes (speaker nil when the article names none nearby) and attributed indirect speech.
    public func extract(_ document: Document, entities: [EntityResult]) -> [QuoteResult] {
        var scan = QuoteScan(document: document, lexicon: self.lexicon)
        scan.findSegments()
        scan.attributeSegments()
        scan.findIndirect()
        scan.inheritSpeakers()
        // An article without quotes (one in eight of the BBC corpus) need not index its entities' mentions and
        // surnames.
        guard !scan.segments.isEmpty || !scan.indirect.isEmpty else { return [] }
        return SpeakerResolver(document: document, entities: entities).results(scan)
    }
}

/// A stretch in quotation marks: the marks' token indexes, or a paragraph end when a quote runs on.
struct QuoteSegment {
    var open: Int
    /// The closing mark, or the paragraph's token end when the quote continues into the next paragraph.
    var close: Int
    var closed: Bool
    var paragraph: Int
    /// Segments of one multi-paragraph quote share a group number.
    var group: Int
    var attribution: Attribution?
}

/// Who a quote is attributed to: token ranges of the speaker phrase and the cue.
struct Attribution {
    var speaker: Range<Int>
    var cue: Range<Int>?
}

/// An attributed stretch of reported speech, by token range.
struct IndirectQuote {
    var content: Range<Int>
    var attribution: Attribution
}

/// The working state of one extraction.
struct QuoteScan {
    let document: Document
    let tokens: [Token]
    let lexicon: QuoteLexicon
    /// Token ranges of the kept paragraphs that have tokens, in order.
    var paragraphTokens: [Range<Int>] = []
    /// For each token, the index into `sentences`.
    var sentenceOf: [Int32]
    var segments: [QuoteSegment] = []
    var indirect: [IndirectQuote] = []
    /// For each token, the segment whose marks enclose it (marks included), or -1.
    var insideSegment: [Int32]

    init(document: Document, lexicon: QuoteLexicon) {
        self.document = document
        self.tokens = document.tokens
        self.lexicon = lexicon
        self.sentenceOf = [Int32](repeating: 0, count: document.tokens.count)
        self.insideSegment = [Int32](repeating: -1, count: document.tokens.count)
        var lastParagraph = -1
        for (index, sentence) in document.sentences.enumerated() {
            for token in sentence.tokens { self.sentenceOf[token] = Int32(index) }
            if sentence.paragraph == lastParagraph, let last = self.paragraphTokens.last {
                self.paragraphTokens[self.paragraphTokens.count - 1] = last.lowerBound..<sentence.tokens.upperBound
            } else {
                self.paragraphTokens.append(sentence.tokens)
                lastParagraph = sentence.paragraph
            }
        }
    }

    // MARK: Quotation marks

    enum MarkDirection { case open, close, either }

    /// The direction of a double quotation mark token, or nil when the token is none.
    func doubleMark(_ index: Int) -> MarkDirection? {
        // Asked of every token: its kind read in place, a punctuation token's one scalar from the document
        // (copying the Token would retain its two Strings).
        guard self.tokens[index].kind == .punctuation else { return nil }
        switch self.document.scalars[self.tokens[index].start].value {
        case 0x22: return .either
        case 0x201C, 0x201E, 0x00AB: return .open
        case 0x201D, 0x00BB: return .close
        default: return nil
        }
    }

    /// A straight mark right after a number ("a 12" screen") measures inches.
    func isInchMark(_ index: Int, paragraphStart: Int) -> Bool {
        index > paragraphStart && self.tokens[index].text == "\"" && !self.tokens[index].spaceBefore
            && self.tokens[index - 1].kind == .number
    }

    /// Pairs quotation marks paragraph by paragraph in one pass; an opened quote left unclosed at a paragraph's
    /// end continues when the next paragraph opens with a mark (the news convention for long quotes).
    mutating func findSegments() {
        var group = 0
        var carried: Int? = nil  // the group of a quote running on from the previous paragraph
        for (paragraph, range) in self.paragraphTokens.enumerated() {
            var hasDouble = false
            var openAt: Int? = nil
            var openGroup = 0
            for index in range {
                guard let direction = self.doubleMark(index) else { continue }
                hasDouble = true
                if openAt == nil {
                    if direction == .close { continue }  // a stray closer
                    if self.isInchMark(index, paragraphStart: range.lowerBound) { continue }
                    openAt = index
                    if index == range.lowerBound, let running = carried {
                        openGroup = running
                    } else {
                        group += 1
                        openGroup = group
                    }
                } else if direction == .open, self.tokens[index].text != "\"" {
                    // A second opener: the first was never closed; restart here.
                    openAt = index
                    group += 1
                    openGroup = group
                } else {
                    self.addSegment(open: openAt!, close: index, closed: true, paragraph: paragraph, group: openGroup)
                    openAt = nil
                }
            }
            carried = nil
            if let open = openAt {
                let next = paragraph + 1 < self.paragraphTokens.count ? self.paragraphTokens[paragraph + 1] : nil
                let continues = next.map { !$0.isEmpty && self.doubleMark($0.lowerBound) != nil } ?? false
                // Unclosed and not continued: keep it only when it plainly opens a quote (paragraph start or
                // after a colon or comma) and has some length; otherwise the mark was a stray.
                let plain = open == range.lowerBound || [":", ","].contains(self.tokens[open - 1].text)
                if continues || (plain && range.upperBound - open > 3) {
                    self.addSegment(open: open, close: range.upperBound, closed: false, paragraph: paragraph, group: openGroup)
                    if continues { carried = openGroup }
                }
            }
            if !hasDouble { self.findSingleQuoted(range, paragraph: paragraph, group: &group) }
        }
    }

    /// British-style ‘…’ quotes, only in paragraphs without double marks, where ’ is not an apostrophe.
    mutating func findSingleQuoted(_ range: Range<Int>, paragraph: Int, group: inout Int) {
        var openAt: Int? = nil
        for index in range where self.tokens[index].kind == .punctuation {
            let scalar = self.tokens[index].text.unicodeScalars.first!.value
            if scalar == 0x2018, openAt == nil, index + 1 < range.upperBound,
                !self.tokens[index + 1].spaceBefore, self.tokens[index + 1].kind != .punctuation
            {
                openAt = index
            } else if scalar == 0x2019, let open = openAt, index > open + 3 {
                let next = index + 1 < range.upperBound ? self.tokens[index + 1] : nil
                let apostrophe = next.map { !$0.spaceBefore && $0.kind == .word } ?? false
                if !apostrophe {
                    group += 1
                    self.addSegment(open: open, close: index, closed: true, paragraph: paragraph, group: group)
                    openAt = nil
                }
            }
        }
    }

    mutating func addSegment(open: Int, close: Int, closed: Bool, paragraph: Int, group: Int) {
        let number = Int32(self.segments.count)
        let end = closed ? close + 1 : close
        for index in open..<end { self.insideSegment[index] = number }
        self.segments.append(QuoteSegment(open: open, close: close, closed: closed, paragraph: paragraph, group: group))
    }

    // MARK: Direct quote attribution

    mutating func attributeSegments() {
        for number in self.segments.indices {
            let segment = self.segments[number]
            let range = self.paragraphTokens[segment.paragraph]
            var attribution: Attribution? = nil
            if segment.closed {
                attribution = self.attributionAfter(segment.close + 1, limit: range.upperBound)
            }
            if attribution == nil {
                attribution = self.attributionBefore(segment.open, paragraphStart: range.lowerBound)
            }
            if attribution == nil, segment.closed, segment.close + 1 == range.upperBound,
                segment.paragraph + 1 < self.paragraphTokens.count
            {
                // A quote paragraph signed in the next one: "— Name."
                let next = self.paragraphTokens[segment.paragraph + 1]
                if !next.isEmpty, self.isDash(next.lowerBound) || self.tokens[next.lowerBound].text == "-" {
                    if let speaker = self.forwardSpeaker(next.lowerBound + 1, limit: next.upperBound),
                        self.contentEnd(speaker.upperBound, next.upperBound) == speaker.upperBound
                    {
                        attribution = Attribution(speaker: speaker, cue: nil)
                    }
                }
            }
            if attribution == nil, segment.open == range.lowerBound, segment.paragraph > 0 {
                // "He said:" closing the previous paragraph introduces this one.
                let previous = self.paragraphTokens[segment.paragraph - 1]
                if !previous.isEmpty, self.tokens[previous.upperBound - 1].text == ":" {
                    attribution = self.attributionBefore(previous.upperBound, paragraphStart: previous.lowerBound)
                }
            }
            self.segments[number].attribution = attribution
        }
    }

    func isSentenceStop(_ index: Int) -> Bool {
        let text = self.tokens[index].text
        if text == "." { return self.phraseJoiner(index, limit: self.tokens.count) == nil }
        return text == "!" || text == "?" || text == ";"
    }

    func isDash(_ index: Int) -> Bool {
        let text = self.tokens[index].text
        return text == "\u{2014}" || text == "\u{2013}" || (text == "-" && self.tokens[index].spaceBefore)
    }

    /// `"…," said X` · `"…," X said` · `"…," X, a …, said` · `"…" — X` · `"…," according to X`.
    func attributionAfter(_ start: Int, limit: Int) -> Attribution? {
        var index = start
        while index < limit && self.tokens[index].text == "," { index += 1 }
        guard index < limit else { return nil }
        if self.isDash(index) {
            guard let speaker = self.forwardSpeaker(index + 1, limit: limit) else { return nil }
            // The dash byline stands alone: the phrase must end the sentence.
            guard speaker.upperBound >= limit || self.isSentenceStop(speaker.upperBound) else { return nil }
            return Attribution(speaker: speaker, cue: nil)
        }
        if let according = self.accordingTo(index, limit: limit) { return according }
        if self.lexicon.verbClass(self.tokens[index]) != nil {
            guard let speaker = self.forwardSpeaker(index + 1, limit: limit) else { return nil }
            return Attribution(speaker: speaker, cue: index..<index + 1)
        }
        // A subject then its verb, within a short window that crosses no sentence end or quote.
        var probe = index
        while probe < limit && probe < index + 24 {
            if self.isSentenceStop(probe) || self.doubleMark(probe) != nil { return nil }
            if probe > index, self.tokens[probe].kind == .word, !self.tokens[probe].isCapitalized,
                self.lexicon.verbClass(self.tokens[probe]) != nil
            {
                // Everything between the quote and the verb is the subject ("the nominee, Donald Trump, tweeted").
                guard let speaker = self.backwardSpeaker(verb: probe, lowerBound: index) else { return nil }
                if speaker.lowerBound == index { return Attribution(speaker: speaker, cue: probe..<probe + 1) }
                guard self.tokens[speaker.lowerBound - 1].text == ",", self.tokens[index].kind == .word,
                    self.tokens[index].isCapitalized || QuoteLexicon.determiners.contains(self.tokens[index].lower),
                    self.backwardPhraseStart(speaker.lowerBound - 2, lowerBound: index) == index
                else { return nil }
                return Attribution(speaker: index..<speaker.upperBound, cue: probe..<probe + 1)
            }
            probe += 1
        }
        return nil
    }

    /// `X said: "…"` · `X said "…"` · `X told reporters: "…"` · `according to X, "…"`.
    func attributionBefore(_ open: Int, paragraphStart: Int) -> Attribution? {
        var index = open - 1
        guard index >= paragraphStart else { return nil }
        let sentenceStart = max(paragraphStart, self.sentenceStart(open))
        var punctuated = false
        if self.tokens[index].text == ":" || self.tokens[index].text == "," {
            punctuated = true
            index -= 1
        }
        guard index >= sentenceStart else { return nil }
        if self.tokens[index].lower == "that" { index -= 1 }
        // The verb right before the mark, or a few tokens back behind a listener or a setting
        // ("told the agency:", "said in a statement:").
        let reach = punctuated ? 10 : 4
        var verb = index
        while verb >= sentenceStart && index - verb < reach {
            if self.doubleMark(verb) != nil || self.isSentenceStop(verb) { break }
            if self.tokens[verb].text == "," && verb < index { break }
            if let verbClass = self.lexicon.verbClass(self.tokens[verb]), !self.tokens[verb].isCapitalized {
                if verb < index && !punctuated && verbClass == .say { break }
                if let speaker = self.backwardSpeaker(verb: verb, lowerBound: sentenceStart) {
                    return Attribution(speaker: speaker, cue: verb..<verb + 1)
                }
                if self.tokens[verb].lower.hasSuffix("ing") { return nil }  // "adding:" inherits later
                break
            }
            verb -= 1
        }
        // "according to X, "…""
        if punctuated && self.tokens[index + 1].text == "," {
            var probe = index
            while probe > sentenceStart && index - probe < 14 {
                if self.tokens[probe].lower == "to" && self.tokens[probe - 1].lower == "according" {
                    return self.accordingTo(probe - 1, limit: index + 1)
                }
                probe -= 1
            }
        }
        return nil
    }

    /// "according to X" starting at `index`, the speaker running to `limit` or the phrase's end.
    func accordingTo(_ index: Int, limit: Int) -> Attribution? {
        guard index + 2 < limit || (index + 2 == limit - 1),
            index + 1 < self.tokens.count, self.tokens[index].lower == "according",
            self.tokens[index + 1].lower == "to",
            let speaker = self.forwardSpeaker(index + 2, limit: limit)
        else { return nil }
        return Attribution(speaker: speaker, cue: index..<index + 2)
    }

    func sentenceStart(_ token: Int) -> Int {
        guard token < self.tokens.count else { return self.tokens.count }
        return self.document.sentences[Int(self.sentenceOf[token])].tokens.lowerBound
    }

    // MARK: Speaker phrases

    /// Whether the word may sit inside a speaker phrase.
    func isPhraseWord(_ index: Int) -> Bool {
        let token = self.tokens[index]
        return token.kind == .word || token.kind == .number
    }

    /// Skips a possessive "’s", an abbreviation's period, an ampersand or a hyphen inside a name; returns the token
    /// after.
    func phraseJoiner(_ index: Int, limit: Int) -> Int? {
        let token = self.tokens[index]
        guard token.kind == .punctuation, index > 0 else { return nil }
        switch token.text {
        case "'", "\u{2019}":
            if index + 1 < limit, !self.tokens[index + 1].spaceBefore, self.tokens[index + 1].lower == "s" {
                return index + 2
            }
            return nil
        case ".":
            let previous = self.tokens[index - 1]
            if !token.spaceBefore, previous.kind == .word,
                QuoteLexicon.titleAbbreviations.contains(previous.lower)
                    || (previous.isCapitalized && previous.text.unicodeScalars.count == 1)
            {
                return index + 1
            }
            return nil
        case "&": return index + 1
        // "the 67-year-old": the tokenizer splits a number from the words it is hyphenated to.
        case "-":
            if !token.spaceBefore, index + 1 < limit, !self.tokens[index + 1].spaceBefore { return index + 1 }
            return nil
        default: return nil
        }
    }

    /// A possessive mark, an abbreviation's period, an ampersand or a hyphen that a name phrase runs through.
    func isInnerJoiner(_ index: Int) -> Bool {
        guard index > 0, index + 1 < self.tokens.count else { return false }
        return self.phraseJoiner(index, limit: self.tokens.count) != nil
    }

    /// The speaker phrase that starts at `start`, after an inverted cue ("said the minister").
    func forwardSpeaker(_ start: Int, limit: Int) -> Range<Int>? {
        guard start < limit, self.tokens[start].kind == .word else { return nil }
        let first = self.tokens[start]
        if ["he", "she", "they"].contains(first.lower) { return start..<start + 1 }
        if QuoteLexicon.subjectPronouns.contains(first.lower) || QuoteLexicon.objectPronouns.contains(first.lower) {
            return nil
        }
        if !first.isCapitalized {
            if QuoteLexicon.forwardStops.contains(first.lower) || first.lower.hasSuffix("ly")
                || QuoteLexicon.innerPrepositions.contains(first.lower)
            {
                return nil
            }
        }
        var end = self.forwardPhraseEnd(start, limit: limit)
        guard end > start else { return nil }
        // "said John Smith, a spokesman for the ministry": the description belongs to the speaker.
        if end + 1 < limit, self.tokens[end].text == ",", self.isNameRun(start..<end),
            !self.endsDescription(end + 1)
        {
            var stop = end + 1
            while stop < limit && stop - end < 40 {
                if self.isSentenceStop(stop) || self.doubleMark(stop) != nil { break }
                if self.tokens[stop].text == ",", stop + 1 < limit, self.endsDescription(stop + 1) { break }
                stop += 1
            }
            let descriptionEnd = self.contentEnd(end + 1, stop)
            let complete = stop >= limit || self.isSentenceStop(stop) || self.doubleMark(stop) != nil
                || self.tokens[stop].text == ","
            if complete && descriptionEnd > end + 1 { end = descriptionEnd }
        }
        return start..<end
    }

    /// The end of a phrase read forwards from `start`.
    func forwardPhraseEnd(_ start: Int, limit: Int) -> Int {
        var index = start
        var isName = self.tokens[start].isCapitalized
        while index < limit && index - start < 20 {
            let token = self.tokens[index]
            if self.isPhraseWord(index) {
                if !token.isCapitalized {
                    if QuoteLexicon.forwardStops.contains(token.lower) {
                        let relation = token.lower == "to" && index > start
                            && QuoteLexicon.relationNouns.contains(self.tokens[index - 1].lower)
                        let setting = (token.lower == "in" || token.lower == "on") && !isName
                            && index + 1 < limit && self.tokens[index + 1].isCapitalized
                        if !relation && !setting { break }
                    }
                    if token.lower == "at" && isName { break }
                    if QuoteLexicon.isPastForm(token.lower), self.lexicon.verbClass(token) != nil { break }
                    if token.lower.hasSuffix("ly") && token.lower.count > 4 { break }
                    if !QuoteLexicon.innerPrepositions.contains(token.lower)
                        && !QuoteLexicon.determiners.contains(token.lower)
                    {
                        isName = false
                    }
                }
                index += 1
            } else if let next = self.phraseJoiner(index, limit: limit) {
                index = next
            } else if token.text == "(", index > start, self.tokens[index - 1].isCapitalized,
                let close = (index + 1..<min(limit, index + 10)).first(where: { self.tokens[$0].text == ")" })
            {
                index = close + 1  // "Rep. John Mica (R-Fla.)"
            } else {
                break
            }
        }
        // A phrase never ends on a preposition or determiner ("a professor at").
        while index > start, QuoteLexicon.innerPrepositions.contains(self.tokens[index - 1].lower)
            || QuoteLexicon.determiners.contains(self.tokens[index - 1].lower)
        {
            index -= 1
        }
        return index
    }

    /// Whether the words at `index` go on with the sentence rather than describe the speaker before them
    /// ("…, said Smith, adding …", "…, said Smith, who said …", "…, said Smith, and …").
    func endsDescription(_ index: Int) -> Bool {
        guard index < self.tokens.count else { return true }
        let token = self.tokens[index]
        if token.kind == .punctuation { return true }
        if ["and", "but", "as", "while", "when", "before", "after", "because", "although", "according", "in", "on",
            "at", "during", "referring", "speaking", "if", "so", "then"].contains(token.lower)
        {
            return true
        }
        if self.lexicon.verbClass(token) != nil { return true }
        if token.lower == "who", index + 1 < self.tokens.count, self.lexicon.verbClass(self.tokens[index + 1]) != nil {
            return true
        }
        return false
    }

    /// Every word is capitalized: a name, maybe with a title ("Foreign Minister Sergey Lavrov").
    func isNameRun(_ range: Range<Int>) -> Bool {
        range.allSatisfy { !self.isPhraseWord($0) || self.tokens[$0].isCapitalized || self.tokens[$0].lower == "of" }
    }

    /// The subject of the cue verb at `verb`, read backwards and not before `lowerBound`:
    /// "the Russian government", "he", "Htay Oo, its acting chairman".
    func backwardSpeaker(verb: Int, lowerBound: Int) -> Range<Int>? {
        var index = verb - 1
        var skipped = 0
        while index >= lowerBound && skipped < 4 {
            let token = self.tokens[index]
            guard token.kind == .word, !token.isCapitalized || self.isWeekday(token) else { break }
            if QuoteLexicon.adverbs.contains(token.lower) || (token.lower.hasSuffix("ly") && token.lower.count > 4) {
                index -= 1
                skipped += 1
            } else {
                break
            }
        }
        guard index >= lowerBound else { return nil }
        let last = self.tokens[index]
        if self.tokens[verb].lower.hasSuffix("ing") {
            // "footage of Trump saying …": only a name or pronoun right before a participle is its speaker.
            guard last.kind == .word, last.isCapitalized || QuoteLexicon.subjectPronouns.contains(last.lower) else {
                return nil
            }
            if !last.isCapitalized { return index..<index + 1 }
            var start = index
            while start - 1 >= lowerBound, self.tokens[start - 1].isCapitalized || self.isInnerJoiner(start - 1) {
                start -= 1
            }
            return start..<index + 1
        }
        if last.kind == .word, QuoteLexicon.subjectPronouns.contains(last.lower), last.lower != "you" {
            return index..<index + 1
        }
        if last.text == ")" {
            return self.nameStart(endingAt: index, lowerBound: lowerBound).map { $0..<index + 1 }
        }
        var end = index + 1
        let trailingComma = last.text == ","
        if trailingComma {
            index -= 1
            end = index + 1
        }
        guard index >= lowerBound, let start = self.backwardPhraseStart(index, lowerBound: lowerBound) else {
            return nil
        }
        if trailingComma {
            // "Htay Oo, its acting chairman, said": a name, then a description between commas (which may hold
            // commas of its own: "Nicky Driscoll, 24, from Manchester, said").
            var probe = index
            var commas = 0
            while probe > lowerBound && index - probe < 40 && commas < 3 {
                if self.isSentenceStop(probe) || self.doubleMark(probe) != nil { return nil }
                if self.tokens[probe].text == "," {
                    commas += 1
                    if probe < index, let nameStart = self.nameStart(endingAt: probe - 1, lowerBound: lowerBound) {
                        return nameStart..<end
                    }
                    // "Another delegate on the slate, Jim Poolman, said": a description, then the name.
                    if commas == 1, probe > lowerBound, self.nameStart(endingAt: index, lowerBound: probe + 1) == probe + 1,
                        let descriptionStart = self.backwardPhraseStart(probe - 1, lowerBound: lowerBound)
                    {
                        return descriptionStart..<end
                    }
                }
                probe -= 1
            }
            return nil
        }
        return start..<end
    }

    /// The start of a name (maybe with a title and a parenthesis: "former Gov. Jim Hodges (D-S.C.)") that ends
    /// at `last`, or nil when the words there are no name.
    func nameStart(endingAt last: Int, lowerBound: Int) -> Int? {
        var index = last
        if index >= lowerBound, self.tokens[index].text == ")" {
            var open = index - 1
            while open > lowerBound && index - open < 10 && self.tokens[open].text != "(" { open -= 1 }
            guard open > lowerBound, self.tokens[open].text == "(" else { return nil }
            index = open - 1
        }
        guard index >= lowerBound, self.tokens[index].kind == .word, self.tokens[index].isCapitalized else {
            return nil
        }
        var start = index
        while start - 1 >= lowerBound && index - start < 8 {
            let previous = self.tokens[start - 1]
            if previous.kind == .word && previous.isCapitalized {
                start -= 1
            } else if self.isInnerJoiner(start - 1) || (previous.lower == "of" && start - 2 >= lowerBound
                && self.tokens[start - 2].isCapitalized)
            {
                start -= 1
            } else {
                break
            }
        }
        var titles = 0
        while start - 1 >= lowerBound && titles < 2, QuoteLexicon.titleWords.contains(self.tokens[start - 1].lower) {
            start -= 1
            titles += 1
        }
        if start == index, QuoteLexicon.timeWords.contains(self.tokens[start].lower)
            || QuoteLexicon.backwardStops.contains(self.tokens[start].lower)
        {
            return nil
        }
        return start
    }

    func isWeekday(_ token: Token) -> Bool {
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].contains(token.lower)
    }

    /// Where a subject phrase ending at `last` begins, or nil when the words do not make one.
    func backwardPhraseStart(_ last: Int, lowerBound: Int) -> Int? {
        guard self.isPhraseWord(last) else { return nil }
        let head = self.tokens[last]
        if !head.isCapitalized && (QuoteLexicon.backwardStops.contains(head.lower)
            || QuoteLexicon.innerPrepositions.contains(head.lower) || QuoteLexicon.determiners.contains(head.lower)
            || QuoteLexicon.timeWords.contains(head.lower))
        {
            return nil
        }
        var index = last
        while index - 1 >= lowerBound && last - index < 14 {
            let previous = index - 1
            let token = self.tokens[previous]
            if self.isPhraseWord(previous) {
                if !token.isCapitalized || previous == self.sentenceStart(previous) {
                    let lower = token.lower
                    if QuoteLexicon.backwardStops.contains(lower) {
                        // "Smith and Jones said": names on both sides of "and".
                        guard lower == "and", previous - 1 >= lowerBound, self.tokens[previous - 1].isCapitalized,
                            self.tokens[index].isCapitalized
                        else { break }
                    }
                    if QuoteLexicon.isPastForm(lower), self.lexicon.verbClass(token) != nil { break }
                }
                index = previous
            } else if self.isInnerJoiner(previous) {
                index = previous
            } else {
                break
            }
        }
        if last - index >= 14 { return nil }  // no natural start: a clause, not a name
        // Drop a leading setting ("On Tuesday the minister", "Earlier this week officials").
        while index < last {
            let token = self.tokens[index]
            let lower = token.lower
            if QuoteLexicon.innerPrepositions.contains(lower) || QuoteLexicon.timeWords.contains(lower)
                || self.isWeekday(token) || lower == "and" || lower == "but"
            {
                index += 1
            } else if token.kind == .punctuation {
                index += 1
            } else {
                break
            }
        }
        guard self.isPhraseWord(index), !(index > 0 && self.isInnerJoiner(index - 1)) else { return nil }
        return index
    }
}
