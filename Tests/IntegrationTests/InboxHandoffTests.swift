import Foundation
import Storage
import Testing
@testable import WirewatchService

/// The in-memory handoff of inbox rows from ingest to the pipeline, with rows from a real store.
struct InboxHandoffTests {
    let store: Store

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.store = try Store(path: directory.appendingPathComponent("state.db").path)
    }

    func write(_ count: Int, bytes: Int = 16) throws -> [InboxRow] {
        try self.store.accept((0..<count).map { _ in
            InboxItem(receivedAt: Date(), endpoint: "pull", payload: [UInt8](repeating: 0x61, count: bytes), rejection: nil)
        })
    }

    @Test("rows after the chain's start come from memory, again until passed; rows before it from the store")
    func chain() throws {
        let handoff = InboxHandoff()
        let before = try self.write(2)
        #expect(handoff.take(after: 0, limit: 10) == nil, "nothing vouched for before ingest starts")
        handoff.start(after: try self.store.lastInboxID())
        let rows = try self.write(3)
        handoff.put(rows)
        #expect(handoff.take(after: 0, limit: 10) == nil, "the two rows written before the start are in the store only")
        let last = before[1].id
        #expect(handoff.take(after: last, limit: 2)?.map(\.id) == Array(rows[0...1]).map(\.id))
        #expect(handoff.take(after: last, limit: 2)?.map(\.id) == Array(rows[0...1]).map(\.id), "taken again")
        #expect(handoff.take(after: rows[1].id, limit: 10)?.map(\.id) == [rows[2].id])
        #expect(handoff.take(after: rows[2].id, limit: 10)?.isEmpty == true, "caught up")
        handoff.put(try self.write(1))
        handoff.release(through: rows[2].id + 1)
        #expect(handoff.take(after: rows[2].id, limit: 10)?.isEmpty == true, "released")
        // Rows the pipeline read from the store meanwhile are skipped, not returned twice.
        let more = try self.write(3)
        handoff.put(more)
        #expect(handoff.take(after: more[0].id, limit: 10)?.map(\.id) == Array(more[1...]).map(\.id))
    }

    @Test("a full handoff lets go of everything and vouches only for what comes after")
    func overflow() throws {
        let handoff = InboxHandoff(maxRows: 4, maxBytes: 1 << 20)
        handoff.start(after: try self.store.lastInboxID())
        let first = try self.write(3)
        handoff.put(first)
        let second = try self.write(2)
        handoff.put(second)
        #expect(handoff.take(after: first[0].id, limit: 10) == nil, "the store has them")
        #expect(handoff.take(after: second[1].id, limit: 10)?.isEmpty == true)
        let third = try self.write(1)
        handoff.put(third)
        #expect(handoff.take(after: second[1].id, limit: 10)?.map(\.id) == [third[0].id])

        let bytes = InboxHandoff(maxRows: 100, maxBytes: 100)
        bytes.start(after: try self.store.lastInboxID())
        let big = try self.write(2, bytes: 60)
        bytes.put(big)
        #expect(bytes.take(after: third[0].id, limit: 10) == nil, "over its byte bound")
    }
}
