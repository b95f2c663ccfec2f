/// Reported speech ("X said (that) …", "…, X said.", "according to X, …") and the speakers quotes inherit
/// from the quote before them.
extension QuoteScan {
    mutating func findIndirect() {
        for sentence in self.document.sentences {
            let range = sentence.tokens
            var taken = range.lowerBound  // a cue inside an earlier report's content is part of that report
            var index = range.lowerBound
            while index < range.upperBound {
                defer { index += 1 }
                guard index >= taken, self.insideSegment[index] < 0, self.tokens[index].kind == .word else { continue }
                if let found = self.indirectAt(index, sentence: range) {
                    self.addIndirect(found)
                    taken = max(found.content.upperBound, found.attribution.speaker.upperBound, index + 1)
                }
            }
        }
    }

    /// The sentence's content end: before its final stop, closing marks and commas.
    func contentEnd(_ start: Int, _ end: Int) -> Int {
        var end = end
        while end > start {
            let token = self.tokens[end - 1]
            guard token.kind == .punctuation, self.isSentenceStop(end - 1) || token.text == "," || token.isQuote
                || token.text == ")"
            else { break }
            end -= 1
        }
        return end
    }

    func indirectAt(_ index: Int, sentence range: Range<Int>) -> IndirectQuote? {
        let token = self.tokens[index]
        if token.lower.utf8.count == 9, token.lower == "according", index + 1 < range.upperBound,
            self.tokens[index + 1].lower == "to"
        {
            return self.indirectAccordingTo(index, sentence: range)
        }
        guard !token.isCapitalized, let verbClass = self.lexicon.verbClass(token) else { return nil }
        var lowerBound = range.lowerBound
        var probe = index - 1
        while probe >= range.lowerBound {  // the subject never reaches back past a quote
            if self.insideSegment[probe] >= 0 {
                lowerBound = probe + 1
                break
            }
            probe -= 1
        }
        let sentenceEnd = self.contentEnd(index + 1, range.upperBound)
        guard let subject = self.backwardSpeaker(verb: index, lowerBound: lowerBound) else {
            // "…, said the minister."
            guard index - 1 > range.lowerBound, self.tokens[index - 1].text == ",",
                let speaker = self.forwardSpeaker(index + 1, limit: range.upperBound),
                self.contentEnd(speaker.upperBound, range.upperBound) == speaker.upperBound
            else { return nil }
            return self.report(range.lowerBound..<index - 1, speaker, cue: index)
        }
        // "…, the minister said (on Monday)."
        if subject.lowerBound - 1 > range.lowerBound, self.tokens[subject.lowerBound - 1].text == ",",
            sentenceEnd - index <= 6, !(index + 1..<sentenceEnd).contains(where: { self.tokens[$0].lower == "that" })
        {
            return self.report(range.lowerBound..<subject.lowerBound - 1, subject, cue: index)
        }
        var start = index + 1
        guard start < sentenceEnd else { return nil }
        if verbClass == .tell {
            let listener = self.tokens[start]
            if QuoteLexicon.objectPronouns.contains(listener.lower) || listener.lower == "reporters" {
                start += 1
            } else if listener.isCapitalized || QuoteLexicon.determiners.contains(listener.lower) {
                start = self.forwardPhraseEnd(start, limit: sentenceEnd)
            } else {
                return nil
            }
            guard start > index + 1, start < sentenceEnd else { return nil }
        }
        // "that" or a colon, maybe behind a short setting ("said in a statement that").
        var marker = start
        while marker < sentenceEnd && marker - start < 8 {
            let lower = self.tokens[marker].lower
            if lower == "that" || lower == ":" || lower == "whether" {
                return self.report(marker + 1..<sentenceEnd, subject, cue: index)
            }
            if self.tokens[marker].kind == .punctuation || self.insideSegment[marker] >= 0 { break }
            marker += 1
        }
        guard verbClass != .report else { return nil }
        let first = self.tokens[start]
        let opensClause = QuoteLexicon.subjectPronouns.contains(first.lower) || first.lower == "there"
            || (QuoteLexicon.determiners.contains(first.lower) && !QuoteLexicon.objectPronouns.contains(first.lower))
            || (first.isCapitalized && !QuoteLexicon.timeWords.contains(first.lower) && !self.isWeekday(first))
            || (verbClass == .say && first.kind == .word && !QuoteLexicon.forwardStops.contains(first.lower)
                && !QuoteLexicon.innerPrepositions.contains(first.lower) && !first.lower.hasSuffix("ly")
                && !QuoteLexicon.objectPronouns.contains(first.lower) && self.lexicon.verbClass(first) == nil)
        guard opensClause else { return nil }
        return self.report(start..<sentenceEnd, subject, cue: index)
    }

