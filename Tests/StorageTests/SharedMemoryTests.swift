import Foundation
import Logging
import Storage
import Synchronization
import Testing
import TestSupport

/// The PostgreSQL dedup memory against a real server started for the suite's tests.
@Suite("PostgreSQL shared memory", .serialized)
struct SharedMemoryTests {
    func row(_ slot: UInt32, node: Int64 = 7, features: [UInt8]? = [1, 2, 3], of: String? = nil) -> SharedMemory.Row {
        SharedMemory.Row(
            record: DedupRecordRow(
                slot: slot, articleID: "a\(slot)", cluster: "c\(slot)", firstSeen: Date(timeIntervalSince1970: 1_700_000_000 + Double(slot)),
                keys: [UInt8](repeating: UInt8(slot & 0xff), count: 16), features: features
            ),
            originNode: node, originInbox: Int64(slot) + 100, status: of == nil ? "unique" : "near", of: of,
            similarity: of == nil ? nil : 0.75
        )
    }

    @Test("rows round-trip with their nulls; the fleet's next slot only moves on")
    func roundTrip() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let memory = SharedMemory(location: try .init(url: try server.createDatabase("roundtrip")), logger: Logger(label: "test"))
        #expect(try memory.begin() == 0)
        let rows = [self.row(0), self.row(1, features: nil, of: "a0"), self.row(2)]
        try memory.commit(rows, nextSlot: 3)
        #expect(try memory.begin() == 3)
        try memory.commit([], nextSlot: 2)
        #expect(try memory.begin() == 3, "next_slot never goes back")
        memory.rollback()
        #expect(try memory.rows(from: 0, limit: 10) == rows)
        #expect(try memory.rows(from: 1, limit: 1) == [rows[1]])
        #expect(try memory.rows(originNode: 7, fromInbox: 101).map(\.record.slot) == [1, 2])
        #expect(try memory.rows(originNode: 8, fromInbox: 0).isEmpty)
        #expect(try memory.articleID(at: 2) == "a2")
        #expect(try memory.articleID(at: 9) == nil)
        // All but the newest two by count; then by age.
        #expect(try memory.trim(olderThan: Date(timeIntervalSince1970: 0), keep: 2) == 1)
        #expect(try memory.trim(olderThan: Date(timeIntervalSince1970: 1_700_000_002), keep: 100) == 1)
        #expect(try memory.count() == 1)
    }

    @Test("a rolled-back batch stores nothing; a second daemon waits for the first's batch and then sees it")
    func lockSerializesBatches() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase("lock")
        let first = SharedMemory(location: try .init(url: url), logger: Logger(label: "first"))
        let second = SharedMemory(location: try .init(url: url), logger: Logger(label: "second"))
        _ = try first.begin()
        first.rollback()
        #expect(try first.count() == 0)

        #expect(try first.begin() == 0)
        let secondSaw = Mutex<UInt32?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            secondSaw.withLock { $0 = try? second.begin() }
            second.rollback()
            done.signal()
        }
        thread.start()
        // While the first holds the lock, the second cannot start its batch.
        #expect(done.wait(timeout: .now() + 1) == .timedOut)
        try first.commit([self.row(0), self.row(1)], nextSlot: 2)
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(secondSaw.withLock { $0 } == 2)
    }

    @Test("a lost server fails the call with a clear error; the next call reconnects")
    func reconnects() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let url = try server.createDatabase("reconnect")
        let memory = SharedMemory(location: try .init(url: url), logger: Logger(label: "test"))
        try memory.connect()
        // Ends every other session, as a server restart or a failover would.
        _ = try server.psql("reconnect", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = 'reconnect'")
        #expect(throws: SharedMemoryError.self) { try memory.count() }
        #expect(try memory.count() == 0)
    }

    @Test("URLs: host, port, user, password, database, socket directory, TLS; bad ones say why")
    func urls() throws {
        let full = try SharedMemory.Location(url: "postgres://desk:s3cret@db.internal:6543/wire?sslmode=require")
        #expect(full.host == "db.internal" && full.port == 6543 && full.username == "desk")
        #expect(full.password == "s3cret" && full.database == "wire" && full.requireTLS)
        #expect(!full.description.contains("s3cret"))
        let socket = try SharedMemory.Location(url: "postgresql://desk@/wire?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql" && socket.port == 5432 && !socket.requireTLS)
        #expect(throws: SharedMemoryError.self) { try SharedMemory.Location(url: "mysql://x@y/z") }
        do {
            _ = try SharedMemory.Location(url: "mysql://desk:s3cret@db/wire")
        } catch {
            #expect(!"\(error)".contains("s3cret"), "a bad URL's password stays out of the message")
            #expect("\(error)".contains("mysql"))
        }
        #expect(throws: SharedMemoryError.self) { try SharedMemory.Location(url: "postgres://x@y/z?sslmode=maybe") }
    }
}
