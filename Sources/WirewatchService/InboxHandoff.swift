import Articles
import Storage
import Synchronization

/// The inbox rows ingest has just committed, handed to the pipeline in memory so it need not read them back.
///
/// The inbox stays the record: a row is handed over only after its commit, and the pipeline falls back to reading
/// the store whenever the handoff cannot vouch for what follows the last row it took. Reading each article back
/// through SQLite's reader pool (a pooled connection, a read transaction, the query) took a sixth of the pipeline
/// thread at 750 articles/s, on the path of every article's latency.
///
/// It holds every row with an id in `(chainStart, newest]`: ingest is the inbox's only writer, and it hands over
/// each batch it commits, with the articles it decoded to validate them (decoding again took an eighth of the
/// pipeline thread). When the pipeline falls behind and the handoff fills, it lets go of everything and starts
/// a new chain after the newest row: the store still has those rows, and the pipeline reads them from there.
final class InboxHandoff: Sendable {
    struct Held {
        var chainStart: Int64 = .max
        var rows: [InboxRow] = []
        /// Per row, the article ingest decoded from its payload, if it kept it.
        var articles: [Article?] = []
        var head = 0
        var bytes = 0
    }

    private let held = Mutex(Held())
    let maxRows: Int
    let maxBytes: Int

    init(maxRows: Int = 1024, maxBytes: Int = 4 << 20) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }

    /// What a held row counts against `maxBytes`: its payload, and as much again for a decoded article (which holds
    /// about what its payload does). Taken back by the same measure when the row is let go.
    private static func weight(_ row: InboxRow, _ article: Article?) -> Int {
        row.payload.count * (article == nil ? 1 : 2)
    }

    /// Ingest, before its first write: rows up to `lastInboxID` are in the store only.
    func start(after lastInboxID: Int64) {
        self.held.withLock { held in
            held = Held()
            held.chainStart = lastInboxID
        }
    }

    /// Ingest, after each commit: the rows it wrote, in id order, and the article it decoded from each (nil for a
    /// rejected row), or none.
    func put(_ rows: [InboxRow], articles: [Article?] = []) {
        guard let newest = rows.last?.id else { return }
        let articles = articles.count == rows.count ? articles : [Article?](repeating: nil, count: rows.count)
        let bytes = zip(rows, articles).reduce(0) { $0 + Self.weight($1.0, $1.1) }
        self.held.withLock { held in
            guard held.chainStart != .max else { return }
            if held.rows.count - held.head + rows.count > self.maxRows || held.bytes + bytes > self.maxBytes {
                held = Held()
                held.chainStart = newest
                return
            }
            held.rows.append(contentsOf: rows)
            held.articles.append(contentsOf: articles)
            held.bytes += bytes
        }
    }

    /// The pipeline, caught up: lets go of the rows up to `inboxID` (it has decided them and asks only after them
    /// from now on) now rather than at the next take, so an idle daemon holds none of the last burst's payloads.
    func release(through inboxID: Int64) {
        _ = self.take(after: inboxID, limit: 0)
    }

    /// The pipeline: up to `limit` rows after `inboxID`, oldest first, as `Store.pending` would read them; nil when
    /// some of them may be in the store only. Rows are let go once a later call asks for what follows them, so a
    /// pipeline that takes rows and then backs off (the shared memory out of reach) gets the same rows again.
    func take(after inboxID: Int64, limit: Int) -> [InboxRow]? {
        self.takeDecoded(after: inboxID, limit: limit)?.rows
    }

    /// `take`, with the article ingest decoded from each row where it kept one.
    func takeDecoded(after inboxID: Int64, limit: Int) -> (rows: [InboxRow], articles: [Article?])? {
        self.held.withLock { held in
            guard inboxID >= held.chainStart else { return nil }
            while held.head < held.rows.count && held.rows[held.head].id <= inboxID {
                held.bytes -= Self.weight(held.rows[held.head], held.articles[held.head])
                held.head += 1
            }
            if held.head == held.rows.count {
                held.rows.removeAll(keepingCapacity: held.rows.capacity <= 1024)
                held.articles.removeAll(keepingCapacity: held.articles.capacity <= 1024)
                held.head = 0
            } else if held.head > 1024 && held.head * 2 > held.rows.count {
                held.rows.removeFirst(held.head)
                held.articles.removeFirst(held.head)
                held.head = 0
            }
            let end = min(held.rows.count, held.head + limit)
            return (Array(held.rows[held.head..<end]), Array(held.articles[held.head..<end]))
        }
    }
}
