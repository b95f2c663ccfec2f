import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The dedup memory shared by every daemon of one PostgreSQL database: daemons on several machines pulling from
/// one PUSH feed see each other's articles, and two copies of a story that reach two daemons in the same
/// millisecond still yield exactly one `unique`.
///
/// How: every batch's dedup decisions are taken inside one transaction that holds a transaction-level advisory
/// lock, so decisions are serialized across daemons. Under the lock a daemon first pulls the rows the others added
/// since it last looked (into its local index and SQLite mirror), decides, inserts its new rows and moves the shared
/// `next_slot` on; the commit releases the lock. Slots are thus one dense sequence for the whole fleet, and each
/// daemon's local store mirrors the shared table in slot order, so candidate lookups never leave the machine.
///
/// Each row names its origin (daemon node and inbox row). If a daemon dies after the shared commit but before its
/// own journal commit, it finds its own rows at the next start and reuses their verdicts instead of calling its
/// own article a duplicate of itself.
///
/// The pipeline runs on a dedicated thread, so this type offers blocking calls, waiting on that thread for
/// postgres-nio's futures.
public final class SharedMemory: @unchecked Sendable {
    /// Where the database is, from a `postgres://user:password@host:port/database?sslmode=…` URL.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        /// A directory holding the server's Unix socket, when `host` in the query names one.
        public var socketDirectory: String?
        public var username: String
        public var password: String?
        public var database: String
        public var requireTLS: Bool

        public init(url: String) throws(SharedMemoryError) {
            guard let components = URLComponents(string: url),
                components.scheme == "postgres" || components.scheme == "postgresql"
            else {
                // The URL itself is not echoed: it may hold a password, and this message goes to logs.
                let scheme = URLComponents(string: url)?.scheme.map { "scheme '\($0)'" } ?? "not a URL"
                throw SharedMemoryError.badURL("expected postgres://user[:password]@host[:port]/database (\(scheme))")
            }
            let query = Dictionary(
                (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 }
            )
            self.host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
            self.port = components.port ?? 5432
            self.socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            self.username = components.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
            self.password = components.password
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            self.database = path.isEmpty ? self.username : path
            switch query["sslmode"] ?? "disable" {
            case "disable", "allow", "prefer": self.requireTLS = false
            case "require", "verify-ca", "verify-full": self.requireTLS = true
            case let other: throw SharedMemoryError.badURL("unknown sslmode '\(other)'")
            }
        }

        /// The URL without its password, for logs.
        public var description: String {
            let place = self.socketDirectory.map { "?host=\($0)" } ?? ""
            return "postgres://\(self.username)@\(self.host):\(self.port)/\(self.database)\(place)"
        }

