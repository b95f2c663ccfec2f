import Foundation
import Synchronization

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
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ResourceError.unreadable(name, error.localizedDescription)
        }
    }

    /// Runs a resource's loader; when it fails, records why and returns the fallback. Every resource has a fallback
    /// (an empty table, no model) so that one bad file costs the fields it feeds, not the daemon; recording is what
    /// keeps that from going unnoticed: `Analyzer.warmUp` hands the list to the daemon's log and the CLI's stderr.
    /// `name` is the file a failure is blamed on when the error does not name one itself.
    public static func loading<T>(_ name: String, or fallback: @autoclosure () -> T, _ load: () throws -> T) -> T {
        do {
            return try load()
        } catch {
            Self.record(error, name)
            return fallback()
        }
    }

    static func record(_ error: any Error, _ name: String) {
        let problem = error as? ResourceError ?? .malformed(name, "\(error)")
        Self.recorded.withLock { problems in
            // Two loaders may read the same file; its problem is reported once.
            if !problems.contains(where: { $0.description == problem.description }) { problems.append(problem) }
        }
    }

    private static let recorded = Mutex<[ResourceError]>([])

    /// Every resource that failed to load so far, in the order met.
    public static var problems: [ResourceError] { Self.recorded.withLock { $0 } }

    /// A UTF-8 text resource split into lines, skipping blank lines and `#` comments.
    public static func lines(_ name: String) throws -> [Substring] {
        let text = String(decoding: try Self.data(name), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }
    }
}

public enum ResourceError: Error, CustomStringConvertible {
    case missing(String)
    case unreadable(String, String)
    case malformed(String, String)

    /// The file's name.
    public var resource: String {
        switch self {
        case .missing(let name), .unreadable(let name, _), .malformed(let name, _): name
        }
    }

    public var description: String {
        switch self {
        case .missing(let name):
            "analysis resource \(name) not found (set WIREWATCH_RESOURCES to the directory holding it, or reinstall)"
        case .unreadable(let name, let reason): "analysis resource \(name) could not be read: \(reason)"
        case .malformed(let name, let reason): "analysis resource \(name) is malformed: \(reason)"
        }
    }
}
