import Articles
import Foundation
import Testing

private func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

/// (name, payload, expected error code)
private let hostileCases: [(String, [UInt8], String)] = [
        ("empty", [], "empty_payload"),
        ("whitespace", bytes("  \n "), "empty_payload"),
        ("malformed", bytes("{\"text\": \"x\""), "malformed_json"),
        ("trailing garbage", bytes("{\"text\": \"x\"} trailing"), "malformed_json"),
        ("invalid UTF-8", [0x7B, 0x22, 0x74, 0x22, 0x3A, 0xFF, 0x7D], "invalid_utf8"),
        ("overlong UTF-8", bytes("{\"text\":\"") + [0xC0, 0xAF] + bytes("\"}"), "invalid_utf8"),
        ("no body", bytes("{\"title\":\"t\"}"), "missing_body"),
        ("blank body", bytes("{\"text\":\"  \\n\\t \"}"), "missing_body"),
        ("null body", bytes("{\"text\":null,\"html\":null}"), "missing_body"),
        ("title is a number", bytes("{\"text\":\"x\",\"title\":5}"), "wrong_type"),
        ("text is an object", bytes("{\"text\":{}}"), "wrong_type"),
        ("authors is a string", bytes("{\"text\":\"x\",\"authors\":\"me\"}"), "wrong_type"),
        ("author is a number", bytes("{\"text\":\"x\",\"authors\":[1]}"), "wrong_type"),
        ("meta is an array", bytes("{\"text\":\"x\",\"meta\":[]}"), "wrong_type"),
        ("top-level array", bytes("[{\"text\":\"x\"}]"), "not_an_object"),
        ("top-level string", bytes("\"text\""), "not_an_object"),
        ("top-level number", bytes("42"), "not_an_object"),
        ("deep arrays", bytes("{\"text\":\"x\",\"meta\":{\"a\":" + String(repeating: "[", count: 10_000)
            + String(repeating: "]", count: 10_000) + "}}"), "too_deep"),
        ("deep objects", bytes(String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)), "too_deep"),
        ("unbalanced deep", bytes(String(repeating: "[", count: 100_000)), "too_deep"),
        ("NUL bytes", bytes("{\"text\":\"a\u{0}b\"}"), "binary_payload"),
        ("bad date", bytes("{\"text\":\"x\",\"published_at\":\"yesterday\"}"), "invalid_date"),
        ("too many authors", bytes("{\"text\":\"x\",\"authors\":[" + Array(repeating: "\"a\"", count: 101).joined(separator: ",") + "]}"), "too_many_authors"),
        ("long title", bytes("{\"text\":\"x\",\"title\":\"" + String(repeating: "t", count: 9000) + "\"}"), "field_too_long"),
        ("huge number", bytes("{\"text\":\"x\",\"meta\":{\"n\":1e999}}"), "malformed_json"),
    ]

@Suite("Decoding untrusted payloads")
struct ArticleDecoderTests {

