import Articles
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

    @Test("ingest's decoded articles travel with their rows, and count against the byte bound")
    func decodedArticles() throws {
        let handoff = InboxHandoff(maxRows: 100, maxBytes: 100)
        handoff.start(after: try self.store.lastInboxID())
        let rows = try self.write(3, bytes: 16)
        let articles = try ["a", "b"].map { try ArticleDecoder.decode(Array("{\"id\":\"\($0)\",\"text\":\"x\"}".utf8)) }
        handoff.put(rows, articles: [articles[0], nil, articles[1]])
        let taken = try #require(handoff.takeDecoded(after: rows[0].id - 1, limit: 10))
        #expect(taken.rows.map(\.id) == rows.map(\.id))
        #expect(taken.articles.map { $0?.id } == ["a", nil, "b"])
        #expect(handoff.takeDecoded(after: rows[0].id, limit: 1)?.articles.map { $0?.id } == [nil], "aligned after a skip")
        // Rows with an article count twice their payload: 48 bytes held once the first row is passed, and two more
        // rows with articles (64) pass the bound of 100, where rows alone (32) would not.
        let more = try self.write(2, bytes: 16)
        handoff.put(more, articles: [articles[0], articles[1]])
        #expect(handoff.take(after: rows[0].id, limit: 10) == nil, "over its byte bound")
        // Articles for some rows only are not matched to rows by guesswork: none are kept.
        let last = try self.write(1, bytes: 16)
        handoff.put(last, articles: articles)
        #expect(handoff.takeDecoded(after: more[1].id, limit: 10)?.articles.map { $0?.id } == [nil])
    }
}
