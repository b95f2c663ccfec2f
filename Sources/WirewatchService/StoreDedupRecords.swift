import Dedup
import Foundation
import Storage

/// The dedup memory's records in the daemon's store. Rows are written by the pipeline's batch commit, with the
/// journal entries they belong to, so a crash never leaves one without the other.
struct StoreDedupRecords: DedupRecordSource {
    let store: Store
    let shingleSize: Int

    func record(_ slot: UInt32) -> DedupRecord? {
        guard let row = try? self.store.dedupRecord(slot: slot) else { return nil }
        return DedupRecord(
            slot: row.slot, articleID: row.articleID, cluster: row.cluster, firstSeen: row.firstSeen,
            keys: DedupRecord.keys(from: row.keys),
            features: row.features.flatMap { NearFeatures(bytes: $0, shingleSize: self.shingleSize) }
        )
    }

    func keep(_ record: DedupRecord) {}

    func forget(below slot: UInt32) {}
}

extension DedupRecordRow {
    init(_ record: DedupRecord, shingleSize: Int) {
        self.init(
            slot: record.slot, articleID: record.articleID, cluster: record.cluster, firstSeen: record.firstSeen,
            keys: record.keyBytes, features: record.features?.bytes(shingleSize: shingleSize)
        )
    }
}
