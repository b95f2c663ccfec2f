import Configuration
import Dedup
import Foundation
import Storage
import SystemPackage
import Yams

/// Everything `wirewatchd` reads from `/etc/wirewatch/wirewatch.yaml`, `WIREWATCH_*` environment variables and
/// command-line flags, highest priority first: flags, environment, file, defaults.
///
/// Keys (type, default):
/// - `ingest.pull` ([string], `["tcp://127.0.0.1:5555"]`): PULL endpoints to bind; scrapers PUSH here.
/// - `ingest.subscribe` ([string], `[]`): scrapers' PUB endpoints to connect to (lossy by ZeroMQ's design).
/// - `ingest.topics` ([string], `[""]`): SUB topic prefixes.
/// - `ingest.acked` (string, `"tcp://127.0.0.1:5558"`): ROUTER endpoint that acks after a durable write; "" disables.
/// - `ingest.max_payload_bytes` (int, 8388608), `ingest.max_depth` (int, 32): input limits.
/// - `ingest.max_message_bytes` (int, 67108864): larger messages make libzmq drop the connection.
/// - `ingest.high_water_mark` (int, 10000): messages queued per socket.
/// - `ingest.receive_buffer_bytes` (int, 0 = the kernel's, which grows to `net.ipv4.tcp_rmem`'s maximum): each ingest
///   connection's kernel receive buffer, what a sender can still put in flight once the queues are full.
/// - `ingest.max_backlog` (int, 100000): accepted but unprocessed articles before ingest stops reading.
/// - `publish` (string, `"tcp://127.0.0.1:5556"`), `replay` (string, `"tcp://127.0.0.1:5557"`).
/// - `http` (string, `"127.0.0.1:9464"`): `/metrics`, `/health`, `/ready`; "" disables.
/// - `heartbeat_seconds` (double, 2).
/// - `store.path` (string, `"/var/lib/wirewatch/state.db"`), `store.retention_articles` (int, 1000000),
///   `store.retention_days` (double, 30).
/// - `store.postgres` (string, `""`): a `postgres://user:password@host:port/database` URL; when set, the dedup
///   memory is shared through that database with every daemon configured with it.
/// - `pipeline.workers` (int, 0 = one per core): analysis threads; `pipeline.batch` (int, 256): inbox rows read per turn
///   and the most articles decided but not yet journaled; `pipeline.shutdown_seconds` (double, 30).
/// - `dedup.window_days` (double, 30), `dedup.max_articles` (int, 1000000): the dedup memory's window.
/// - `dedup.jaccard` (0.6), `dedup.containment` (0.8), `dedup.update_share` (0.15),
///   `dedup.update_paragraph_words` (9), `dedup.min_shingles` (20): thresholds, reloaded on SIGHUP.
/// - `dedup.shingle_size` (int, 5), `dedup.bands` (int, 6): the index's shape; restart only.
/// - `log.level` (string, `"info"`), `log.format` (string, `"json"`: json | text).
public struct WirewatchConfig: Sendable, Equatable, Codable {
    public struct Ingest: Sendable, Equatable, Codable {
        public var pull = ["tcp://127.0.0.1:5555"]
        public var subscribe: [String] = []
        public var topics = [""]
        public var acked = "tcp://127.0.0.1:5558"
        public var maxPayloadBytes = 8 << 20
        public var maxDepth = 32
        public var maxMessageBytes = 64 << 20
        public var highWaterMark = 10_000
        /// 0: the kernel's default and autotuning.
        public var receiveBufferBytes = 0
        public var maxBacklog = 100_000
    }

    public struct Store: Sendable, Equatable, Codable {
        public var path = "/var/lib/wirewatch/state.db"
        public var retentionArticles = 1_000_000
        public var retentionDays = 30.0
        /// Empty: the dedup memory is this daemon's alone.
        public var postgres = ""
    }

    public struct Pipeline: Sendable, Equatable, Codable {
        public var workers = 0
        public var batch = 256
        public var shutdownSeconds = 30.0
    }