    @Test("hostile payloads are rejected with the right code and a reason", arguments: hostileCases.indices)
    func hostile(index: Int) {
        let (name, payload, code) = hostileCases[index]
        do {
            let article = try ArticleDecoder.decode(payload)
            Issue.record("\(name) was accepted: \(article)")
        } catch {
            #expect(error.code == code, "\(name): \(error.reason)")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("a 50 MB payload is refused before it is parsed")
    func oversize() {
        let payload = bytes("{\"text\":\"") + [UInt8](repeating: 0x61, count: 50_000_000) + bytes("\"}")
        #expect(throws: DecodeError(code: "too_large", reason: "payload is 50000011 bytes, limit is 8388608")) {
            try ArticleDecoder.decode(payload)
        }
    }

    @Test("edge cases that must not crash: lone surrogates, duplicate keys, random bytes")
    func noCrash() {
        _ = try? ArticleDecoder.decode(bytes("{\"text\":\"\\ud800 lone\"}"))
        _ = try? ArticleDecoder.decode(bytes("{\"text\":\"a\",\"text\":\"b\"}"))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let payload = (0..<Int.random(in: 0..<512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? ArticleDecoder.decode(payload)
        }
    }

    @Test("a good article keeps its fields and its text byte for byte")
    func goodArticle() throws {
        let text = "Kabul — کابل 喀布尔 🛰️\n\n“Quoted,” he said.  Double  spaces stay."
        let object: [String: Any] = [
            "id": "a-1", "url": "https://www.Example.org/x/?utm_source=feed&b=2&a=1#frag", "title": "T", "text": text,
            "source": "example.org", "published_at": "2023-09-14T08:30:00.250+02:00", "language": "en",
            "authors": ["A", "B"], "meta": ["k": [1, 2]],
        ]
        let article = try ArticleDecoder.decode([UInt8](try JSONSerialization.data(withJSONObject: object)))
        #expect(article.id == "a-1")
        #expect(article.text == text)
        #expect(Array(article.text.utf8) == Array(text.utf8))
        #expect(article.canonicalURL == "//example.org/x?a=1&b=2")
        #expect(article.publishedAt == Date(timeIntervalSince1970: 1_694_673_000.25))
        #expect(article.authors == ["A", "B"])
        #expect(article.meta == .object(["k": .array([.number(1), .number(2)])]))
        #expect(article.bodyWasHTML == false)
    }

    @Test("without an id, the id derives from the canonical URL, else the text")
    func derivedID() throws {
        let a = try ArticleDecoder.decode(bytes("{\"url\":\"https://example.org/a?utm_medium=x\",\"text\":\"one\"}"))
        let b = try ArticleDecoder.decode(bytes("{\"url\":\"http://www.example.org/a/\",\"text\":\"two\"}"))
        #expect(a.id == b.id)
        #expect(a.id.hasPrefix("sha256:") && a.id.count == 7 + 16)
        let c = try ArticleDecoder.decode(bytes("{\"text\":\"three\"}"))
        #expect(c.id != a.id && c.id.hasPrefix("sha256:"))
    }

    @Test("an html body becomes paragraphs of text without scripts, styles or navigation")
    func html() throws {
        let html = """
            <html><head><title>x</title><style>p{}</style><script>alert(1)</script></head><body>
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <div class="share-buttons">Share this</div>
            <article><h1>Headline</h1><p>First   paragraph &amp; more,
            across lines.</p><p>Second <b>bold</b> paragraph.</p><ul><li>item one</li><li>item two</li></ul></article>
            <footer>© 2024</footer></body></html>
            """
        let article = try ArticleDecoder.decode(
            [UInt8](try JSONSerialization.data(withJSONObject: ["html": html]))
        )
        #expect(article.bodyWasHTML)
        #expect(article.text == "Headline\n\nFirst paragraph & more, across lines.\n\nSecond bold paragraph.\n\nitem one\n\nitem two")
    }

    @Test("hostile HTML — deep nesting, broken tags, only scripts — never crashes")
    func hostileHTML() {
        let deep = String(repeating: "<div>", count: 20_000) + "deep text" + String(repeating: "</div>", count: 20_000)
        #expect(HTMLText.extract(deep).contains("deep text") || HTMLText.extract(deep).isEmpty)
        #expect(HTMLText.extract("<p>unclosed <b>bold <i>italic").contains("unclosed bold italic"))
        #expect(HTMLText.extract("<script>only()</script>").isEmpty)
        #expect(throws: DecodeError.self) {
            try ArticleDecoder.decode(Array("{\"html\":\"<script>x()</script>\"}".utf8))
        }
    }
}

@Suite("Canonical URLs and text normalization")
struct NormalizationTests {
    @Test("copies of one page share a canonical URL", arguments: [
        ("https://www.example.org/news/story/", "//example.org/news/story"),
        ("HTTP://Example.ORG:80/news/story?utm_source=x&utm_campaign=y", "//example.org/news/story"),
        ("https://example.org/news/story#comments", "//example.org/news/story"),
        ("https://example.org/a?b=2&a=1&fbclid=zzz", "//example.org/a?a=1&b=2"),
        ("https://example.org:8443/", "//example.org:8443"),
        ("https://example.org", "//example.org"),
    ])
    func canonical(raw: String, expected: String) {
        #expect(CanonicalURL.canonicalize(raw) == expected)
    }

    @Test("non-URLs have no canonical form", arguments: ["not a url", "ftp://example.org/x", "/relative/path", ""])
    func notURLs(raw: String) {
        #expect(CanonicalURL.canonicalize(raw) == nil)
    }

    @Test("normalization erases case, whitespace, quote styles, dashes, entities and composition")
    func normalization() {
        let a = TextNormalizer.normalizedForHash("The “Taliban’s” reply —\n\n  &quot;no&quot;&nbsp;  Cafe\u{301}")
        let b = TextNormalizer.normalizedForHash("the \"taliban's\" reply - \"NO\" café")
        #expect(a == b)
        #expect(TextNormalizer.normalizedForHash("  a \t b  ") == "a b")
    }

    @Test("paragraph offsets count Unicode scalars into the original text")
    func paragraphOffsets() {
        let text = "  🛰️ First line.\r\n\n Second — line  \nThird"
        let paragraphs = TextNormalizer.paragraphs(text)
        #expect(paragraphs.map(\.text) == ["🛰️ First line.", "Second — line", "Third"])
        let scalars = Array(text.unicodeScalars)
        for paragraph in paragraphs {
            let slice = String(String.UnicodeScalarView(scalars[paragraph.start..<paragraph.end]))
            #expect(slice == paragraph.text)
        }
    }

    @Test("repeated paragraphs are removed even with other whitespace or quotes; the sample has 9")
    func repeatedParagraphs() throws {
        let text = "One “a”.\nTwo.\n one \"a\". \nThree.\nTwo."
        let result = TextNormalizer.removeRepeatedParagraphs(TextNormalizer.paragraphs(text))
        #expect(result.kept.map(\.text) == ["One “a”.", "Two.", "Three."])
        #expect(result.removed == 2)
        // One copy normalized byte by byte, the other (its "²" is rewritten by NFKC) the general way: still a repeat.
        #expect(TextNormalizer.removeRepeatedParagraphs(TextNormalizer.paragraphs("Area 5 km2.\nArea 5 KM².\nArea 5 km3.")).removed == 1)

        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        url.appendPathComponent("shared/samples/seed-article.json")
        let data = try #require(FileManager.default.contents(atPath: url.path), "../shared/samples is missing")
        let article = try ArticleDecoder.decode([UInt8](data))
        #expect(TextNormalizer.removeRepeatedParagraphs(TextNormalizer.paragraphs(article.text)).removed == 9)
    }

    @Test("plain-text files: first line is the title")
    func plainText() {
        let input = PlainTextArticle.parse("\n\nHeadline here\n\nBody line one.\nBody line two.\n", fileName: "a.txt")
        #expect(input.title == "Headline here")
        #expect(input.text == "Body line one.\nBody line two.\n")
    }

    @Test("payload hashes are SHA-256 in lowercase hex")
    func hash() {
        #expect(PayloadHash.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
