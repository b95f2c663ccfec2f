import Articles

/// Lines that news sites and syndication partners add around a story: copyright notices, newsletter and social
/// plugs, "read more" links, agency credits. A copy that adds only such lines is a copy, not an update.
///
/// A phrase list, because the signal is lexical and the phrases are few and stable across sites (the same cues
/// boilerplate removers such as jusText and news-please rely on); it applies only to short paragraphs, so a real
/// paragraph that happens to mention a newsletter is still news.
enum Boilerplate {
    /// Phrases, normalized as `TextNormalizer.normalizedForHash` leaves them (lower case, straight quotes).
    static let cues: [String] = [
        "all rights reserved", "copyright", "(c) ", "©", "sign up", "newsletter", "subscribe", "follow us",
        "for the latest", "read more", "related:", "see also:", "originally appeared", "originally published",
        "published by arrangement", "republished with permission", "additional reporting", "editing by",
        "reporting by", "writing by", "more to come", "click here", "share this", "share on", "in your inbox", "download our app", "advertisement",
    ]

    /// Longest paragraph, in words, still judged by its cues.
    static let maximumWords = 20

    static let cueBytes: [[UInt8]] = Self.cues.map { Array($0.utf8) }

    /// Compares UTF-8 bytes: Foundation's `String.contains` went through CFString's search, and with many
    /// candidates to verify (syndicated composites share paragraphs) it was most of the pipeline thread's time.
    /// The text is NFKC-folded, so a cue's bytes match where its characters do.
    static func matches(_ normalized: String, words: Int) -> Bool {
        guard words <= Self.maximumWords, !normalized.isEmpty else { return false }
        var normalized = normalized
        return normalized.withUTF8 { text in Self.cueBytes.contains { ByteSearch.firstIndex(of: $0, in: text) != nil } }
    }
}
