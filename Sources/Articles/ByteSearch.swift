/// Where a byte string first occurs in another: for matching known ASCII or UTF-8 markers in text already held as
/// bytes (boilerplate cues in a normalized paragraph, a field's key in an envelope). A plain scan: the texts
/// searched are short or the marker is met early, and Swift's Glibc module does not export memmem.
public enum ByteSearch {
    /// The offset in `text` where `needle` first starts, or nil. An empty needle is found at 0.
    public static func firstIndex(of needle: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = needle.first else { return 0 }
        guard needle.count <= text.count else { return nil }
        for start in 0...(text.count - needle.count) where text[start] == first {
            var matched = 1
            while matched < needle.count && text[start + matched] == needle[matched] { matched += 1 }
            if matched == needle.count { return start }
        }
        return nil
    }
}