    /// "according to X, …" opening a sentence, or "…, according to X." closing one.
    func indirectAccordingTo(_ index: Int, sentence range: Range<Int>) -> IndirectQuote? {
        let cue = index..<index + 2
        if index == range.lowerBound {
            guard let speaker = self.forwardSpeaker(index + 2, limit: range.upperBound),
                speaker.upperBound < range.upperBound, self.tokens[speaker.upperBound].text == ","
            else { return nil }
            return self.report(speaker.upperBound + 1..<self.contentEnd(speaker.upperBound + 1, range.upperBound),
                               Attribution(speaker: speaker, cue: cue))
        }
        guard self.tokens[index - 1].text == ",", index - 1 > range.lowerBound,
            let speaker = self.forwardSpeaker(index + 2, limit: range.upperBound)
        else { return nil }
        return self.report(range.lowerBound..<index - 1, Attribution(speaker: speaker, cue: cue))
    }

    func report(_ content: Range<Int>, _ speaker: Range<Int>, cue: Int) -> IndirectQuote? {
        self.report(content, Attribution(speaker: speaker, cue: cue..<cue + 1))
    }

    func report(_ content: Range<Int>, _ attribution: Attribution) -> IndirectQuote? {
        var content = content
        while !content.isEmpty, self.tokens[content.lowerBound].kind == .punctuation,
            self.insideSegment[content.lowerBound] < 0
        {
            content = content.lowerBound + 1..<content.upperBound
        }
        content = content.lowerBound..<self.contentEnd(content.lowerBound, content.upperBound)
        guard content.count >= 3 else { return nil }
        return IndirectQuote(content: content, attribution: attribution)
    }

    /// Keeps a report unless quotation marks cover most of it (then it is a direct quote, already found);
    /// quotes inside it that have no speaker of their own take its speaker.
    mutating func addIndirect(_ found: IndirectQuote) {
        var quoted = 0
        for index in found.content {
            let number = Int(self.insideSegment[index])
            guard number >= 0 else { continue }
            quoted += 1
            if self.segments[number].attribution == nil { self.segments[number].attribution = found.attribution }
        }
        if quoted * 2 < found.content.count { self.indirect.append(found) }
    }

    /// A quote with no speaker nearby takes the previous quote's when it plainly continues it: another part of
    /// the same multi-paragraph quote, the next sentence of the same paragraph, or a quote paragraph right after
    /// an attributed one.
    mutating func inheritSpeakers() {
        var groupAttribution: [Int: Attribution] = [:]
        for segment in self.segments {
            if let attribution = segment.attribution, groupAttribution[segment.group] == nil {
                groupAttribution[segment.group] = attribution
            }
        }
        for number in self.segments.indices where self.segments[number].attribution == nil {
            let segment = self.segments[number]
            if let attribution = groupAttribution[segment.group] {
                self.segments[number].attribution = attribution
                continue
            }
            guard number > 0, let previousAttribution = self.segments[number - 1].attribution else { continue }
            let previous = self.segments[number - 1]
            let paragraph = self.paragraphTokens[segment.paragraph]
            if previous.paragraph == segment.paragraph {
                var before = segment.open - 1
                if before >= paragraph.lowerBound, [":", ","].contains(self.tokens[before].text) { before -= 1 }
                let startsSentence = self.sentenceStart(segment.open) == segment.open
                let continues = before >= paragraph.lowerBound
                    && (self.tokens[before].lower == "and" || (self.tokens[before].lower.hasSuffix("ing")
                        && self.lexicon.verbClass(self.tokens[before]) != nil))
                if startsSentence || continues { self.segments[number].attribution = previousAttribution }
            } else if previous.paragraph == segment.paragraph - 1, segment.open == paragraph.lowerBound {
                // The previous paragraph ends with that attributed quote (its last sentence holds the speaker).
                let previousRange = self.paragraphTokens[previous.paragraph]
                let lastSentence = self.sentenceStart(previousRange.upperBound - 1)
                if previousAttribution.speaker.upperBound > lastSentence || previous.close >= lastSentence {
                    self.segments[number].attribution = previousAttribution
                }
            }
        }
    }
}
