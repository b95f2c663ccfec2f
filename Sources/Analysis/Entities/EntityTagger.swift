import CLinux

/// Something that scores a token's features for every tag: the shipped 8-bit model or the trainer's weights.
protocol EntityScorer {
    func scores(_ features: [UInt64], into scores: inout [Float])
}

extension EntityModel: EntityScorer {
    func scores(_ features: [UInt64], into scores: inout [Float]) {
        var sum = SIMD16<Int32>()
        self.withRows { rows, wide in
            for feature in features { self.add(feature, rows, wide, to: &sum) }
        }
        for tag in 0..<self.tagCount { scores[tag] = Float(sum[tag]) }
    }

    @inline(__always)
    func withRows<Result>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Result) -> Result {
        self.rows.withUnsafeBytes { rows in self.wide.withUnsafeBytes { wide in body(rows, wide) } }
    }

    /// Asks for a feature's row and hands back its byte offset in `rows`.
    @inline(__always)
    func prefetchRow(_ feature: UInt64, _ rows: UnsafeRawBufferPointer) -> Int32 {
        let offset = Int(truncatingIfNeeded: feature >> UInt64(64 - self.bits)) &* Self.rowBytes
        wirewatch_prefetch(rows.baseAddress! + offset)
        return Int32(truncatingIfNeeded: offset)
    }

    /// Adds a feature's weights to the per-tag sums (lanes past `tagCount` hold nothing meaningful).
    @inline(__always)
    func add(_ feature: UInt64, _ rows: UnsafeRawBufferPointer, _ wide: UnsafeRawBufferPointer, to sum: inout SIMD16<Int32>) {
        self.add(row: Int(truncatingIfNeeded: feature >> UInt64(64 - self.bits)) &* Self.rowBytes, rows, wide, to: &sum)
    }

    /// Adds the weights of the row at byte `offset` of `rows`.
    @inline(__always)
    func add(row offset: Int, _ rows: UnsafeRawBufferPointer, _ wide: UnsafeRawBufferPointer, to sum: inout SIMD16<Int32>) {
        // Lanes past the tags (the flag, the next row's start) add up to sums that are never read.
        if rows.load(fromByteOffset: offset &+ Self.rowBytes &- 1, as: UInt8.self) == 0 {
            sum &+= Self.widen(rows.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self))
        } else {
            let index = Int(rows.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            sum &+= Self.widen(wide.loadUnaligned(fromByteOffset: index &* 32, as: SIMD16<Int16>.self))
        }
    }

    /// Lane by lane, so it inlines into a few vector instructions: the generic `init(truncatingIfNeeded:)` stays
    /// an out-of-line call, paid for every feature of every token.
    @inline(__always)
    static func widen<Lane: FixedWidthInteger & SIMDScalar>(_ row: SIMD16<Lane>) -> SIMD16<Int32> {
        var wide = SIMD16<Int32>()
        for lane in 0..<16 { wide[lane] = Int32(truncatingIfNeeded: row[lane]) }
        return wide
    }
}

/// Greedy left-to-right BIO decoding; an I- tag may only continue a B- or I- tag of its type.
enum EntityDecoder {
    @inline(__always)
    static func allowed(_ tag: Int, after previous: Int) -> Bool {
        guard EntityTags.isInside(tag) else { return true }
        return previous != 0 && EntityTags.type(of: previous) == EntityTags.type(of: tag)
    }

    /// Tags for one sentence's token infos. `step` sees each position's features and chosen tag (training).
    /// With `breaking`, punctuation that ends names (`EntityTokenInfo.breaksName`) is O, as the shipped decoder has
    /// it; training learns without it, from the names as annotated (a few training names end in a comma or quote).
    static func decode<Scorer: EntityScorer>(
        _ infos: [EntityTokenInfo], scorer: Scorer, features: inout [UInt64], scores: inout [Float],
        breaking: Bool = true, step: ((Int, [UInt64], Int) -> Int)? = nil
    ) -> [Int] {
        var tags = [Int](repeating: 0, count: infos.count)
        var previous = 0
        var previous2 = 0
        for i in 0..<infos.count {
            EntityFeatures.features(infos, i, previous: previous, previous2: previous2, into: &features)
            scorer.scores(features, into: &scores)
            var best = 0
            var bestScore = -Float.infinity
            for tag in 0..<EntityTags.count
            where Self.allowed(tag, after: previous) && (tag == 0 || !breaking || !infos[i].breaksName)
                && scores[tag] > bestScore
            {
                best = tag
                bestScore = scores[tag]
            }
            // The trainer may substitute the gold tag as history (it updates on `best` first).
            let chosen = step?(i, features, best) ?? best
            tags[i] = best
            previous2 = previous
            previous = chosen
        }
        return tags
    }

