import Foundation
import GRDB
import Storage
import Testing

@Suite("SQLite store on real files")
struct StoreTests {
    let directory: URL

    init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    func open() throws -> Store {
        try Store(path: self.directory.appendingPathComponent("state.db").path)
    }

    @Test("accepted payloads wait in the inbox until a batch journals them; dead letters keep the payload")
    func inboxToJournal() throws {
        let store = try self.open()
        let now = Date()
        let written = try store.accept([
            InboxItem(receivedAt: now, endpoint: "pull", payload: Array("{\"text\":\"a\"}".utf8), rejection: nil),
            InboxItem(
                receivedAt: now, endpoint: "pull", payload: Array("{bad".utf8),
                rejection: .init(code: "malformed_json", reason: "bad", payloadSHA256: String(repeating: "a", count: 64))
            ),
        ])
        let ids = written.map(\.id)
        #expect(ids.count == 2 && ids[1] > ids[0])
        #expect(try store.lastInboxID() == ids[1])
        let pending = try store.pending(after: 0, limit: 10)
        #expect(pending.count == 2)
        // What accept returns is what the pipeline would read back: the daemon hands it over in memory.
        for (row, read) in zip(written, pending) {
            #expect(row.id == read.id && row.endpoint == read.endpoint && row.payload == read.payload)
            #expect(abs(row.receivedAt.timeIntervalSince(read.receivedAt)) < 0.001)
            #expect(row.rejection?.deadLetterID == read.rejection?.deadLetterID)
            #expect(row.rejection?.code == read.rejection?.code && row.rejection?.reason == read.rejection?.reason)
            #expect(row.rejection?.payloadSHA256 == read.rejection?.payloadSHA256)
            #expect(row.rejection?.payloadBytes == read.rejection?.payloadBytes)
        }
        #expect(pending[0].payload == Array("{\"text\":\"a\"}".utf8))
        #expect(pending[1].rejection?.code == "malformed_json")
        #expect(pending[1].rejection?.payloadBytes == 4)
        #expect(try store.deadLetters(limit: 10).first?.payload == Array("{bad".utf8))

        var batch = JournalBatch()
        batch.entries = [
            JournalEntry(seq: 1, topic: "article.en", articleID: "a", cluster: "a", status: "unique", recordedAt: now, envelope: [1]),
            JournalEntry(seq: 2, topic: "error", articleID: nil, cluster: nil, status: "error", recordedAt: now, envelope: [2]),
        ]
        batch.inboxIDs = ids
        batch.dedupRecords = [
            DedupRecordRow(slot: 3, articleID: "a", cluster: "a", firstSeen: now, keys: [1, 2, 3, 4, 5, 6, 7, 8], features: [9])
        ]
        try store.commit(batch)
        #expect(try store.pending(after: 0, limit: 10).isEmpty)
        #expect(try store.lastSeq() == 2)
        #expect(try store.journal(after: 1, limit: 10).map(\.seq) == [2])
        var restored: [(UInt32, [UInt8])] = []
        try store.dedupKeys(since: now.addingTimeInterval(-1)) { slot, _, keys in restored.append((slot, keys)) }
        #expect(restored.map(\.0) == [3])
        #expect(restored.first?.1 == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try store.dedupRecord(slot: 3)?.features == [9])
        #expect(try store.dedupRecord(slot: 4) == nil)
        // The pipeline reads a batch's records inside one transaction: the same rows, and the body's value back.
        let inside = store.reading { (try? store.dedupRecord(slot: 3)?.features, try? store.dedupRecord(slot: 4)) }
        #expect(inside.0 == [9])
        #expect(inside.1 == .some(nil))
    }

    @Test("a batch journaled out of decision order removes its own inbox rows and leaves the one still in analysis")
    func outOfOrderInbox() throws {
        let store = try self.open()
        let now = Date()
        let ids = try store.accept((0..<4).map { index in
            InboxItem(receivedAt: now, endpoint: "pull", payload: Array("{\"text\":\"\(index)\"}".utf8), rejection: nil)
        }).map(\.id)
        var batch = JournalBatch()
        // The second article is still being analyzed: the third and first finish before it.
        batch.entries = [ids[2], ids[0]].enumerated().map { position, _ in
            JournalEntry(seq: Int64(position + 1), topic: "article.en", articleID: nil, cluster: nil, status: "unique", recordedAt: now, envelope: [1])
        }
        batch.inboxIDs = [ids[2], ids[0]]
        try store.commit(batch)
        #expect(try store.pending(after: 0, limit: 10).map(\.id) == [ids[1], ids[3]])
        batch.entries = [JournalEntry(seq: 3, topic: "article.en", articleID: nil, cluster: nil, status: "unique", recordedAt: now, envelope: [1])]
        batch.inboxIDs = [ids[1]]
        try store.commit(batch)
        #expect(try store.pending(after: 0, limit: 10).map(\.id) == [ids[3]])
    }

