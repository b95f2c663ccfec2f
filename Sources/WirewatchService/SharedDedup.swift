import Articles
import Dedup
import Foundation
import Logging
import Storage

/// The pipeline's side of a dedup memory shared through PostgreSQL (`store.postgres`): keeps this daemon's
/// engine and local mirror level with the fleet's table, and brings back verdicts this daemon stored in the
/// fleet's table but had not journaled when it last stopped.
final class SharedDedup {
    let memory: SharedMemory
    let store: Store
    let node: Int64
    let logger: Logger
    /// Verdicts by inbox row, for rows decided before a crash cut the journal commit off.
    private(set) var earlierVerdicts: [Int64: SharedMemory.Row] = [:]

    /// Rows fetched per round trip when catching up.
    static let page = 2000

    init(memory: SharedMemory, store: Store, logger: Logger) throws {
        self.memory = memory
        self.store = store
        self.node = try store.nodeID()
        self.logger = logger
    }

    /// Makes the engine whole: the local mirror when it is a prefix of the fleet's table (else it is dropped),
    /// then what the fleet added since.
    func prepare(_ engine: inout DedupEngine, fresh: () -> DedupEngine) throws {
        try self.memory.connect()
        if let last = try self.store.lastDedupSlot() {
            let local = try self.store.dedupRecord(slot: last)?.articleID
            let shared = try self.memory.articleID(at: last)
            if local == nil || local != shared {
                self.logger.notice(
                    "the local dedup memory does not match the shared one; rebuilding it from PostgreSQL",
                    metadata: ["dedup.local_last_slot": "\(last)"]
                )
                try self.store.clearDedupMemory()
                engine = fresh()
            }
        }
        let fleetNext = try self.memory.begin()
        defer { self.memory.rollback() }
        try self.catchUp(&engine, fleetNext: fleetNext)
        if let first = try self.store.pending(after: 0, limit: 1).first {
            for row in try self.memory.rows(originNode: self.node, fromInbox: first.id) {
                self.earlierVerdicts[row.originInbox] = row
            }
        }
        if !self.earlierVerdicts.isEmpty {
            self.logger.notice(
                "reusing dedup verdicts stored before the last stop",
                metadata: ["dedup.verdicts": "\(self.earlierVerdicts.count)"]
            )
        }
    }

    /// Under the fleet's lock: takes in the rows other daemons added since this one last looked.
    func catchUp(_ engine: inout DedupEngine, fleetNext: UInt32) throws {
        while engine.nextSlot < fleetNext {
            let rows = try self.memory.rows(from: engine.nextSlot, limit: Self.page)
            guard let last = rows.last else { break }
            // The mirror first: the engine reads candidates' features from it.
            try self.store.putDedupRecords(rows.map(\.record))
            for row in rows {
                engine.restore(
                    slot: row.record.slot, firstSeen: row.record.firstSeen,
                    keys: DedupRecord.keys(from: row.record.keys)
                )
            }
            if last.record.slot + 1 < engine.nextSlot || rows.count < Self.page { break }
        }
        engine.skip(to: fleetNext)
    }

    /// The verdict stored for inbox row `id` before the last stop, once.
    func takeEarlierVerdict(inbox id: Int64) -> DedupVerdict? {
        guard let row = self.earlierVerdicts.removeValue(forKey: id),
            let status = DedupInfo.Status(rawValue: row.status)
        else { return nil }
        return DedupVerdict(
            info: DedupInfo(status: status, of: row.of, similarity: row.similarity, cluster: row.record.cluster),
            record: nil
        )
    }

    /// The fleet's row for a verdict this daemon just took.
    func row(_ verdict: DedupVerdict, inbox: Int64, shingleSize: Int) -> SharedMemory.Row? {
        guard let record = verdict.record else { return nil }
        return SharedMemory.Row(
            record: DedupRecordRow(record, shingleSize: shingleSize), originNode: self.node, originInbox: inbox,
            status: verdict.info.status.rawValue, of: verdict.info.of, similarity: verdict.info.similarity
        )
    }
}
