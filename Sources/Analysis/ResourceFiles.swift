import Foundation

/// Finds the analysis resources (model weights, gazetteer, lexicons) at run time.
///
/// Not `Bundle.module`: on Linux it stops the process when the bundle is missing, and an installed binary has
/// its resources in /usr/local/share/wirewatch, not beside it. Looked up in order:
/// `WIREWATCH_RESOURCES`, the SwiftPM bundle beside the running executable (build tree and tests),
/// `../share/wirewatch/resources` relative to it (installed), and the source tree this file was built from.
public enum ResourceFiles {
    public static let directory: URL? = {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["WIREWATCH_RESOURCES"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let folder = executable.deletingLastPathComponent()
        candidates.append(folder.appendingPathComponent("wirewatch_Analysis.resources/Resources"))
        candidates.append(folder.appendingPathComponent("wirewatch_Analysis.resources"))
        candidates.append(folder.deletingLastPathComponent().appendingPathComponent("share/wirewatch/resources"))
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources"))
        return candidates.first { url in
            FileManager.default.fileExists(atPath: url.appendingPathComponent("README.md").path)
        }
    }()

    /// The URL of a resource file, or nil when no resource directory holds it.
    public static func url(_ name: String) -> URL? {
        guard let url = Self.directory?.appendingPathComponent(name),
            FileManager.default.fileExists(atPath: url.path)
        else { return nil }
        return url
    }

    /// A resource's bytes; the error names the file and every place looked in.
    public static func data(_ name: String) throws -> Data {
        guard let url = Self.url(name) else { throw ResourceError.missing(name) }
        return try Data(contentsOf: url)
    }

    /// A UTF-8 text resource split into lines, skipping blank lines and `#` comments.
    public static func lines(_ name: String) throws -> [Substring] {
        let text = String(decoding: try Self.data(name), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }
    }
}

public enum ResourceError: Error, CustomStringConvertible {
    case missing(String)
    case malformed(String, String)

    public var description: String {
        switch self {
        case .missing(let name):
            "analysis resource \(name) not found (set WIREWATCH_RESOURCES to the directory holding it, or reinstall)"
        case .malformed(let name, let reason): "analysis resource \(name) is malformed: \(reason)"
        }
    }
}
