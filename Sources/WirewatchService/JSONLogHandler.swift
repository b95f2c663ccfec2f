import Foundation
import Logging
import Synchronization

/// One JSON object per line on stderr, which journald stores and `journalctl -o cat` shows as is.
///
/// swift-log ships only a text handler; this one keeps the fixed message and the dotted metadata keys as fields,
/// so logs can be filtered by key.
public struct JSONLogHandler: LogHandler {
    /// Shared by every handler, so SIGHUP can change it for the whole process.
    public var logLevel: Logger.Level {
        get { LiveLogLevel.current }
        set { LiveLogLevel.current = newValue }
    }
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "time": Date().formatted(.iso8601.time(includingFractionalSeconds: true)),
            "level": event.level.rawValue,
            "label": self.label,
            "message": "\(event.message)",
        ]
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged { fields[key] = Self.plain(value) }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): array.map(Self.plain)
        case .dictionary(let dictionary): dictionary.mapValues(Self.plain)
        }
    }
}

/// The process's log level, changeable at run time (SIGHUP reloads `log.level`).
public enum LiveLogLevel {
    private static let storage = Atomic<UInt8>(2)

    public static var current: Logger.Level {
        get { Logger.Level.allCases[Int(Self.storage.load(ordering: .relaxed))] }
        set { Self.storage.store(UInt8(Logger.Level.allCases.firstIndex(of: newValue) ?? 2), ordering: .relaxed) }
    }
}

/// swift-log's text handler, with the live level.
struct TextLogHandler: LogHandler {
    var inner: StreamLogHandler

    var logLevel: Logger.Level {
        get { LiveLogLevel.current }
        set { LiveLogLevel.current = newValue }
    }

    var metadata: Logger.Metadata {
        get { self.inner.metadata }
        set { self.inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { self.inner.metadataProvider }
        set { self.inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.inner[metadataKey: key] }
        set { self.inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= self.logLevel else { return }
        self.inner.log(event: event)
    }
}