    /// Whether a token may open a name: a capitalized or all-caps word, a word with a capital inside ("iPhone",
    /// "al-Qaida"), or a word the alias table lists. Plain lowercase words, numbers and punctuation are O after O;
    /// they only join a name already open ("Bank of England", "Apollo 11"). News is full of numbers (dates,
    /// sums, scores); on the GUM news file the model opened a name with one once, wrongly.
    ///
    /// Nor do function words opening a sentence ("The", "He", "In", "However": a fifth of the capitalized words of
    /// news): the tagger's names there were junk ("When I", "By September") or kept their own words ("The Guardian"
    /// is trimmed to "Guardian" either way). Inside a sentence a capitalized function word is part of a title
    /// ("Phantom Of The Opera") and is scored.
    @inline(__always)
    static func mayOpen(_ info: EntityTokenInfo) -> Bool {
        let flags = info.flags % 10
        return flags != 1 && flags != 2 && flags != 5 && !info.isFunctionWord || info.lexicon != 0
    }

    /// Closed-class English words (determiners, pronouns, prepositions, conjunctions, sentence adverbs), by
    /// `WordHash.fnv` of the lowercase word; and the words that open spoken sentences and questions in quotes
    /// ("Well, …", "Look, …", "Let me …", "Would you …"), which the tagger had made names of. Left out: words that
    /// head names in news ("All Blacks", "No 10", "Now TV", "The Who", "Will Smith", "May said").
    static let functionWords: Set<UInt64> = Set([
        "the", "a", "an", "this", "that", "these", "those", "there", "here", "it", "he", "she", "they", "we", "i",
        "you", "his", "her", "their", "our", "its", "my", "your", "in", "on", "at", "but", "and", "or", "if", "when",
        "while", "after", "before", "as", "for", "with", "by", "from", "to", "of", "during", "since", "although",
        "though", "because", "despite", "under", "over", "about", "into", "than", "until", "unless", "whether",
        "however", "meanwhile", "also", "so", "yet", "then", "what", "how", "why", "where", "which", "some", "many",
        "most", "both", "each", "every", "not", "only", "even", "still", "such", "once", "instead", "indeed",
        "who", "let", "let's", "let\u{2019}s", "well", "look", "see", "yes", "oh", "okay", "please", "listen", "maybe",
        "perhaps", "is", "are", "was", "were", "do", "does", "did", "would", "could", "should", "might", "must", "have",
        "has", "had",
    ].map(WordHash.fnv))