    /// Dedup memory and thresholds; the thresholds reload on SIGHUP.
    public struct Dedup: Sendable, Equatable, Codable {
        public var windowDays = 30.0
        public var maxArticles = 1_000_000
        public var shingleSize = 5
        public var jaccard = 0.6
        public var containment = 0.8
        public var updateShare = 0.15
        public var updateParagraphWords = 9
        public var minShingles = 20
        public var bands = 6

        public var settings: NearDedupSettings {
            var settings = NearDedupSettings()
            settings.shingleSize = self.shingleSize
            settings.jaccard = self.jaccard
            settings.containment = self.containment
            settings.updateShare = self.updateShare
            settings.updateParagraphWords = self.updateParagraphWords
            settings.minimumShingles = self.minShingles
            settings.bands = self.bands
            return settings
        }
    }

    /// CURVE on every socket the daemon binds, with a ZAP allow-list of client public keys.
    public struct Security: Sendable, Equatable, Codable {
        /// The daemon's secret key (Z85, as `wirewatch keygen` writes it); empty: no encryption.
        public var secretKeyFile = ""
        /// Client public keys admitted, one Z85 key per line (`#` comments); required with a secret key.
        public var allowedClientsFile = ""

        public var isEnabled: Bool { !self.secretKeyFile.isEmpty }
    }

    public struct Log: Sendable, Equatable, Codable {
        public var level = "info"
        public var format = "json"
    }

    public var ingest = Ingest()
    public var publish = "tcp://127.0.0.1:5556"
    /// Envelopes queued for each subscriber before PUB drops for that subscriber alone: bounds what a stalled
    /// subscriber can make the daemon hold (about 10 KB each).
    public var publishHighWaterMark = 10_000
    public var replay = "tcp://127.0.0.1:5557"
    public var http = "127.0.0.1:9464"
    public var heartbeatSeconds = 2.0
    public var store = Store()
    public var pipeline = Pipeline()
    public var dedup = Dedup()
    public var log = Log()
    public var security = Security()

    public init() {}

    public static let defaultPath = "/etc/wirewatch/wirewatch.yaml"

    /// Every key the file may hold, for rejecting typos that would otherwise be silently ignored.
    static let knownKeys: Set<String> = [
        "ingest", "ingest.pull", "ingest.subscribe", "ingest.topics", "ingest.acked", "ingest.max_payload_bytes",
        "ingest.max_depth", "ingest.max_message_bytes", "ingest.high_water_mark", "ingest.receive_buffer_bytes",
        "ingest.max_backlog", "publish", "publish_high_water_mark",
        "replay", "http", "heartbeat_seconds", "store", "store.path", "store.retention_articles",
        "store.retention_days", "store.postgres", "pipeline", "pipeline.workers", "pipeline.batch", "pipeline.shutdown_seconds", "log",
        "dedup", "dedup.window_days", "dedup.max_articles", "dedup.shingle_size", "dedup.jaccard", "dedup.containment",
        "dedup.update_share", "dedup.update_paragraph_words", "dedup.min_shingles", "dedup.bands",
        "log.level", "log.format", "security", "security.secret_key_file", "security.allowed_clients_file",
    ]