        func configuration() throws -> PostgresConnection.Configuration {
            var configuration: PostgresConnection.Configuration
            if let directory = self.socketDirectory {
                configuration = PostgresConnection.Configuration(
                    unixSocketPath: "\(directory)/.s.PGSQL.\(self.port)", username: self.username,
                    password: self.password, database: self.database
                )
            } else {
                let tls: PostgresConnection.Configuration.TLS =
                    self.requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
                configuration = PostgresConnection.Configuration(
                    host: self.host, port: self.port, username: self.username, password: self.password,
                    database: self.database, tls: tls
                )
            }
            configuration.options.connectTimeout = .seconds(10)
            // A hung server must not hold the pipeline forever: the batch fails, is retried, and the watchdog
            // sees the stall meanwhile.
            configuration.options.additionalStartupParameters = [("statement_timeout", "30000")]
            return configuration
        }
    }

    /// One remembered article as the fleet shares it.
    public struct Row: Sendable, Equatable {
        public var record: DedupRecordRow
        /// The daemon that decided it (a random id each daemon keeps in its local store) and its inbox row.
        public var originNode: Int64
        public var originInbox: Int64
        /// The verdict it was published with.
        public var status: String
        public var of: String?
        public var similarity: Double?

        public init(
            record: DedupRecordRow, originNode: Int64, originInbox: Int64, status: String, of: String?,
            similarity: Double?
        ) {
            self.record = record
            self.originNode = originNode
            self.originInbox = originInbox
            self.status = status
            self.of = of
            self.similarity = similarity
        }
    }

    public let location: Location
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextConnectionID = 1
    private var inTransaction = false

    /// Any key would do; it only has to be the same for every daemon and unlikely to be used by others.
    static let lockKey: Int64 = 0x7769_7265_7761_7463  // "wirewatc"

    public init(location: Location, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    deinit {
        // postgres-nio requires a connection to be closed before it is released.
        self.disconnect()
    }

    /// Opens the connection (again, after a failure) and creates the tables when they are missing.
    public func connect() throws {
        if self.connection != nil { return }
        let configuration = try self.location.configuration()
        let id = self.nextConnectionID
        self.nextConnectionID += 1
        let connection = try Self.waitBounded(
            PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: id,
                logger: self.logger
            )
        )
        self.connection = connection
        do {
            try self.migrate()
        } catch {
            self.disconnect()
            throw error
        }
    }

    /// Drops the connection; the next call reconnects. Used after any failure, which may have left a
    /// transaction open on the server (closing the connection ends it).
    public func disconnect() {
        guard let connection = self.connection else { return }
        self.connection = nil
        self.inTransaction = false
        _ = try? connection.close().wait()
    }

    private func migrate() throws {
        // Serialized, so two daemons starting together do not race on CREATE TABLE IF NOT EXISTS.
        try self.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
        defer { _ = try? self.execute("SELECT pg_advisory_unlock(\(Self.lockKey))") }
        try self.execute(
            """
            CREATE TABLE IF NOT EXISTS wirewatch_dedup_memory (
                slot bigint PRIMARY KEY,
                article_id text NOT NULL,
                cluster text NOT NULL,
                first_seen double precision NOT NULL,
                keys bytea NOT NULL,
                features bytea,
                origin_node bigint NOT NULL,
                origin_inbox bigint NOT NULL,
                status text NOT NULL,
                of_id text,
                similarity double precision
            )
            """
        )
        try self.execute(
            "CREATE INDEX IF NOT EXISTS wirewatch_dedup_memory_first_seen ON wirewatch_dedup_memory (first_seen)"
        )
        try self.execute(
            "CREATE INDEX IF NOT EXISTS wirewatch_dedup_memory_origin ON wirewatch_dedup_memory (origin_node, origin_inbox)"
        )
        try self.execute(
            """
            CREATE TABLE IF NOT EXISTS wirewatch_dedup_state (
                id integer PRIMARY KEY CHECK (id = 1),
                next_slot bigint NOT NULL
            )
            """
        )
        try self.execute("INSERT INTO wirewatch_dedup_state (id, next_slot) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
    }

    /// Starts a batch: a transaction holding the fleet-wide lock. Returns the fleet's next slot.
    public func begin() throws -> UInt32 {
        try self.connect()
        try self.execute("BEGIN")
        self.inTransaction = true
        try self.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
        let next = try self.fetch("SELECT next_slot FROM wirewatch_dedup_state WHERE id = 1", as: Int64.self)
        return UInt32(clamping: next.first ?? 0)
    }

    /// Ends a batch: stores its new rows, moves the fleet's next slot to `nextSlot`, commits and so releases the
    /// lock.
    public func commit(_ rows: [Row], nextSlot: UInt32) throws {
        precondition(self.inTransaction, "commit without begin")
        if !rows.isEmpty { try self.insert(rows) }
        try self.execute("UPDATE wirewatch_dedup_state SET next_slot = greatest(next_slot, \(Int64(nextSlot))) WHERE id = 1")
        try self.execute("COMMIT")
        self.inTransaction = false
    }

    /// Gives a batch up; its rows are not stored.
    public func rollback() {
        guard self.inTransaction else { return }
        do {
            try self.execute("ROLLBACK")
            self.inTransaction = false
        } catch {
            self.disconnect()
        }
    }

    /// Up to `limit` rows from `slot` on, in slot order.
    public func rows(from slot: UInt32, limit: Int) throws -> [Row] {
        let from = Int64(slot)
        let query: PostgresQuery = """
            SELECT slot, article_id, cluster, first_seen, keys, features, origin_node, origin_inbox, status, of_id,
                similarity
            FROM wirewatch_dedup_memory WHERE slot >= \(from) ORDER BY slot LIMIT \(limit)
            """
        return try self.fetchRows(query)
    }

    /// The rows this daemon decided for inbox rows from `inbox` on: verdicts it may not have journaled.
    public func rows(originNode node: Int64, fromInbox inbox: Int64) throws -> [Row] {
        try self.connect()
        let query: PostgresQuery = """
            SELECT slot, article_id, cluster, first_seen, keys, features, origin_node, origin_inbox, status, of_id,
                similarity
            FROM wirewatch_dedup_memory WHERE origin_node = \(node) AND origin_inbox >= \(inbox) ORDER BY slot
            """
        return try self.fetchRows(query)
    }

    /// The article id at `slot`, to check that a local mirror is a prefix of the shared table.
    public func articleID(at slot: UInt32) throws -> String? {
        try self.connect()
        return try self.fetch(
            "SELECT article_id FROM wirewatch_dedup_memory WHERE slot = \(Int64(slot))", as: String.self
        ).first
    }

    /// Forgets articles first seen before `cutoff` and all but the newest `keep`. Returns how many.
    @discardableResult
    public func trim(olderThan cutoff: Date, keep: Int) throws -> Int {
        try self.connect()
        let seconds = cutoff.timeIntervalSince1970
        let keepCount = Int64(keep)
        let removed = try self.fetch(
            """
            WITH removed AS (
                DELETE FROM wirewatch_dedup_memory
                WHERE first_seen < \(seconds)
                    OR slot < (SELECT next_slot FROM wirewatch_dedup_state WHERE id = 1) - \(keepCount)
                RETURNING 1
            )
            SELECT count(*) FROM removed
            """,
            as: Int64.self
        )
        return Int(removed.first ?? 0)
    }

    /// Rows in the shared table.
    public func count() throws -> Int {
        try self.connect()
        return Int(try self.fetch("SELECT count(*) FROM wirewatch_dedup_memory", as: Int64.self).first ?? 0)
    }

    // MARK: - Queries

    private func insert(_ rows: [Row]) throws {
        // One statement for the whole batch: arrays, unnested on the server. Empty bytes, empty text and NaN stand
        // for NULL because postgres-nio's arrays have no optional elements.
        let slots = rows.map { Int64($0.record.slot) }
        let ids = rows.map(\.record.articleID)
        let clusters = rows.map(\.record.cluster)
        let firstSeen = rows.map { $0.record.firstSeen.timeIntervalSince1970 }
        let keys = rows.map { ByteBuffer(bytes: $0.record.keys) }
        let features = rows.map { ByteBuffer(bytes: $0.record.features ?? []) }
        let nodes = rows.map(\.originNode)
        let inboxes = rows.map(\.originInbox)
        let statuses = rows.map(\.status)
        let ofs = rows.map { $0.of ?? "" }
        let similarities = rows.map { $0.similarity ?? .nan }
        try self.execute(
            """
            INSERT INTO wirewatch_dedup_memory
                (slot, article_id, cluster, first_seen, keys, features, origin_node, origin_inbox, status, of_id,
                similarity)
            SELECT s, a, c, f, k, NULLIF(x, ''::bytea), n, i, st, NULLIF(o, ''), NULLIF(sim, 'NaN'::float8)
            FROM unnest(\(slots)::bigint[], \(ids)::text[], \(clusters)::text[], \(firstSeen)::float8[],
                \(keys)::bytea[], \(features)::bytea[], \(nodes)::bigint[], \(inboxes)::bigint[], \(statuses)::text[],
                \(ofs)::text[], \(similarities)::float8[]) AS t(s, a, c, f, k, x, n, i, st, o, sim)
            """
        )
    }

    private func fetchRows(_ query: PostgresQuery) throws -> [Row] {
        try self.run(query).map { row in
            let (slot, id, cluster, firstSeen, keys, features, node, inbox, status, of, similarity) = try row.decode(
                (Int64, String, String, Double, ByteBuffer, ByteBuffer?, Int64, Int64, String, String?, Double?).self
            )
            return Row(
                record: DedupRecordRow(
                    slot: UInt32(clamping: slot), articleID: id, cluster: cluster,
                    firstSeen: Date(timeIntervalSince1970: firstSeen), keys: Array(buffer: keys),
                    features: features.map { Array(buffer: $0) }
                ),
                originNode: node, originInbox: inbox, status: status, of: of, similarity: similarity
            )
        }
    }

    private func fetch<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) throws -> [T] {
        try self.run(query).map { try $0.decode(T.self) }
    }

    private func execute(_ query: PostgresQuery) throws {
        _ = try self.run(query)
    }

    /// Runs a query and waits for all its rows. postgres-nio's future API, waited on the calling thread: the
    /// reply arrives on NIO's event loop, so nothing here needs a thread of the Swift concurrency pool (the
    /// pipeline's thread is its own, and a test's may be one of the pool's few).
    private func run(_ query: PostgresQuery) throws -> [PostgresRow] {
        let connection = try self.live()
        do {
            return try Self.waitBounded(connection.query(query, logger: self.logger)).rows
        } catch {
            // Any failure drops the connection, so a half-done transaction never lingers on the server.
            self.disconnect()
            throw SharedMemoryError.query(String(reflecting: error))
        }
    }

    private func live() throws -> PostgresConnection {
        guard let connection = self.connection else { throw SharedMemoryError.notConnected }
        if connection.isClosed {
            self.disconnect()
            throw SharedMemoryError.query("the connection was closed (server restarted or ended the session)")
        }
        return connection
    }

    /// Longest wait for any answer. statement_timeout bounds the server's work; this bounds a connection that
    /// went quiet without closing (a dead peer, a query written to a socket the server already closed).
    static let answerTimeout: TimeAmount = .seconds(45)

    static func waitBounded<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let timer = future.eventLoop.scheduleTask(in: Self.answerTimeout) {
            // Ignored when the answer came first: a promise keeps its first result.
            promise.fail(SharedMemoryError.query("no answer from PostgreSQL within \(Self.answerTimeout.nanoseconds / 1_000_000_000) s"))
        }
        defer { timer.cancel() }
        return try promise.futureResult.wait()
    }

}

public enum SharedMemoryError: Error, CustomStringConvertible, Equatable {
    case badURL(String)
    case notConnected
    case query(String)

    public var description: String {
        switch self {
        case .badURL(let reason): reason
        case .notConnected: "not connected to PostgreSQL"
        case .query(let reason): "PostgreSQL: \(reason)"
        }
    }
}

