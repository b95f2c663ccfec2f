import Foundation
import Testing

@testable import Articles

/// The byte-level fast path of `normalizedForHash` must give exactly what the general path gives.
struct NormalizerTests {
    static let crafted = [
        "Plain ASCII, with  TABS\tand\nbreaks.",
        "ÉLAN Ü ÀÉÎÕÜ Þorn × ÷ ß ÿ — “Smart” ‘quotes’ «guillemets» – dashes ‐ here",
        "Price: £1,200 or €1.300\u{00A0}today\u{0085}next\u{00AD}word zero\u{200B}width\u{200C}\u{200D}",
        "`back` ticks and ´acute´ and ‚low‛ „low“ ‟reversed”",
        "Compatibility: ½ ² ª º µ ¨ ¯ ¸ ¹ ¼ ¾ must take the general path",
        "Ellipsis… and prime ′ double ″ and minus − and non-breaking hyphen ‑",
        "Ligature ﬁ and fullwidth Ａ and Greek Σίσυφος and Cyrillic Москва",
        "  leading and trailing  \u{00A0} ",
        "\u{00C0}\u{00DE}\u{00D7}\u{00DF}\u{00E0}\u{00FE}\u{00FF}\u{0080}\u{009F}",
        "",
    ]

    @Test("hand-picked texts: the fast path agrees with the general one, or declines")
    func crafted() {
        for text in Self.crafted {
            if let fast = TextNormalizer.normalizedCommon(text) {
                #expect(fast == TextNormalizer.normalizedGeneral(text), "\(text.debugDescription)")
            }
        }
        #expect(TextNormalizer.normalizedCommon(Self.crafted[4]) == nil)
        #expect(TextNormalizer.normalizedCommon(Self.crafted[5]) == nil)
        #expect(TextNormalizer.normalizedCommon(Self.crafted[1]) != nil)
        #expect(TextNormalizer.normalizedCommon(Self.crafted[2]) == "price: £1,200 or €1.300 today nextword zerowidth")
    }

    @Test("every paragraph of the BBC corpus: same result, and most take the fast path")
    func corpus() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/bbc-news.jsonl")
        let data = try #require(FileManager.default.contents(atPath: url.path), "../shared/data must sit beside the repository")
        var paragraphs = 0
        var fastOnes = 0
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let text = try #require(object["text"] as? String)
            for paragraph in TextNormalizer.paragraphs(text) {
                paragraphs += 1
                guard let fast = TextNormalizer.normalizedCommon(paragraph.text) else { continue }
                fastOnes += 1
                #expect(fast == TextNormalizer.normalizedGeneral(paragraph.text))
            }
        }
        #expect(paragraphs > 10_000)
        #expect(Double(fastOnes) / Double(paragraphs) > 0.99, "\(fastOnes) of \(paragraphs) on the fast path")
    }
}

@Test("a byte string is found where it first starts, after a false start; absent or too long, it is not")
func byteSearch() {
    func find(_ needle: String, in text: String) -> Int? {
        Array(text.utf8).withUnsafeBufferPointer { ByteSearch.firstIndex(of: Array(needle.utf8), in: $0) }
    }
    #expect(find("read more", in: "read more: x") == 0)
    #expect(find("read more", in: "rea read more") == 4)
    #expect(find("more", in: "read more") == 5)
    #expect(find("©", in: "text © 2024") == 5)
    #expect(find("sign up", in: "sign u") == nil)
    #expect(find("follow us", in: "follow a us") == nil)
    #expect(find("", in: "anything") == 0)
}
