/// Something that scores a token's features for every tag: the shipped 8-bit model or the trainer's weights.
protocol EntityScorer {
    func scores(_ features: [UInt64], into scores: inout [Float])
}

extension EntityModel: EntityScorer {
    func scores(_ features: [UInt64], into scores: inout [Float]) {
        let shift = UInt64(64 - self.bits)
        var sum = SIMD16<Int32>()
        self.rows.withUnsafeBytes { rows in
            self.wide.withUnsafeBytes { wide in
                for feature in features {
                    let offset = Int(truncatingIfNeeded: feature >> shift) &* Self.rowBytes
                    // Lanes past the tags (the flag, the next row's start) add up to sums that are never read.
                    if rows.load(fromByteOffset: offset &+ Self.rowBytes &- 1, as: UInt8.self) == 0 {
                        let row = rows.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self)
                        sum &+= SIMD16<Int32>(truncatingIfNeeded: row)
                    } else {
                        let index = Int(rows.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                        let row = wide.loadUnaligned(fromByteOffset: index &* 32, as: SIMD16<Int16>.self)
                        sum &+= SIMD16<Int32>(truncatingIfNeeded: row)
                    }
                }
            }
        }
        for tag in 0..<self.tagCount { scores[tag] = Float(sum[tag]) }
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
    static func decode<Scorer: EntityScorer>(
        _ infos: [EntityTokenInfo], scorer: Scorer, features: inout [UInt64], scores: inout [Float],
        step: ((Int, [UInt64], Int) -> Int)? = nil
    ) -> [Int] {
        var tags = [Int](repeating: 0, count: infos.count)
        var previous = 0
        var previous2 = 0
        for i in 0..<infos.count {
            EntityFeatures.features(infos, i, previous: previous, previous2: previous2, into: &features)
            scorer.scores(features, into: &scores)
            var best = 0
            var bestScore = -Float.infinity
            for tag in 0..<EntityTags.count where Self.allowed(tag, after: previous) && scores[tag] > bestScore {
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

    /// The entity spans a tag sequence marks, as token ranges relative to the sequence.
    static func spans(_ tags: [Int]) -> [(tokens: Range<Int>, type: Int)] {
        var spans: [(tokens: Range<Int>, type: Int)] = []
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
        return spans
    }
}
