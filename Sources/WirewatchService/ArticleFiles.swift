import Articles
import Foundation

/// Reads article files as `wirewatch send` and `wirewatch analyze` accept them: one JSON article, JSON Lines
/// (one article per line), or plain text whose first line is the title.
public enum ArticleFiles {
    /// One article payload and where it came from, for messages like `feed.jsonl:12`.
    public struct Item: Sendable {
        public let location: String
        public let payload: [UInt8]
    }

    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `path` ("-" is standard input).
    public static func read(_ path: String) throws -> [Item] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ReadError(description: "\(path): cannot read file")
            }
            data = contents
        }
        return self.split([UInt8](data), name: path == "-" ? "stdin" : path)
    }

    /// Splits file contents into article payloads.
    static func split(_ bytes: [UInt8], name: String) -> [Item] {
        let firstByte = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        guard firstByte == UInt8(ascii: "{") else {
            // Plain text: the article is built here, so it is valid JSON by construction.
            let input = PlainTextArticle.parse(String(decoding: bytes, as: UTF8.self), fileName: name)
            let payload = (try? JSONEncoder().encode(input)).map { [UInt8]($0) } ?? []
            return [Item(location: name, payload: payload)]
        }
        // A single pretty-printed object spans lines; JSON Lines holds one object per line.
        if (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any] {
            return [Item(location: name, payload: bytes)]
        }
        var items: [Item] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Array(line)
            if line.last == 0x0D { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            items.append(Item(location: "\(name):\(lineNumber)", payload: line))
        }
        return items
    }
}