    @Test("envelopes are journaled compressed, read back exactly; rows from before compression still read; a damaged frame or a lying header is an error, not an allocation")
    func compressedEnvelopes() throws {
        let store = try self.open()
        let now = Date()
        // An envelope's shape: JSON with repeated keys and offsets.
        let mentions = (0..<200).map { "{\"start\":\($0 * 17),\"end\":\($0 * 17 + 9),\"type\":\"PER\"}" }
        let envelope = Array("{\"schema\":\"wirewatch.result.v1\",\"mentions\":[\(mentions.joined(separator: ","))]}".utf8)
        var batch = JournalBatch()
        batch.entries = [
            JournalEntry(seq: 1, topic: "article.en", articleID: "a", cluster: "a", status: "unique", recordedAt: now, envelope: envelope),
            // Too short to gain from compression: kept as it is.
            JournalEntry(seq: 2, topic: "error", articleID: nil, cluster: nil, status: "error", recordedAt: now, envelope: Array("{}".utf8)),
        ]
        try store.commit(batch)
        let queue = try DatabaseQueue(path: store.path)
        let stored = try queue.read { db in try Data.fetchAll(db, sql: "SELECT envelope FROM journal ORDER BY seq") }
        #expect(stored[0].count * 3 < envelope.count, "\(stored[0].count) bytes stored for \(envelope.count)")
        #expect(stored[1] == Data("{}".utf8))
        // A journal written before compression holds the JSON itself.
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO journal (seq, topic, recorded_at, envelope) VALUES (3, 'article.en', 0, ?)",
                arguments: [Data("{\"plain\":true}".utf8)])
        }
        let read = try store.journal(after: 0, limit: 10)
        #expect(read.map(\.envelope) == [envelope, Array("{}".utf8), Array("{\"plain\":true}".utf8)])
        #expect(try store.entries(articleID: "a").first?.envelope == envelope)

        var damaged = stored[0]
        damaged.removeLast(damaged.count / 2)
        try queue.write { db in
            try db.execute(sql: "UPDATE journal SET envelope = ? WHERE seq = 1", arguments: [damaged])
        }
        #expect(throws: StoreError.self) { try store.journal(after: 0, limit: 10) }
        #expect(try store.journal(after: 1, limit: 10).count == 2, "the rows after it still read")

        // A header that declares a gigabyte for five bytes: read as the five bytes it holds, then refused, without
        // a gigabyte's buffer on the way. Magic, descriptor (8-byte content size, a window byte), window 1 KiB, the
        // size, then one last raw block of 5 bytes.
        var lying: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x00]
        lying += withUnsafeBytes(of: UInt64(1 << 30).littleEndian, Array.init)
        lying += [0x29, 0x00, 0x00] + Array("hello".utf8)
        try queue.write { db in
            try db.execute(sql: "UPDATE journal SET envelope = ? WHERE seq = 1", arguments: [Data(lying)])
        }
        let before = Self.peakResidentBytes()
        #expect(throws: StoreError.self) { try store.journal(after: 0, limit: 10) }
        #expect(Self.peakResidentBytes() - before < 256 << 20, "a damaged header is not an allocation")
    }

    @Test("an envelope compressed ahead of its commit, with its end added later as a second frame, reads back exactly; a damaged second frame is an error")
    func envelopesPackedAhead() throws {
        let store = try self.open()
        let now = Date()
        let mentions = (0..<200).map { "{\"start\":\($0 * 17),\"end\":\($0 * 17 + 9),\"type\":\"PER\"}" }
        let head = Array("{\"schema\":\"wirewatch.result.v1\",\"mentions\":[\(mentions.joined(separator: ","))]".utf8)
        let tail = Array(",\"seq\":1}".utf8)
        // Compressible, and too short to gain (kept as it is, so its end is added as it is).
        let packed = try #require(EnvelopeCompression.append(tail, to: EnvelopeCompression.pack(head)))
        let short = try #require(EnvelopeCompression.append(Array("\"seq\":2}".utf8), to: EnvelopeCompression.pack(Array("{".utf8))))
        #expect(packed.prefix(4).elementsEqual([0x28, 0xB5, 0x2F, 0xFD]), "a Zstandard frame")
        #expect(packed.count * 3 < head.count)
        #expect(short == Data("{\"seq\":2}".utf8))
        var batch = JournalBatch()
        batch.entries = [
            JournalEntry(seq: 1, topic: "article.en", articleID: "a", cluster: "a", status: "unique", recordedAt: now,
                         envelope: head + tail, stored: packed),
            JournalEntry(seq: 2, topic: "article.en", articleID: "b", cluster: "b", status: "unique", recordedAt: now,
                         envelope: Array("{\"seq\":2}".utf8), stored: short),
        ]
        try store.commit(batch)
        let queue = try DatabaseQueue(path: store.path)
        #expect(try queue.read { db in try Data.fetchOne(db, sql: "SELECT envelope FROM journal WHERE seq = 1") } == packed)
        #expect(try store.journal(after: 0, limit: 10).map(\.envelope) == [head + tail, Array("{\"seq\":2}".utf8)])

        // Two frames whose declared sizes sum past 2^64 (each says 2^63 for five bytes): refused, not a trap.
        var huge: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x00]
        huge += withUnsafeBytes(of: (UInt64(1) << 63).littleEndian, Array.init)
        huge += [0x29, 0x00, 0x00] + Array("hello".utf8)
        // The second frame cut short, or followed by bytes that are no frame: refused, not read as the first alone.
        for damaged in [packed.dropLast(3), packed + Data("{}".utf8), Data(huge + huge)] {
            try queue.write { db in
                try db.execute(sql: "UPDATE journal SET envelope = ? WHERE seq = 1", arguments: [Data(damaged)])
            }
            #expect(throws: StoreError.self) { try store.journal(after: 0, limit: 10) }
        }
    }

    /// The process's peak resident size: a gigabyte allocated and zeroed would raise it by that much.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    @Test("a WAL that outgrew its limit starts over at the checkpointer's next run, cut back to the limit")
    func walRestart() throws {
        let path = self.directory.appendingPathComponent("state.db").path
        let store = try Store(path: path, backgroundCheckpoints: true, walLimit: 32 << 20)
        let checkpointer = try store.makeCheckpointer()
        func walBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0 }
        // About 21,000 pages (86 MB) of WAL, in commits as the ingest makes them; nothing checkpoints meanwhile.
        let payload = [UInt8](repeating: 7, count: 60_000)
        for _ in 0..<1400 {
            _ = try store.accept([InboxItem(receivedAt: Date(), endpoint: "pull", payload: payload, rejection: nil)])
        }
        #expect(try walBytes() > 64 << 20)
        try checkpointer.run()
        _ = try store.accept([InboxItem(receivedAt: Date(), endpoint: "pull", payload: [1], rejection: nil)])
        #expect(try walBytes() <= 32 << 20)
        #expect(try store.pendingCount() == 1401)
    }

    @Test("everything survives closing and reopening the file")
    func persistence() throws {
        do {
            let store = try self.open()
            _ = try store.accept([InboxItem(receivedAt: Date(), endpoint: "acked", payload: [1, 2, 3], rejection: nil)])
            try store.markPublished(through: 41)
        }
        let reopened = try self.open()
        #expect(try reopened.pending(after: 0, limit: 10).map(\.payload) == [[1, 2, 3]])
        #expect(try reopened.publishedThrough() == 41)
    }

    @Test("inspect finds every copy in an article's cluster")
    func clusterLookup() throws {
        let store = try self.open()
        var batch = JournalBatch()
        let now = Date()
        batch.entries = [
            JournalEntry(seq: 1, topic: "article.en", articleID: "first", cluster: "first", status: "unique", recordedAt: now, envelope: [1]),
            JournalEntry(seq: 2, topic: "duplicate", articleID: "copy", cluster: "first", status: "exact", recordedAt: now, envelope: [2]),
            JournalEntry(seq: 3, topic: "article.en", articleID: "other", cluster: "other", status: "unique", recordedAt: now, envelope: [3]),
        ]
        try store.commit(batch)
        #expect(try store.entries(articleID: "first").map(\.seq) == [1, 2])
        #expect(try store.entries(articleID: "copy").map(\.seq) == [1, 2])
        #expect(try store.entries(articleID: "missing").isEmpty)
    }

    @Test("retention trims the journal by count and by age")
    func trimming() throws {
        let store = try self.open()
        var batch = JournalBatch()
        let old = Date().addingTimeInterval(-100 * 86_400)
        batch.entries = (1...10).map {
            JournalEntry(seq: Int64($0), topic: "article.en", articleID: "a\($0)", cluster: "a\($0)", status: "unique",
                         recordedAt: $0 == 1 ? old : Date(), envelope: [])
        }
        try store.commit(batch)
        let cutoff = Date().addingTimeInterval(-30 * 86_400)
        let removed = try store.trim(keepLast: 5, olderThan: cutoff, dedupOlderThan: cutoff, dedupKeep: 10)
        #expect(removed == 5)
        #expect(try store.journal(after: 0, limit: 100).map(\.seq) == [6, 7, 8, 9, 10])
    }

    @Test("a store in an unwritable place fails to open with an error, not a crash")
    func unwritable() throws {
        #expect(throws: (any Error).self) { try Store(path: "/proc/wirewatch/state.db") }
    }
}
