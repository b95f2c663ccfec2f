import Articles
import Foundation

/// Formats envelopes for `tail` and `inspect`.
struct EnvelopePrinter {
    let format: Tail.Format
    let color: Bool
    let topics: [String]
    let conditions: [(path: String, value: String)]

    /// Prints an envelope if its topic and fields match. Returns whether it was printed.
    mutating func print(topic: String, envelope: [UInt8]) -> Bool {
        guard self.topics.contains(where: { topic.hasPrefix($0) }) else { return false }
        guard case .object(var object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(envelope)) else {
            return false
        }
        for condition in self.conditions {
            guard let value = Self.lookup(.object(object), condition.path), Self.text(value) == condition.value else {
                return false
            }
        }
        switch self.format {
        case .json:
            object["topic"] = .string(topic)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            Self.write(String(decoding: (try? encoder.encode(JSONValue.object(object))) ?? Data(), as: UTF8.self))
        case .compact:
            Self.write(self.compact(topic: topic, object))
        case .pretty:
            Self.write(self.pretty(topic: topic, object))
        }
        return true
    }

    /// Unbuffered, so a pipe reader sees each envelope as it arrives.
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func compact(topic: String, _ object: [String: JSONValue]) -> String {
        let seq = Self.text(object["seq"] ?? .null)
        switch topic {
        case "error":
            return "\(seq)\terror\t\(Self.text(object["code"] ?? .null))\t\(Self.text(object["reason"] ?? .null))"
        case "heartbeat":
            return "\(seq)\theartbeat\t\(Self.text(object["time"] ?? .null))"
        default:
            let id = Self.text(object["id"] ?? .null)
            let status = Self.text(Self.lookup(.object(object), "dedup.status") ?? .null)
            let title = Self.text(Self.lookup(.object(object), "article.title") ?? .null)
            return "\(seq)\t\(topic)\t\(status)\t\(id)\t\(title)"
        }
    }

    func pretty(topic: String, _ object: [String: JSONValue]) -> String {
        let value = { (path: String) in Self.text(Self.lookup(.object(object), path) ?? .null) }
        let bold = self.color ? "\u{1B}[1m" : ""
        let dim = self.color ? "\u{1B}[2m" : ""
        let reset = self.color ? "\u{1B}[0m" : ""
        let tint: String
        switch topic {
        case "error": tint = self.color ? "\u{1B}[31m" : ""
        case "duplicate": tint = self.color ? "\u{1B}[33m" : ""
        case "heartbeat": tint = dim
        default: tint = self.color ? "\u{1B}[32m" : ""
        }
        var lines = ["\(tint)#\(value("seq")) \(topic)\(reset)  \(dim)\(value("received_at"))\(reset)"]
        switch topic {
        case "error":
            lines.append("  \(bold)\(value("code"))\(reset): \(value("reason"))")
            lines.append("  \(dim)payload sha256 \(value("payload_sha256")) (\(value("payload_bytes")) bytes) on \(value("endpoint")), dead letter \(value("dead_letter_id"))\(reset)")
        case "heartbeat":
            lines.append("  \(dim)uptime \(value("uptime_seconds")) s\(reset)")
        default:
            lines.append("  \(bold)\(value("article.title"))\(reset)")
            lines.append("  \(value("id"))  \(value("article.source"))  \(value("article.url"))")
            var dedup = "  dedup: \(value("dedup.status"))"
            if let of = Self.lookup(.object(object), "dedup.of"), of != .null { dedup += " of \(Self.text(of))" }
            dedup += "  cluster \(value("dedup.cluster"))"
            lines.append(dedup)
            if Self.lookup(.object(object), "analysis") != nil && Self.lookup(.object(object), "analysis") != .null {
                lines.append(
                    "  language \(value("analysis.language.code")) (\(value("analysis.language.confidence")))  "
                        + "\(value("analysis.text.words")) words, \(value("analysis.text.sentences")) sentences, "
                        + "\(value("analysis.text.paragraphs")) paragraphs, "
                        + "\(value("analysis.text.repeated_paragraphs_removed")) repeated removed"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The value at a dotted path (`analysis.language.code`).
    static func lookup(_ value: JSONValue, _ path: String) -> JSONValue? {
        var current = value
        for component in path.split(separator: ".") {
            switch current {
            case .object(let object):
                guard let next = object[String(component)] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(component), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A scalar as plain text (integers without ".0").
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "-"
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number):
            if number == number.rounded() && abs(number) < 1e15 { return String(Int64(number)) }
            return String(format: "%.3g", number)
        case .string(let string): return string
        case .array, .object:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
        }
    }
}