    /// Tags for one sentence with the shipped model: the same features and scores as `decode(_:scorer:…)`, but
    /// ordered for the cache, and a token that cannot open a name (`mayOpen`) is O after O without being scored,
    /// which spares most of a sentence's table reads.
    ///
    /// Scoring waits on table rows; the greedy loop cannot look up a token's rows before the previous tag is
    /// chosen, so every token's rows that do not depend on it are summed first, where the misses of many tokens
    /// overlap: the context features, and the history features as they are after O, the previous tag of most
    /// tokens. The loop then adds the tag-pair row (11 × 11 rows, always cached) and, after an entity tag only,
    /// the history rows for that tag. A lowercase word after an entity tag is scored then, in full (its affixes
    /// filled in first, if `EntityFeatures.infos` left them out: `infos` are document tokens from `first` on).
    ///
    /// The tags are written into `tags`; it and the three scratch arrays are the caller's, kept for a whole article.
    static func decode(
        _ infos: [EntityTokenInfo], document: Document, first: Int, model: EntityModel, tags: inout [Int],
        context: inout [SIMD16<Int32>], afterO: inout [SIMD16<Int32>], rows offsets: inout [Int32]
    ) {
        tags.removeAll(keepingCapacity: true)
        tags.append(contentsOf: repeatElement(0, count: infos.count))
        model.withRows { rows, wide in
            context.removeAll(keepingCapacity: true)
            afterO.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
            // The rows of the whole sentence are asked for before any is summed: a prefetch does not hold up the
            // instructions after it as a missed load does, so the misses of every token overlap. Each row's offset
            // is kept for the sums, which would otherwise hash every feature a second time.
            for i in 0..<infos.count where Self.mayOpen(infos[i]) {
                EntityFeatures.contextFeatures(infos, i) { offsets.append(model.prefetchRow($0, rows)) }
                EntityFeatures.historyFeatures(infos, i, previous: 0) { offsets.append(model.prefetchRow($0, rows)) }
            }
            // The bias is the same row for every token, counted `biasCount` times: summed once for the sentence.
            var bias = SIMD16<Int32>()
            model.add(EntityFeatures.bias, rows, wide, to: &bias)
            bias &*= SIMD16(repeating: Int32(EntityFeatures.biasCount))
            var next = 0
            for i in 0..<infos.count {
                var sum = bias
                if Self.mayOpen(infos[i]) {
                    for _ in 0..<EntityFeatures.contextCount {
                        model.add(row: Int(offsets[next]), rows, wide, to: &sum)
                        next += 1
                    }
                    context.append(sum)
                    for _ in 0..<EntityFeatures.historyCount {
                        model.add(row: Int(offsets[next]), rows, wide, to: &sum)
                        next += 1
                    }
                } else {
                    context.append(sum)
                }
                afterO.append(sum)
            }
            var previous = 0
            var previous2 = 0
            for i in 0..<infos.count {
                let opens = Self.mayOpen(infos[i])
                if previous == 0 && !opens {
                    previous2 = previous
                    continue
                }
                var sum: SIMD16<Int32>
                if previous == 0 {
                    sum = afterO[i]
                } else {
                    sum = context[i]
                    if !opens {
                        // A copy: writing into `infos` here made the whole loop read it from memory.
                        var token = infos[i]
                        EntityFeatures.fillAffixes(&token, document, first + i)
                        EntityFeatures.contextFeatures(infos, i, token: token) { model.add($0, rows, wide, to: &sum) }
                    }
                    EntityFeatures.historyFeatures(infos, i, previous: previous) { model.add($0, rows, wide, to: &sum) }
                }
                model.add(EntityFeatures.tagPairFeature(previous: previous, previous2: previous2), rows, wide, to: &sum)
                // Sums are below 2^24, so comparing them as integers ranks tags as the Float scores do.
                var best = 0
                var bestScore = Int32.min
                for tag in 0..<EntityTags.count
                where Self.allowed(tag, after: previous) && (opens || EntityTags.isInside(tag) || tag == 0)
                    && (tag == 0 || !infos[i].breaksName) && sum[tag] > bestScore
                {
                    best = tag
                    bestScore = sum[tag]
                }
                tags[i] = best
                previous2 = previous
                previous = best
            }
        }
    }

    /// The entity spans a tag sequence marks, as token ranges relative to the sequence.
    static func spans(_ tags: [Int]) -> [(tokens: Range<Int>, type: Int)] {
        var spans: [(tokens: Range<Int>, type: Int)] = []
        Self.spans(tags, into: &spans)
        return spans
    }

    /// The same, written into `spans` (emptied first).
    static func spans(_ tags: [Int], into spans: inout [(tokens: Range<Int>, type: Int)]) {
        spans.removeAll(keepingCapacity: true)
        var index = 0
        while index < tags.count {
            guard let type = EntityTags.type(of: tags[index]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < tags.count && tags[end] == EntityTags.inside(type) { end += 1 }
            spans.append((index..<end, type))
            index = end
        }
    }
}
