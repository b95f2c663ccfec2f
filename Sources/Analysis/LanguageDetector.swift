import Articles
import CCLD2

/// Language identification with CLD2 (Debian's libcld2).
public enum LanguageDetector {
    /// Bytes of a long text CLD2 is given: a sample of this many, in `sampleWindows` evenly spaced windows.
    ///
    /// CLD2 scores every byte it is given (about 50 µs a kilobyte of news on this machine: a whole article was a sixth
    /// of its analysis, a 512-byte sample still 7 %), while a language shows in a couple of hundred bytes. Windows
    /// spread over the text keep the shares of a mixed text, which decide its reliability, roughly as they are. At
    /// 256 bytes the sample names the whole text's language on every English news text of the evaluation data; at
    /// 128 it missed a half-French text and two BBC articles.
    static let sampleBytes = 256
    static let sampleWindows = 4

    /// Below this share of the sample in its top language, or unreliable, the sample is not trusted and the whole
    /// text is judged: a long list of foreign names (a team sheet) can sway a few hundred bytes.
    static let trustedSampleShare = 0.9

    /// Detects the language of `text`; `hint` is the scraper's `language` field, if any.
    public static func detect(_ text: String, hint: String?) -> LanguageInfo {
        Self.detect(text: Array(text.utf8), hint: hint)
    }

    /// The same for a text given as its UTF-8 bytes.
    public static func detect(text utf8: [UInt8], hint: String?) -> LanguageInfo {
        let sample = Self.sample(utf8)
        if sample.count < utf8.count {
            let sampled = Self.detectWhole(utf8: sample, hint: hint)
            if sampled.reliable && sampled.confidence >= Self.trustedSampleShare { return sampled }
        }
        return Self.detectWhole(utf8: utf8, hint: hint)
    }

    /// Detects the language of all of `utf8`.
    static func detectWhole(utf8: [UInt8], hint: String?) -> LanguageInfo {
        var utf8 = utf8
        // CLD2 refuses a whole text for one control character in it (a stray escape, a C1 code from a mis-decoded
        // Windows-1252 page): they become spaces.
        for index in utf8.indices {
            let byte = utf8[index]
            if (byte < 0x20 && byte != 0x0A && byte != 0x09 && byte != 0x0D) || byte == 0x7F {
                utf8[index] = 0x20
            } else if byte == 0xC2, index + 1 < utf8.count, (0x80...0x9F).contains(utf8[index + 1]) {
                utf8[index] = 0x20
                utf8[index + 1] = 0x20
            }
        }
        if utf8.isEmpty { return LanguageInfo(code: "und", confidence: 0, reliable: false) }
        utf8.append(0)
        var result = wirewatch_cld2_result()
        let status: Int32 = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                if let hint {
                    return wirewatch_cld2_detect(chars.baseAddress, Int32(clamping: chars.count - 1), hint, &result)
                }
                return wirewatch_cld2_detect(chars.baseAddress, Int32(clamping: chars.count - 1), nil, &result)
            }
        }
        let code = withUnsafeBytes(of: result.code) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        guard status == 0, code != "un", code != "xxx" else {
            return LanguageInfo(code: "und", confidence: 0, reliable: false)
        }
        return LanguageInfo(
            code: Self.modernCode(code), confidence: Double(result.percent) / 100, reliable: result.is_reliable != 0
        )
    }

    /// `utf8` itself when it is short; otherwise `sampleWindows` windows of it, first to last, each cut at white space
    /// (so no word and no UTF-8 sequence is split) and joined by newlines.
    static func sample(_ utf8: [UInt8]) -> [UInt8] {
        guard utf8.count > Self.sampleBytes else { return utf8 }
        let window = Self.sampleBytes / Self.sampleWindows
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        var sample: [UInt8] = []
        sample.reserveCapacity(Self.sampleBytes + Self.sampleWindows + 1)
        for index in 0..<Self.sampleWindows {
            let origin = (utf8.count - window) * index / (Self.sampleWindows - 1)
            var start = origin
            var end = origin + window
            if start > 0 {
                while start < end, !isSpace(utf8[start - 1]) { start += 1 }
            }
            if end < utf8.count {
                while end > start, !isSpace(utf8[end]) { end -= 1 }
            }
            // A window without white space (a script written without spaces) is cut at a UTF-8 sequence start.
            if start == end {
                start = origin
                end = origin + window
                while start < end, utf8[start] & 0xC0 == 0x80 { start += 1 }
                while end < utf8.count, end > start, utf8[end] & 0xC0 == 0x80 { end -= 1 }
            }
            if !sample.isEmpty { sample.append(0x0A) }
            sample += utf8[start..<end]
        }
        return sample
    }

    /// CLD2 still reports some withdrawn ISO 639-1 codes.
    static func modernCode(_ code: String) -> String {
        switch code {
        case "iw": "he"
        case "in": "id"
        case "jw": "jv"
        default: code
        }
    }
}
