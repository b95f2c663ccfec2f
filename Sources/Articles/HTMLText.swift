import CLibXML2

/// Plain text from HTML with libxml2's HTML parser (Debian's libxml2, the parser under FoundationXML).
public enum HTMLText {
    /// Elements whose content is never article text.
    static let skipped: Set<String> = [
        "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "iframe", "svg",
        "button", "select", "head", "menu", "object", "canvas",
    ]
    /// Elements that end a paragraph.
    static let blocks: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "article", "section", "br", "tr", "pre",
        "ul", "ol", "table", "figcaption", "dd", "dt", "main", "body", "hr", "td", "th",
    ]
    /// Class and id words that mark site chrome rather than article text.
    static let chromeWords = ["nav", "menu", "breadcrumb", "cookie", "share", "social", "subscribe", "newsletter",
                              "related", "sidebar", "footer", "header", "advert", "promo"]

    /// libxml2 must be initialized once, before threads use it concurrently.
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Deepest element tree walked; libxml2 itself caps depth at 256 without XML_PARSE_HUGE.
    static let maxDepth = 512

    /// Paragraphs separated by a blank line, whitespace inside each collapsed to single spaces.
    public static func extract(_ html: String) -> String {
        _ = Self.initialized
        let bytes = Array(html.utf8)
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                htmlReadMemory(chars.baseAddress, Int32(clamping: chars.count), nil, "UTF-8", options)
            }
        }
        guard let document else { return "" }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return "" }
        var paragraphs: [String] = []
        var current = ""
        func endParagraph() {
            let collapsed = Self.collapse(current)
            if !collapsed.isEmpty { paragraphs.append(collapsed) }
            current = ""
        }
        // Iterative walk with an explicit stack: hostile nesting cannot exhaust the thread's stack.
        var stack: [(node: xmlNodePtr, depth: Int, leaving: Bool)] = [(root, 0, false)]
        while let (node, depth, leaving) = stack.popLast() {
            if leaving {
                endParagraph()
                continue
            }
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content { current += String(cString: content) }
            case XML_ELEMENT_NODE:
                let name = node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                if Self.skipped.contains(name) || Self.isChrome(node) || depth > Self.maxDepth { continue }
                let isBlock = Self.blocks.contains(name)
                if isBlock {
                    endParagraph()
                    stack.append((node, depth, true))
                }
                var children: [xmlNodePtr] = []
                var child = node.pointee.children
                while let next = child {
                    children.append(next)
                    child = next.pointee.next
                }
                for child in children.reversed() { stack.append((child, depth + 1, false)) }
            default:
                continue
            }
        }
        endParagraph()
        return paragraphs.joined(separator: "\n\n")
    }

    static func isChrome(_ node: xmlNodePtr) -> Bool {
        for attribute in ["role", "class", "id"] {
            guard let value = xmlGetProp(node, attribute) else { continue }
            defer { wirewatch_xml_free(value) }
            let text = String(cString: value).lowercased()
            if attribute == "role" {
                if text == "navigation" || text == "banner" || text == "contentinfo" || text == "complementary" {
                    return true
                }
                continue
            }
            let words = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "_" })
            if words.contains(where: { word in Self.chromeWords.contains(String(word)) }) { return true }
        }
        return false
    }

    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
