import Foundation
import GRDB
import Logging

/// The daemon's durable state in one SQLite file: the inbox of accepted but unpublished payloads, the journal of
/// published envelopes, the dedup memory and the dead letters.
///
/// The file is opened in WAL mode with `synchronous = FULL`, so a committed transaction survives a power cut;
/// GRDB's `DatabasePool` serializes writers and lets readers (replay, inspect) run beside them.
/// Every method blocks: call it from a dedicated thread, never from the Swift concurrency pool.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool
    let walLimit: Int

    /// 1 GB. An article wrote about 19 KB of WAL before envelopes were compressed (less now), so under a flood the
    /// WAL starts over about once a minute at most, and at 750 articles/s every 70 s or more: the writer seldom waits
    /// for a restart checkpoint. At 64 MB it waited several times a minute, and p99 ingest→publish at 750 articles/s
    /// went from about 10 ms to 18–24 ms.
    public static let defaultWALLimit = 1 << 30

    /// Opens (creating if needed) the store at `path` and migrates it to the current schema.
    ///
    /// - Parameter backgroundCheckpoints: leave WAL checkpoints to `WALCheckpointer` on another thread instead of
    ///   the commit that crosses SQLite's threshold. That commit otherwise copies megabytes into the database and
    ///   syncs it while the articles behind it wait: at 750 articles/s it doubled p99 ingest→publish.
    /// - Parameter walLimit: bytes of WAL past which the background checkpointer makes the WAL start over, and to
    ///   which SQLite cuts the file back when it does.
    public init(path: String, backgroundCheckpoints: Bool = false, walLimit: Int = Store.defaultWALLimit) throws {
        self.path = path
        self.walLimit = walLimit
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.label = "wirewatch.store"
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL alone syncs only at checkpoints; FULL makes each commit durable before it returns,
            // which the acked ingest promises its clients.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if backgroundCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
            // A WAL that overshot the limit (a long reader held it) is cut back to it when it starts over. Not lower:
            // cutting a 256 MB WAL back to 64 MB at every start-over, and growing it again, put p99 at 750 articles/s
            // at 67–202 ms.
            try db.execute(sql: "PRAGMA journal_size_limit = \(walLimit)")
        }
        self.pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(self.pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE inbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        received_at REAL NOT NULL,
                        endpoint TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        dead_letter_id INTEGER,
                        error_code TEXT,
                        error_reason TEXT
                    );
                    CREATE TABLE journal (
                        seq INTEGER PRIMARY KEY,
                        topic TEXT NOT NULL,
                        article_id TEXT,
                        cluster TEXT,
                        status TEXT,
                        recorded_at REAL NOT NULL,
                        envelope BLOB NOT NULL
                    );
                    CREATE INDEX journal_article ON journal(article_id);
                    CREATE INDEX journal_cluster ON journal(cluster);
                    CREATE TABLE dedup_keys (
                        key BLOB PRIMARY KEY,
                        article_id TEXT NOT NULL,
                        cluster TEXT NOT NULL,
                        first_seen REAL NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE dead_letter (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        received_at REAL NOT NULL,
                        endpoint TEXT NOT NULL,
                        code TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        payload_sha256 TEXT NOT NULL,
                        payload BLOB NOT NULL
                    );
                    CREATE TABLE state (
                        key TEXT PRIMARY KEY,
                        value INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-near-dedup") { db in
            try db.execute(
                sql: """
                    CREATE TABLE near_entries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        article_id TEXT NOT NULL,
                        cluster TEXT NOT NULL,
                        first_seen REAL NOT NULL,
                        features BLOB NOT NULL
                    );
                    CREATE INDEX near_entries_seen ON near_entries(first_seen);
                    """
            )
        }
        migrator.registerMigration("v3-dedup-memory") { db in
            // One row per remembered article replaces the per-key rows: RAM now holds only the keys' index.
            try db.execute(
                sql: """
                    DROP TABLE dedup_keys;
                    DROP TABLE near_entries;
                    CREATE TABLE dedup_memory (
                        slot INTEGER PRIMARY KEY,
                        article_id TEXT NOT NULL,
                        cluster TEXT NOT NULL,
                        first_seen REAL NOT NULL,
                        keys BLOB NOT NULL,
                        features BLOB
                    );
                    """
            )
        }
        return migrator
    }

    // MARK: Ingest

    /// Writes accepted payloads, and the dead letters of rejected ones, in one durable transaction.
    /// - Returns: each item's inbox row as written (what `pending` would read back), in order.
    @discardableResult
    public func accept(_ items: [InboxItem]) throws -> [InboxRow] {
        try self.pool.write { db in
            var rows: [InboxRow] = []
            rows.reserveCapacity(items.count)
            for item in items {
                var deadLetterID: Int64? = nil
                if let rejection = item.rejection {
                    // Cached statements: parsing SQL for every message was a visible share of the daemon's CPU.
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO dead_letter (received_at, endpoint, code, reason, payload_sha256, payload)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """
                    ).execute(
                        arguments: [
                            item.receivedAt.timeIntervalSince1970, item.endpoint, rejection.code, rejection.reason,
                            rejection.payloadSHA256, Data(item.payload),
                        ]
                    )
                    deadLetterID = db.lastInsertedRowID
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO inbox (received_at, endpoint, payload, dead_letter_id, error_code, error_reason)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """
                ).execute(
                    arguments: [
                        item.receivedAt.timeIntervalSince1970, item.endpoint,
                        // A dead letter already holds the payload; the inbox row only needs to reach the journal.
                        item.rejection == nil ? Data(item.payload) : Data(), deadLetterID,
                        item.rejection?.code, item.rejection?.reason,
                    ]
                )
                rows.append(
                    InboxRow(
                        id: db.lastInsertedRowID, receivedAt: item.receivedAt, endpoint: item.endpoint,
                        payload: item.rejection == nil ? item.payload : [],
                        rejection: item.rejection.map { rejection in
                            InboxRow.Rejection(
                                deadLetterID: deadLetterID ?? 0, code: rejection.code, reason: rejection.reason,
                                payloadSHA256: rejection.payloadSHA256, payloadBytes: item.payload.count
                            )
                        }
                    ))
            }
            return rows
        }
    }

    /// The newest inbox row's id, 0 when the inbox is empty.
    public func lastInboxID() throws -> Int64 {
        try self.pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM inbox") ?? 0 }
    }

    // MARK: Pipeline

    /// Accepted payloads not yet journaled, oldest first.
    public func pending(after inboxID: Int64, limit: Int) throws -> [InboxRow] {
        try self.pool.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT i.id, i.received_at, i.endpoint, i.payload, i.dead_letter_id, i.error_code,
                               i.error_reason, d.payload_sha256, length(d.payload) AS dead_bytes
                        FROM inbox i LEFT JOIN dead_letter d ON d.id = i.dead_letter_id
                        WHERE i.id > ? ORDER BY i.id LIMIT ?
                        """
                ),
                arguments: [inboxID, limit]
            )
            return rows.map { row in
                let payload: Data = row["payload"] ?? Data()
                var rejection: InboxRow.Rejection? = nil
                if let deadLetterID: Int64 = row["dead_letter_id"] {
                    rejection = InboxRow.Rejection(
                        deadLetterID: deadLetterID,
                        code: row["error_code"] ?? "unknown",
                        reason: row["error_reason"] ?? "",
                        payloadSHA256: row["payload_sha256"] ?? "",
                        payloadBytes: row["dead_bytes"] ?? 0
                    )
                }
                return InboxRow(
                    id: row["id"],
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]),
                    endpoint: row["endpoint"],
                    payload: [UInt8](payload),
                    rejection: rejection
                )
            }
        }
    }

    /// Number of accepted payloads waiting for the pipeline.
    public func pendingCount() throws -> Int {
        try self.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox") ?? 0 }
    }

    /// Journals one batch in one transaction: its envelopes, the dedup keys it learned, and the removal of its
    /// inbox rows. Either all of it survives a crash or none does, so a restart reprocesses the batch exactly.
    public func commit(_ batch: JournalBatch) throws {
        try self.pool.write { db in
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO journal (seq, topic, article_id, cluster, status, recorded_at, envelope)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for entry in batch.entries {
                try insert.execute(
                    arguments: [
                        entry.seq, entry.topic, entry.articleID, entry.cluster, entry.status,
                        entry.recordedAt.timeIntervalSince1970, entry.stored ?? EnvelopeCompression.pack(entry.envelope),
                    ]
                )
            }
            try Self.insertDedupRecords(db, batch.dedupRecords)
            // Exactly the rows journaled, one by one: the pipeline journals in the order articles finish, so a run
            // may skip a row still in analysis, whose row must stay for a restart to take it up again.
            let delete = try db.cachedStatement(sql: "DELETE FROM inbox WHERE id = ?")
            for id in batch.inboxIDs { try delete.execute(arguments: [id]) }
            if let published = batch.publishedThrough {
                try Self.setState(db, "published_through", published)
            }
        }
    }

    /// Writes dedup records decided by other daemons (pulled from the shared memory) into the local mirror.
    public func putDedupRecords(_ rows: [DedupRecordRow]) throws {
        guard !rows.isEmpty else { return }
        try self.pool.write { db in try Self.insertDedupRecords(db, rows) }
    }

    static func insertDedupRecords(_ db: Database, _ rows: [DedupRecordRow]) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO dedup_memory (slot, article_id, cluster, first_seen, keys, features)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        )
        for row in rows {
            try statement.execute(arguments: [
                Int64(row.slot), row.articleID, row.cluster, row.firstSeen.timeIntervalSince1970, Data(row.keys),
                row.features.map { Data($0) },
            ])
        }
    }

    /// Empties the local dedup memory, when it no longer mirrors the shared one.
    public func clearDedupMemory() throws {
        try self.pool.write { db in try db.execute(sql: "DELETE FROM dedup_memory") }
    }

    /// The highest slot in the local dedup memory.
    public func lastDedupSlot() throws -> UInt32? {
        try self.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(slot) FROM dedup_memory").map { UInt32(clamping: $0) }
        }
    }

    /// This daemon's id among the daemons sharing a dedup memory: random, made once, kept in the store.
    public func nodeID() throws -> Int64 {
        try self.pool.write { db in
            if let id = try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'node_id'") { return id }
            let id = Int64.random(in: 1...Int64.max)
            try Self.setState(db, "node_id", id)
            return id
        }
    }

    /// Records that every envelope up to `seq` went out on the PUB socket.
    public func markPublished(through seq: Int64) throws {
        try self.pool.write { db in try Self.setState(db, "published_through", seq) }
    }

    public func publishedThrough() throws -> Int64 {
        try self.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'published_through'") ?? 0
        }
    }

    static func setState(_ db: Database, _ key: String, _ value: Int64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        ).execute(arguments: [key, value])
    }

    /// The highest journaled sequence number (0 when empty).
    public func lastSeq() throws -> Int64 {
        try self.pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM journal") ?? 0 }
    }

    /// The dedup memory's keys newer than `since`, oldest first, for rebuilding the index at start (the
    /// features stay on disk). Calls `body` per row, so a million rows never sit in memory at once.
    public func dedupKeys(since: Date, _ body: (_ slot: UInt32, _ firstSeen: Date, _ keys: [UInt8]) -> Void) throws {
        try self.pool.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT slot, first_seen, keys FROM dedup_memory WHERE first_seen >= ? ORDER BY slot",
                arguments: [since.timeIntervalSince1970]
            )
            while let row = try rows.next() {
                let slot: Int64 = row["slot"]
                let keys: Data = row["keys"]
                body(UInt32(clamping: slot), Date(timeIntervalSince1970: row["first_seen"]), [UInt8](keys))
            }
        }
    }

    /// Runs `body` inside one read transaction, which the `dedupRecord(slot:)` calls it makes on this thread share.
    /// The pipeline reads dozens of records an article; a transaction for each (a connection from the pool, BEGIN and
    /// COMMIT, the WAL's file locks) cost more than the reads did. `body` runs once, without the transaction if
    /// none could be opened.
    public func reading<T>(_ body: () -> T) -> T {
        var result: T? = nil
        do {
            try self.pool.read { _ in result = body() }
        } catch {
            // Opening the transaction failed (or ending it did, after `body` ran): each read opens its own.
        }
        if let result { return result }
        return body()
    }

    /// One remembered article of the dedup memory.
    ///
    /// Dedup reads one for every candidate it verifies, dozens an article where syndicated stories share
    /// paragraphs: the statement is prepared once per connection, and columns are read by position (preparing
    /// and authorizing it each time, and finding columns by name, were a fifth of the pipeline thread).
    /// Inside `reading` it shares that transaction; elsewhere it reads in one of its own.
    public func dedupRecord(slot: UInt32) throws -> DedupRecordRow? {
        try self.pool.unsafeReentrantRead { db in
            let statement = try db.cachedStatement(
                sql: "SELECT slot, article_id, cluster, first_seen, keys, features FROM dedup_memory WHERE slot = ?")
            return try Row.fetchOne(statement, arguments: [Int64(slot)]).map { row in
                let slot: Int64 = row[0]
                let keys: Data = row[4]
                let features: Data? = row[5]
                return DedupRecordRow(
                    slot: UInt32(clamping: slot), articleID: row[1], cluster: row[2],
                    firstSeen: Date(timeIntervalSince1970: row[3]), keys: [UInt8](keys),
                    features: features.map { [UInt8]($0) }
                )
            }
        }
    }

    // MARK: Replay and inspection

    /// Journal entries with `seq > after`, oldest first.
    public func journal(after seq: Int64, limit: Int) throws -> [JournalEntry] {
        try self.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, topic, article_id, cluster, status, recorded_at, envelope FROM journal
                    WHERE seq > ? ORDER BY seq LIMIT ?
                    """,
                arguments: [seq, limit]
            ).map { try JournalEntry(row: $0) }
        }
    }

    /// Every journal entry of an article id, and of every other copy in its cluster.
    public func entries(articleID: String) throws -> [JournalEntry] {
        try self.pool.read { db in
            let clusters = try String.fetchAll(
                db, sql: "SELECT DISTINCT cluster FROM journal WHERE article_id = ? AND cluster IS NOT NULL",
                arguments: [articleID]
            )
            var rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, topic, article_id, cluster, status, recorded_at, envelope FROM journal
                    WHERE article_id = ? ORDER BY seq
                    """,
                arguments: [articleID]
            )
            for cluster in clusters {
                rows += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT seq, topic, article_id, cluster, status, recorded_at, envelope FROM journal
                        WHERE cluster = ? AND article_id != ? ORDER BY seq
                        """,
                    arguments: [cluster, articleID]
                )
            }
            return try rows.map { try JournalEntry(row: $0) }.sorted { $0.seq < $1.seq }
        }
    }

    /// Dead letters, newest first.
    public func deadLetters(limit: Int) throws -> [DeadLetter] {
        try self.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, received_at, endpoint, code, reason, payload_sha256, payload FROM dead_letter
                    ORDER BY id DESC LIMIT ?
                    """,
                arguments: [limit]
            ).map { row in
                DeadLetter(
                    id: row["id"], receivedAt: Date(timeIntervalSince1970: row["received_at"]),
                    endpoint: row["endpoint"], code: row["code"], reason: row["reason"],
                    payloadSHA256: row["payload_sha256"], payload: [UInt8](row["payload"] as Data)
                )
            }
        }
    }

    /// Counts of the journal by topic family, for `stats`.
    public func counts() throws -> StoreCounts {
        try self.pool.read { db in
            StoreCounts(
                journal: try Int.fetchOne(db, sql: "SELECT count(*) FROM journal") ?? 0,
                pending: try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox") ?? 0,
                deadLetters: try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letter") ?? 0,
                dedupMemory: try Int.fetchOne(db, sql: "SELECT count(*) FROM dedup_memory") ?? 0
            )
        }
    }

    /// Drops journal entries beyond the retention bounds, and dedup memory older than its window or beyond its
    /// count.
    /// - Returns: how many journal entries were removed.
    @discardableResult
    public func trim(keepLast: Int, olderThan cutoff: Date, dedupOlderThan dedupCutoff: Date, dedupKeep: Int) throws
        -> Int
    {
        try self.pool.write { db in
            try db.execute(
                sql: "DELETE FROM journal WHERE seq <= (SELECT max(seq) FROM journal) - ? OR recorded_at < ?",
                arguments: [keepLast, cutoff.timeIntervalSince1970]
            )
            let removed = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM dedup_memory WHERE first_seen < ? OR slot <= (SELECT max(slot) FROM dedup_memory) - ?
                    """,
                arguments: [dedupCutoff.timeIntervalSince1970, dedupKeep]
            )
            return removed
        }
    }

    /// Writes a checkpoint so the WAL file stays small; called on clean shutdown.
    public func checkpoint() throws {
        try self.pool.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    /// A connection of its own for WAL checkpoints, so they run beside the writer instead of inside its commits.
    public func makeCheckpointer() throws -> WALCheckpointer {
        var configuration = Configuration()
        configuration.label = "wirewatch.checkpoint"
        configuration.busyMode = .timeout(10)
        return WALCheckpointer(
            queue: try DatabaseQueue(path: self.path, configuration: configuration), restartFrames: self.walLimit / 4096)
    }
}

/// Copies committed WAL pages into the database. A passive checkpoint takes no lock a writer or reader waits on;
/// the WAL starts over from its beginning at the first commit after a checkpoint that caught up.
public final class WALCheckpointer: Sendable {
    let queue: DatabaseQueue

    /// WAL pages (of 4 KB) past which a checkpoint makes the writer wait for it to finish, so the WAL starts over.
    let restartFrames: Int

    init(queue: DatabaseQueue, restartFrames: Int) {
        self.queue = queue
        self.restartFrames = restartFrames
    }

    /// Copies what it can without waiting. A passive checkpoint never catches up while articles keep coming (the
    /// writer appends while it copies), and the WAL starts over only after one that did: under a flood the WAL grew
    /// by a gigabyte a minute, and its index (mapped by every connection) with it. Past `restartFrames`, a RESTART
    /// checkpoint holds the writer for the last stretch of copying instead.
    public func run() throws {
        try self.queue.inDatabase { db in
            let (frames, _) = try db.checkpoint(.passive)
            if frames > self.restartFrames { try db.checkpoint(.restart) }
        }
    }
}
