import Foundation

/// The form of a URL that copies of one page share: `//host/path?sorted-query`.
public enum CanonicalURL {
    /// Query parameters that track the reader, not the page.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src", "cmpid", "ocid", "_ga",
        "yclid", "spm", "share", "smid", "at_medium", "at_campaign", "cmp", "rss", "taid", "guccounter",
    ]

    /// Lower-cases scheme and host; drops the scheme, `www.`, default ports, fragments, trailing slash and tracking
    /// parameters; sorts the remaining query. `nil` for anything but an absolute http(s) URL.
    public static func canonicalize(_ raw: String) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        if host.hasSuffix(".") { host.removeLast() }
        var result = "//" + host
        if let port = components.port, !(port == 80 || port == 443) { result += ":\(port)" }
        var path = components.percentEncodedPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if path == "/" { path = "" }
        result += path
        let kept = (components.percentEncodedQueryItems ?? []).filter { item in
            let name = item.name.lowercased()
            return !name.hasPrefix("utm_") && !Self.trackingParameters.contains(name)
        }
        if !kept.isEmpty {
            let sorted = kept.sorted { ($0.name, $0.value ?? "") < ($1.name, $1.value ?? "") }
            result += "?" + sorted.map { item in item.value.map { "\(item.name)=\($0)" } ?? item.name }
                .joined(separator: "&")
        }
        return result
    }
}