    /// Loads the configuration.
    /// - Parameters:
    ///   - file: the YAML file; `nil` uses only defaults, environment and overrides.
    ///   - environment: variables named `WIREWATCH_` + the key path upper-cased with `_` for `.`
    ///     (`WIREWATCH_STORE_PATH`); lists are comma-separated.
    ///   - overrides: values from command-line flags, by key path.
    /// - Throws: `ConfigError` naming the offending key.
    public static func load(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: ConfigContent] = [:]
    ) async throws -> WirewatchConfig {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "flags",
                values: Dictionary(
                    uniqueKeysWithValues: overrides.map { (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue($0.value, isSecret: false)) }
                )
            ),
            EnvironmentVariablesProvider(environmentVariables: environment.filter { $0.key.hasPrefix("WIREWATCH_") })
                .prefixKeys(with: "wirewatch"),
        ]
        if let file {
            try Self.checkFile(file)
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
        }
        let reader = ConfigReader(providers: providers)
        var config = WirewatchConfig()
        func read<T>(_ key: String, _ value: inout T, _ get: (ConfigKey) throws -> T?) throws {
            do {
                if let found = try get(ConfigKey(key)) { value = found }
            } catch {
                throw ConfigError(key: key, reason: "\(error)")
            }
        }
        func strings(_ key: String, _ value: inout [String]) throws {
            try read(key, &value) { key in
                // An empty YAML list reads as "missing" in some providers; keep the default then only if unset.
                try reader.stringArray(forKey: key) ?? reader.string(forKey: key).map { $0.isEmpty ? [] : [$0] }
            }
        }
        try strings("ingest.pull", &config.ingest.pull)
        try strings("ingest.subscribe", &config.ingest.subscribe)
        try strings("ingest.topics", &config.ingest.topics)
        try read("ingest.acked", &config.ingest.acked) { try Self.string(reader, $0) }
        try read("ingest.max_payload_bytes", &config.ingest.maxPayloadBytes) { try Self.int(reader, $0) }
        try read("ingest.max_depth", &config.ingest.maxDepth) { try Self.int(reader, $0) }
        try read("ingest.max_message_bytes", &config.ingest.maxMessageBytes) { try Self.int(reader, $0) }
        try read("ingest.high_water_mark", &config.ingest.highWaterMark) { try Self.int(reader, $0) }
        try read("ingest.receive_buffer_bytes", &config.ingest.receiveBufferBytes) { try Self.int(reader, $0) }
        try read("ingest.max_backlog", &config.ingest.maxBacklog) { try Self.int(reader, $0) }
        try read("publish", &config.publish) { try Self.string(reader, $0) }
        try read("publish_high_water_mark", &config.publishHighWaterMark) { try Self.int(reader, $0) }
        try read("replay", &config.replay) { try Self.string(reader, $0) }
        try read("http", &config.http) { try Self.string(reader, $0) }
        try read("heartbeat_seconds", &config.heartbeatSeconds) { try Self.double(reader, $0) }
        try read("store.path", &config.store.path) { try Self.string(reader, $0) }
        try read("store.retention_articles", &config.store.retentionArticles) { try Self.int(reader, $0) }
        try read("store.retention_days", &config.store.retentionDays) { try Self.double(reader, $0) }
        try read("store.postgres", &config.store.postgres) { try Self.string(reader, $0) }
        try read("pipeline.workers", &config.pipeline.workers) { try Self.int(reader, $0) }
        try read("pipeline.batch", &config.pipeline.batch) { try Self.int(reader, $0) }
        try read("pipeline.shutdown_seconds", &config.pipeline.shutdownSeconds) { try Self.double(reader, $0) }
        try read("dedup.window_days", &config.dedup.windowDays) { try Self.double(reader, $0) }
        try read("dedup.max_articles", &config.dedup.maxArticles) { try Self.int(reader, $0) }
        try read("dedup.shingle_size", &config.dedup.shingleSize) { try Self.int(reader, $0) }
        try read("dedup.jaccard", &config.dedup.jaccard) { try Self.double(reader, $0) }
        try read("dedup.containment", &config.dedup.containment) { try Self.double(reader, $0) }
        try read("dedup.update_share", &config.dedup.updateShare) { try Self.double(reader, $0) }
        try read("dedup.update_paragraph_words", &config.dedup.updateParagraphWords) { try Self.int(reader, $0) }
        try read("dedup.min_shingles", &config.dedup.minShingles) { try Self.int(reader, $0) }
        try read("dedup.bands", &config.dedup.bands) { try Self.int(reader, $0) }
        try read("log.level", &config.log.level) { try Self.string(reader, $0) }
        try read("log.format", &config.log.format) { try Self.string(reader, $0) }
        try read("security.secret_key_file", &config.security.secretKeyFile) { try Self.string(reader, $0) }
        try read("security.allowed_clients_file", &config.security.allowedClientsFile) { try Self.string(reader, $0) }
        try config.validate()
        return config
    }

    // The optional accessors of ConfigReader return nil on a type mismatch; reading through the required variant
    // when a value exists surfaces the mismatch as an error instead of silently using the default.
    private static func string(_ reader: ConfigReader, _ key: ConfigKey) throws -> String? {
        if let value = reader.string(forKey: key) { return value }
        return Self.exists(reader, key) ? try reader.requiredString(forKey: key) : nil
    }

    private static func int(_ reader: ConfigReader, _ key: ConfigKey) throws -> Int? {
        if let value = reader.int(forKey: key) { return value }
        return Self.exists(reader, key) ? try reader.requiredInt(forKey: key) : nil
    }

    private static func double(_ reader: ConfigReader, _ key: ConfigKey) throws -> Double? {
        if let value = reader.double(forKey: key) { return value }
        if let value = reader.int(forKey: key) { return Double(value) }
        return Self.exists(reader, key) ? try reader.requiredDouble(forKey: key) : nil
    }

    private static func exists(_ reader: ConfigReader, _ key: ConfigKey) -> Bool {
        reader.string(forKey: key) != nil || reader.int(forKey: key) != nil || reader.double(forKey: key) != nil
            || reader.bool(forKey: key) != nil || reader.stringArray(forKey: key) != nil
    }

    /// Rejects unknown keys and a file that is not a YAML mapping, naming the key.
    static func checkFile(_ path: String) throws {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw ConfigError(key: "--config", reason: "cannot read \(path)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: contents, as: UTF8.self))
        } catch {
            throw ConfigError(key: "--config", reason: "\(path) is not valid YAML: \(error)")
        }
        guard let node else { return }
        guard let mapping = node.mapping else {
            throw ConfigError(key: "--config", reason: "\(path) must hold a mapping of keys")
        }
        func walk(_ mapping: Node.Mapping, prefix: String) throws {
            for (keyNode, value) in mapping {
                let key = prefix + (keyNode.string ?? "?")
                guard Self.knownKeys.contains(key) else {
                    throw ConfigError(key: key, reason: "unknown key")
                }
                if let nested = value.mapping { try walk(nested, prefix: key + ".") }
            }
        }
        try walk(mapping, prefix: "")
    }

    /// Checks values that parse but cannot work.
    public func validate() throws {
        func endpoint(_ key: String, _ value: String, allowEmpty: Bool = false) throws {
            if value.isEmpty && allowEmpty { return }
            let schemes = ["tcp://", "ipc://", "inproc://"]
            guard schemes.contains(where: value.hasPrefix), value.count > 7 else {
                throw ConfigError(key: key, reason: "'\(value)' is not a ZeroMQ endpoint like tcp://127.0.0.1:5555")
            }
        }
        for value in self.ingest.pull { try endpoint("ingest.pull", value) }
        for value in self.ingest.subscribe { try endpoint("ingest.subscribe", value) }
        try endpoint("ingest.acked", self.ingest.acked, allowEmpty: true)
        try endpoint("publish", self.publish)
        try endpoint("replay", self.replay)
        if self.ingest.pull.isEmpty && self.ingest.subscribe.isEmpty && self.ingest.acked.isEmpty {
            throw ConfigError(key: "ingest", reason: "no ingest endpoint: set ingest.pull, ingest.subscribe or ingest.acked")
        }
        if !self.http.isEmpty {
            guard let colon = self.http.lastIndex(of: ":"), let port = Int(self.http[self.http.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                throw ConfigError(key: "http", reason: "'\(self.http)' is not HOST:PORT")
            }
        }
        func positive(_ key: String, _ value: Int) throws {
            guard value > 0 else { throw ConfigError(key: key, reason: "must be greater than 0, got \(value)") }
        }
        try positive("ingest.max_payload_bytes", self.ingest.maxPayloadBytes)
        try positive("ingest.max_depth", self.ingest.maxDepth)
        try positive("ingest.max_message_bytes", self.ingest.maxMessageBytes)
        try positive("ingest.high_water_mark", self.ingest.highWaterMark)
        try positive("ingest.max_backlog", self.ingest.maxBacklog)
        guard (0...Int(Int32.max)).contains(self.ingest.receiveBufferBytes) else {
            throw ConfigError(
                key: "ingest.receive_buffer_bytes", reason: "must be 0 (the kernel's) to \(Int32.max) bytes")
        }
        try positive("publish_high_water_mark", self.publishHighWaterMark)
        try positive("store.retention_articles", self.store.retentionArticles)
        try positive("pipeline.batch", self.pipeline.batch)
        guard self.pipeline.workers >= 0 else {
            throw ConfigError(key: "pipeline.workers", reason: "must be 0 (one per core) or more")
        }
        guard self.heartbeatSeconds > 0 else {
            throw ConfigError(key: "heartbeat_seconds", reason: "must be greater than 0")
        }
        guard self.store.retentionDays > 0 else {
            throw ConfigError(key: "store.retention_days", reason: "must be greater than 0")
        }
        guard self.pipeline.shutdownSeconds >= 0 else {
            throw ConfigError(key: "pipeline.shutdown_seconds", reason: "must not be negative")
        }
        guard self.dedup.windowDays > 0 else {
            throw ConfigError(key: "dedup.window_days", reason: "must be greater than 0")
        }
        try positive("dedup.max_articles", self.dedup.maxArticles)
        guard self.dedup.maxArticles <= KeyIndex.maxWindow else {
            throw ConfigError(key: "dedup.max_articles", reason: "must be at most \(KeyIndex.maxWindow), got \(self.dedup.maxArticles)")
        }
        guard (1...16).contains(self.dedup.shingleSize) else {
            throw ConfigError(key: "dedup.shingle_size", reason: "must be 1 to 16 words, got \(self.dedup.shingleSize)")
        }
        for (key, value) in [("dedup.jaccard", self.dedup.jaccard), ("dedup.containment", self.dedup.containment),
                             ("dedup.update_share", self.dedup.updateShare)] where !(value > 0 && value <= 1) {
            throw ConfigError(key: key, reason: "must be in (0, 1], got \(value)")
        }
        try positive("dedup.update_paragraph_words", self.dedup.updateParagraphWords)
        try positive("dedup.min_shingles", self.dedup.minShingles)
        guard (1...16).contains(self.dedup.bands) else {
            throw ConfigError(key: "dedup.bands", reason: "must be 1 to 16 (bands of 4 values over the 64-value signature)")
        }
        guard !self.store.path.isEmpty else { throw ConfigError(key: "store.path", reason: "must not be empty") }
        if !self.store.postgres.isEmpty {
            do {
                _ = try SharedMemory.Location(url: self.store.postgres)
            } catch {
                throw ConfigError(key: "store.postgres", reason: "\(error)")
            }
        }
        if self.security.isEnabled || !self.security.allowedClientsFile.isEmpty {
            _ = try SocketSecurity(self.security)
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(self.log.level) else {
            throw ConfigError(key: "log.level", reason: "'\(self.log.level)' is not one of \(levels.joined(separator: ", "))")
        }
        guard ["json", "text"].contains(self.log.format) else {
            throw ConfigError(key: "log.format", reason: "'\(self.log.format)' is not json or text")
        }
    }

    /// Worker threads for analysis.
    public var workerCount: Int {
        self.pipeline.workers > 0 ? self.pipeline.workers : Self.processors
    }

    /// Read once: Foundation reads the cgroup's CPU quota files on every call, and the pipeline asks per batch
    /// (about 1 % of its thread at 750 articles/s).
    static let processors = ProcessInfo.processInfo.activeProcessorCount
}

/// A configuration problem, naming the key at fault.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(self.key): \(self.reason)" }
}
