/// Writes a `ResultEnvelope` as the exact bytes `JSONEncoder` gives with `[.withoutEscapingSlashes, .sortedKeys]`.
///
/// Hand-written because Foundation's `JSONEncoder` on Linux was the pipeline's hot spot (about 440 µs per article,
/// a third of the per-article budget: it builds a tree of boxed values, then sorts every object's keys), and no
/// mirrored library does typed, sorted-key encoding faster. The envelope's shape is fixed, so the keys are written
/// here already in sorted order, straight into one byte buffer.
///
/// What must stay identical to `JSONEncoder` (and is checked byte for byte against it over a real corpus):
/// - keys in byte order, as `.sortedKeys` sorts them; nil optionals left out, as synthesized `Codable` does;
/// - strings escaped only for `"`, `\` and control characters (`\b \f \n \r \t`, else `\u00xx` in lowercase hex),
///   everything else — `/`, DEL, U+2028, emoji — written as raw UTF-8;
/// - integers in decimal; doubles as Swift's `description` without a trailing `.0` (`3`, `-0`, `1e-07`, `1e+21`),
///   which is what Foundation does;
/// - a non-finite double fails the whole envelope, as `JSONEncoder` throws for it.
///
/// When a field is added to an envelope type, add it here too: the corpus test fails until both agree.
public enum EnvelopeWriter {
    /// NaN or an infinity, which JSON cannot express.
    public struct NonFiniteNumber: Error, Equatable {
        public let value: Double
    }

    public static func encode(_ envelope: ResultEnvelope) throws(NonFiniteNumber) -> [UInt8] {
        // The article text dominates the size when it is carried; the analysis adds a few kilobytes.
        var out = JSONOutput(capacity: 8192 + (envelope.article.text?.utf8.count ?? 0))
        try envelope.write(to: &out)
        return out.finish()
    }
}

/// A growing byte buffer with a comma rule: a separator goes before any key or value that follows a finished
/// value. Its own memory rather than an `Array`, since `Array.append` checks uniqueness and capacity, and goes
/// through a generic path, for each of the thousands of small pieces an envelope is made of.
struct JSONOutput: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    private var needsComma = false

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        self.start = .allocate(capacity: self.capacity)
    }

    deinit {
        self.start.deallocate()
    }

    consuming func finish() -> [UInt8] {
        [UInt8](UnsafeBufferPointer(start: self.start, count: self.count))
    }

    // MARK: Bytes

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if self.count + extra > self.capacity { self.grow(extra) }
    }

    private mutating func grow(_ extra: Int) {
        self.capacity = max(self.capacity * 2, self.count + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        grown.update(from: self.start, count: self.count)
        self.start.deallocate()
        self.start = grown
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        self.reserve(1)
        self.start[self.count] = byte
        self.count += 1
    }

    @inline(__always)
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        self.reserve(bytes.count)
        (self.start + self.count).update(from: base, count: bytes.count)
        self.count += bytes.count
    }

    // MARK: Structure

    @inline(__always)
    private mutating func separate() {
        if self.needsComma { self.append(UInt8(ascii: ",")) }
    }

    /// Opens an object (`{`) or an array (`[`) where a value goes.
    mutating func open(_ bracket: StaticString) {
        self.separate()
        self.raw(bracket)
        self.needsComma = false
    }

    /// Closes what `open` opened (`}` or `]`).
    mutating func close(_ bracket: StaticString) {
        self.raw(bracket)
        self.needsComma = true
    }

    @inline(__always)
    private mutating func raw(_ text: StaticString) {
        self.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Keys are identifiers with nothing to escape.
    mutating func key(_ name: StaticString) {
        self.separate()
        self.append(UInt8(ascii: "\""))
        self.raw(name)
        self.append(UInt8(ascii: "\""))
        self.append(UInt8(ascii: ":"))
        self.needsComma = false
    }

    // MARK: Scalars

    mutating func value(_ bool: Bool) {
        self.separate()
        self.raw(bool ? "true" : "false")
        self.needsComma = true
    }

    mutating func value(_ integer: Int64) {
        self.separate()
        if integer < 0 { self.append(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        // 20 digits hold any UInt64; filled from the end so no reversal is needed.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            self.append(UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
        self.needsComma = true
    }

    mutating func value(_ number: Double) throws(EnvelopeWriter.NonFiniteNumber) {
        guard number.isFinite else { throw EnvelopeWriter.NonFiniteNumber(value: number) }
        self.separate()
        // Foundation's own rule: the shortest round-trip `description`, minus a trailing ".0". Up to 15 bytes it
        // lives inline in the String, so most values cost no allocation.
        var text = number.description
        text.withUTF8 { utf8 in
            var count = utf8.count
            if count >= 2 && utf8[count - 2] == UInt8(ascii: ".") && utf8[count - 1] == UInt8(ascii: "0") {
                count -= 2
            }
            self.append(UnsafeBufferPointer(rebasing: utf8[0..<count]))
        }
        self.needsComma = true
    }

    mutating func value(_ string: String) {
        self.separate()
        self.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            // Unescaped runs are copied whole; only `"`, `\` and C0 controls break a run.
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    self.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                runStart = index + 1
                self.escape(byte)
            }
            if runStart < utf8.count {
                self.append(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        self.append(UInt8(ascii: "\""))
        self.needsComma = true
    }

    private mutating func escape(_ byte: UInt8) {
        let short: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            default: nil
            }
        self.append(UInt8(ascii: "\\"))
        if let short {
            self.append(short)
        } else {
            let hex: (UInt8) -> UInt8 = { $0 < 10 ? UInt8(ascii: "0") + $0 : UInt8(ascii: "a") + $0 - 10 }
            self.raw("u00")
            self.append(hex(byte >> 4))
            self.append(hex(byte & 0x0F))
        }
    }

    // MARK: Fields (a key and its value; optionals left out when nil)

    mutating func field(_ name: StaticString, _ value: some JSONWritable) throws(EnvelopeWriter.NonFiniteNumber) {
        self.key(name)
        try value.write(to: &self)
    }

    mutating func field(_ name: StaticString, _ value: (some JSONWritable)?) throws(EnvelopeWriter.NonFiniteNumber) {
        guard let value else { return }
        try self.field(name, value)
    }

    mutating func field(_ name: StaticString, _ values: [some JSONWritable]) throws(EnvelopeWriter.NonFiniteNumber) {
        self.key(name)
        self.open("[")
        for value in values { try value.write(to: &self) }
        self.close("]")
    }
}

/// A value `JSONOutput` can write.
protocol JSONWritable {
    func write(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber)
}

/// A JSON object: its members, written in byte order of their keys, as `.sortedKeys` orders them.
protocol JSONObject: JSONWritable {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber)
}

extension JSONObject {
    func write(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        out.open("{")
        try self.writeMembers(to: &out)
        out.close("}")
    }
}

extension String: JSONWritable {
    func write(to out: inout JSONOutput) { out.value(self) }
}

extension Int: JSONWritable {
    func write(to out: inout JSONOutput) { out.value(Int64(self)) }
}

extension Int64: JSONWritable {
    func write(to out: inout JSONOutput) { out.value(self) }
}

extension Double: JSONWritable {
    func write(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) { try out.value(self) }
}

extension Bool: JSONWritable {
    func write(to out: inout JSONOutput) { out.value(self) }
}

// MARK: The envelope

extension ResultEnvelope: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("analysis", self.analysis)
        try out.field("article", self.article)
        try out.field("dedup", self.dedup)
        try out.field("id", self.id)
        try out.field("processed_at", self.processedAt)
        try out.field("received_at", self.receivedAt)
        try out.field("redelivered", self.redelivered)
        try out.field("schema", self.schema)
        try out.field("seq", self.seq)
    }
}

