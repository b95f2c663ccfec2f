import Foundation

/// Turns an untrusted payload into an `Article`, or a `DecodeError` saying why not.
///
/// Checks run cheapest first, and the structural ones (size, UTF-8, nesting) run over the raw bytes before any
/// parser sees them, so hostile input — 50 MB strings, JSON nested 10,000 deep, binary garbage — costs one linear
/// scan and can neither crash the daemon nor recurse it off its stack.
public enum ArticleDecoder {
    public static func decode(_ payload: [UInt8], limits: DecodeLimits = .default) throws(DecodeError) -> Article {
        if payload.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw DecodeError(code: "empty_payload", reason: "payload is empty")
        }
        if payload.count > limits.maxPayloadBytes {
            throw DecodeError(
                code: "too_large", reason: "payload is \(payload.count) bytes, limit is \(limits.maxPayloadBytes)"
            )
        }
        if let offset = Self.invalidUTF8Offset(payload) {
            throw DecodeError(code: "invalid_utf8", reason: "invalid UTF-8 at byte \(offset)")
        }
        try Self.scanStructure(payload, maxDepth: limits.maxDepth)
        let object: [String: JSONValue]
        let data = Data(payload)
        do {
            // An object, as nearly every payload is, without first trying the other types in vain.
            if let fields = try? JSONDecoder().decode([String: JSONValue].self, from: data) {
                object = fields
            } else {
                let value = try JSONDecoder().decode(JSONValue.self, from: data)
                guard case .object(let fields) = value else {
                    throw DecodeError(
                        code: "not_an_object", reason: "payload must be a JSON object, got \(value.typeName)"
                    )
                }
                object = fields
            }
        } catch let error as DecodeError {
            throw error
        } catch {
            throw DecodeError(code: "malformed_json", reason: "malformed JSON: \(Self.describe(error))")
        }
        return try Self.article(from: object, limits: limits)
    }

    /// The byte offset of the first invalid UTF-8 sequence, or nil.
    static func invalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        // Fast path: the standard library's validator.
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }

    /// Rejects nesting deeper than `maxDepth` and control bytes that JSON never holds raw, without recursion.
    static func scanStructure(_ bytes: [UInt8], maxDepth: Int) throws(DecodeError) {
        var depth = 0
        var inString = false
        var escaped = false
        var controls = 0
        for byte in bytes {
            if byte == 0 {
                throw DecodeError(code: "binary_payload", reason: "payload contains NUL bytes: not JSON text")
            }
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { controls += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B:
                depth += 1
                if depth > maxDepth {
                    throw DecodeError(code: "too_deep", reason: "JSON nesting exceeds \(maxDepth) levels")
                }
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        if controls > 0 && controls * 20 > bytes.count {
            throw DecodeError(code: "binary_payload", reason: "payload is mostly control bytes: not JSON text")
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }

    static func article(from object: [String: JSONValue], limits: DecodeLimits) throws(DecodeError) -> Article {
        func string(_ key: String, max: Int) throws(DecodeError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let value)?:
                if value.utf8.count > max {
                    throw DecodeError(
                        code: "field_too_long",
                        reason: "field '\(key)' is \(value.utf8.count) bytes, limit is \(max)"
                    )
                }
                return value
            case let other?:
                throw DecodeError(code: "wrong_type", reason: "field '\(key)' must be a string, got \(other.typeName)")
            }
        }
        let short = limits.maxShortFieldBytes
        let id = try string("id", max: short)
        let url = try string("url", max: short)
        let title = try string("title", max: short)
        let text = try string("text", max: limits.maxFieldBytes)
        let html = try string("html", max: limits.maxFieldBytes)
        let source = try string("source", max: short)
        let publishedAtRaw = try string("published_at", max: short)
        let language = try string("language", max: short)
        var authors: [String] = []
        switch object["authors"] {
        case nil, .null?: break
        case .array(let list)?:
            if list.count > limits.maxAuthors {
                throw DecodeError(
                    code: "too_many_authors", reason: "field 'authors' has \(list.count) entries, limit is \(limits.maxAuthors)"
                )
            }
            for (index, item) in list.enumerated() {
                guard case .string(let name) = item else {
                    throw DecodeError(
                        code: "wrong_type", reason: "field 'authors[\(index)]' must be a string, got \(item.typeName)"
                    )
                }
                guard name.utf8.count <= short else {
                    throw DecodeError(code: "field_too_long", reason: "field 'authors[\(index)]' exceeds \(short) bytes")
                }
                authors.append(name)
            }
        case let other?:
            throw DecodeError(code: "wrong_type", reason: "field 'authors' must be an array of strings, got \(other.typeName)")
        }
        var meta: JSONValue? = nil
        switch object["meta"] {
        case nil, .null?: break
        case .object(let fields)?:
            let size = (try? JSONEncoder().encode(JSONValue.object(fields)).count) ?? 0
            if size > limits.maxMetaBytes {
                throw DecodeError(code: "field_too_long", reason: "field 'meta' is \(size) bytes, limit is \(limits.maxMetaBytes)")
            }
            meta = .object(fields)
        case let other?:
            throw DecodeError(code: "wrong_type", reason: "field 'meta' must be an object, got \(other.typeName)")
        }
        var publishedAt: Date? = nil
        if let raw = publishedAtRaw {
            guard let date = RFC3339.parse(raw) else {
                throw DecodeError(
                    code: "invalid_date", reason: "field 'published_at' is not an RFC 3339 date-time: '\(raw.prefix(64))'"
                )
            }
            publishedAt = date
        }
        let body: String
        let wasHTML: Bool
        if let text, !Self.isBlank(text) {
            body = text
            wasHTML = false
        } else if let html, !Self.isBlank(html) {
            body = HTMLText.extract(html)
            wasHTML = true
        } else {
            throw DecodeError(code: "missing_body", reason: "article has no body: 'text' or 'html' is required")
        }
        if Self.isBlank(body) {
            throw DecodeError(code: "missing_body", reason: "the 'html' body holds no text")
        }
        let canonicalURL = url.flatMap(CanonicalURL.canonicalize)
        let givenID = id.flatMap { Self.isBlank($0) ? nil : $0 }
        let derivedID = "sha256:" + String(PayloadHash.sha256Hex(Array((canonicalURL ?? body).utf8)).prefix(16))
        return Article(
            id: givenID ?? derivedID, url: url, canonicalURL: canonicalURL, title: title, source: source,
            publishedAt: publishedAt, publishedAtRaw: publishedAtRaw, languageHint: language, authors: authors,
            meta: meta, text: body, bodyWasHTML: wasHTML
        )
    }

    static func isBlank(_ string: String) -> Bool {
        string.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }
}

/// RFC 3339 date-times: `2023-09-14T08:30:00Z`, with optional fractional seconds and numeric offsets.
public enum RFC3339 {
    public static func parse(_ raw: String) -> Date? {
        let bytes = Array(raw.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, let year = number(0, 4), bytes[4] == 0x2D, let month = number(5, 2), bytes[7] == 0x2D,
            let day = number(8, 2), bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20,
            let hour = number(11, 2), bytes[13] == 0x3A, let minute = number(14, 2), bytes[16] == 0x3A,
            let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count && bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            if index == start { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case 0x5A, 0x7A:
            index += 1
        case 0x2B, 0x2D:
            guard let hours = number(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == 0x3A,
                let minutes = number(index + 4, 2)
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == 0x2D ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = min(second, 59)
        components.timeZone = TimeZone(secondsFromGMT: 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }
}
