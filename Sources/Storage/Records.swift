import Foundation
import GRDB

/// One payload as the ingest received it, to be written durably before it is acknowledged.
public struct InboxItem: Sendable {
    public struct Rejection: Sendable {
        public let code: String
        public let reason: String
        public let payloadSHA256: String

        public init(code: String, reason: String, payloadSHA256: String) {
            self.code = code
            self.reason = reason
            self.payloadSHA256 = payloadSHA256
        }
    }

    public let receivedAt: Date
    public let endpoint: String
    public let payload: [UInt8]
    /// Set when the payload failed validation: it goes to the dead-letter table and on to topic `error`.
    public let rejection: Rejection?

    public init(receivedAt: Date, endpoint: String, payload: [UInt8], rejection: Rejection?) {
        self.receivedAt = receivedAt
        self.endpoint = endpoint
        self.payload = payload
        self.rejection = rejection
    }
}

/// An accepted payload waiting for the pipeline.
public struct InboxRow: Sendable {
    public struct Rejection: Sendable {
        public let deadLetterID: Int64
        public let code: String
        public let reason: String
        public let payloadSHA256: String
        public let payloadBytes: Int
    }

    public let id: Int64
    public let receivedAt: Date
    public let endpoint: String
    public let payload: [UInt8]
    public let rejection: Rejection?
}

/// One published envelope as journaled.
public struct JournalEntry: Sendable, Equatable {
    public let seq: Int64
    public let topic: String
    public let articleID: String?
    public let cluster: String?
    public let status: String?
    public let recordedAt: Date
    /// The JSON envelope exactly as published.
    public let envelope: [UInt8]
    /// `envelope` as the journal stores it (`EnvelopeCompression`), when it was compressed before the commit, off
    /// the writer's thread; nil, and the store compresses it inside the commit.
    public let stored: Data?

    public init(seq: Int64, topic: String, articleID: String?, cluster: String?, status: String?, recordedAt: Date,
                envelope: [UInt8], stored: Data? = nil) {
        self.seq = seq
        self.topic = topic
        self.articleID = articleID
        self.cluster = cluster
        self.status = status
        self.recordedAt = recordedAt
        self.envelope = envelope
        self.stored = stored
    }

    init(row: Row) throws {
        self.seq = row["seq"]
        self.topic = row["topic"]
        self.articleID = row["article_id"]
        self.cluster = row["cluster"]
        self.status = row["status"]
        self.recordedAt = Date(timeIntervalSince1970: row["recorded_at"])
        self.envelope = try EnvelopeCompression.unpack(row["envelope"] as Data)
        self.stored = nil
    }
}

/// One remembered article of the dedup memory, serialized by the dedup layer.
public struct DedupRecordRow: Sendable, Equatable {
    public let slot: UInt32
    public let articleID: String
    public let cluster: String
    public let firstSeen: Date
    public let keys: [UInt8]
    public let features: [UInt8]?

    public init(slot: UInt32, articleID: String, cluster: String, firstSeen: Date, keys: [UInt8], features: [UInt8]?) {
        self.slot = slot
        self.articleID = articleID
        self.cluster = cluster
        self.firstSeen = firstSeen
        self.keys = keys
        self.features = features
    }
}

/// What one pipeline batch writes in one transaction.
public struct JournalBatch: Sendable {
    public var entries: [JournalEntry] = []
    /// What the dedup memory keeps of the batch's articles.
    public var dedupRecords: [DedupRecordRow] = []
    /// The inbox rows this batch consumed: any of them, in any order (rows between them stay unless listed).
    public var inboxIDs: [Int64] = []
    /// The publisher's progress, recorded on the way.
    public var publishedThrough: Int64?

    public init() {}
}

public struct DeadLetter: Sendable, Equatable {
    public let id: Int64
    public let receivedAt: Date
    public let endpoint: String
    public let code: String
    public let reason: String
    public let payloadSHA256: String
    public let payload: [UInt8]
}

public struct StoreCounts: Sendable, Equatable, Codable {
    public let journal: Int
    public let pending: Int
    public let deadLetters: Int
    public let dedupMemory: Int
}