extension DedupInfo: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("cluster", self.cluster)
        try out.field("of", self.of)
        try out.field("similarity", self.similarity)
        try out.field("status", self.status.rawValue)
    }
}

extension ArticleInfo: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("canonical_url", self.canonicalURL)
        try out.field("published_at", self.publishedAt)
        try out.field("source", self.source)
        try out.field("text", self.text)
        try out.field("title", self.title)
        try out.field("url", self.url)
    }
}

extension AnalysisResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("coverage", self.coverage)
        try out.field("dates", self.dates)
        try out.field("entities", self.entities)
        try out.field("keyphrases", self.keyphrases)
        try out.field("language", self.language)
        try out.field("locations", self.locations)
        try out.field("quantities", self.quantities)
        try out.field("quotes", self.quotes)
        try out.field("summary", self.summary)
        try out.field("text", self.text)
        try out.field("themes", self.themes)
        try out.field("tone", self.tone)
    }
}

extension LanguageInfo: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("code", self.code)
        try out.field("confidence", self.confidence)
        try out.field("reliable", self.reliable)
    }
}

extension TextStats: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("paragraphs", self.paragraphs)
        try out.field("repeated_paragraphs_removed", self.repeatedParagraphsRemoved)
        try out.field("sentences", self.sentences)
        try out.field("words", self.words)
    }
}

extension Mention: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("end", self.end)
        try out.field("start", self.start)
    }
}

extension EntityResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("aliases", self.aliases)
        try out.field("canonical", self.canonical)
        try out.field("count", self.count)
        try out.field("mentions", self.mentions)
        try out.field("name", self.name)
        try out.field("salience", self.salience)
        try out.field("type", self.type)
    }
}

extension LocationResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("admin1", self.admin1)
        try out.field("count", self.count)
        try out.field("country_code", self.countryCode)
        try out.field("geonameid", self.geonameid)
        try out.field("lat", self.lat)
        try out.field("lon", self.lon)
        try out.field("mentions", self.mentions)
        try out.field("name", self.name)
    }
}

extension QuoteResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("cue", self.cue)
        try out.field("end", self.end)
        try out.field("kind", self.kind)
        try out.field("speaker", self.speaker)
        try out.field("speaker_end", self.speakerEnd)
        try out.field("speaker_entity", self.speakerEntity)
        try out.field("speaker_start", self.speakerStart)
        try out.field("start", self.start)
        try out.field("text", self.text)
    }
}

extension QuantityResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("end", self.end)
        try out.field("object", self.object)
        try out.field("qualifier", self.qualifier)
        try out.field("start", self.start)
        try out.field("unit", self.unit)
        try out.field("value", self.value)
    }
}

extension DateResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("end", self.end)
        try out.field("granularity", self.granularity)
        try out.field("resolved", self.resolved)
        try out.field("start", self.start)
        try out.field("text", self.text)
    }
}

extension ThemeResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("code", self.code)
        try out.field("label", self.label)
        try out.field("score", self.score)
    }
}

extension ToneResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("activity", self.activity)
        try out.field("negative", self.negative)
        try out.field("polarity", self.polarity)
        try out.field("positive", self.positive)
        try out.field("self_group", self.selfGroup)
        try out.field("tone", self.tone)
        try out.field("word_count", self.wordCount)
    }
}

extension KeyphraseResult: JSONObject {
    func writeMembers(to out: inout JSONOutput) throws(EnvelopeWriter.NonFiniteNumber) {
        try out.field("phrase", self.phrase)
        try out.field("score", self.score)
    }
}
