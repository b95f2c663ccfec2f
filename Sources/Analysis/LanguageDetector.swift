import Articles
import CCLD2

/// Language identification with CLD2 (Debian's libcld2).
public enum LanguageDetector {
    /// Detects the language of `text`; `hint` is the scraper's `language` field, if any.
    public static func detect(_ text: String, hint: String?) -> LanguageInfo {
        var result = wirewatch_cld2_result()
        var utf8 = Array(text.utf8)
        if utf8.isEmpty { return LanguageInfo(code: "und", confidence: 0, reliable: false) }
        utf8.append(0)
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
