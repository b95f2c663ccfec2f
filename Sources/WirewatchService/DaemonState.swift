import Dedup
import Foundation
import Metrics
import Synchronization

/// Live counters shared by the daemon's threads, read by `/metrics`, `STATUS=`, the watchdog and `stats`.
public final class DaemonState: Sendable {
    public let startedAt = Date()
    let accepted = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let processed = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    let published = Atomic<Int>(0)
    /// Highest `seq` sent on the PUB socket.
    let publishedSeq = Atomic<Int64>(0)
    /// Highest `seq` journaled.
    let journaledSeq = Atomic<Int64>(0)
    /// Inbox rows written minus rows journaled.
    let backlog = Atomic<Int>(0)
    /// Inbox rows ingest has committed, rejections included: while it stands still, the pipeline has read all
    /// there is and need not ask the store again.
    let inboxWritten = Atomic<Int>(0)
    /// The rows ingest just committed, for the pipeline to take without reading them back.
    let inboxHandoff = InboxHandoff()
    /// Monotonic nanoseconds of the pipeline loop's last turn; a stale value means the pipeline is wedged.
    let pipelineTick = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)
    let socketsBound = Atomic<Int>(0)
    /// The pipeline has loaded the analysis resources and taken its first look at the inbox.
    let pipelineStarted = Atomic<Bool>(false)
    /// Ingest and the pipeline write the store separately and either can fail alone (the pipeline's first commit
    /// after a disk fills, say, while ingest has not written yet); each keeps its own flag so each logs its own
    /// failure and recovery, and readiness needs both.
    let inboxWritable = Atomic<Bool>(true)
    let journalWritable = Atomic<Bool>(true)
    /// False while the PostgreSQL dedup memory (`store.postgres`) cannot be reached; true when there is none.
    let sharedMemoryHealthy = Atomic<Bool>(true)
    let ready = Atomic<Bool>(false)
    /// Near-duplicate thresholds; SIGHUP replaces them, the pipeline picks them up at its next batch.
    let dedupThresholds: Mutex<NearDedupSettings>

    // Metric handles are created once; dimensions come from a small fixed set.
    let acceptedCounter = Counter(label: "wirewatch_ingest_accepted_total")
    let rejectedCounter = Counter(label: "wirewatch_ingest_rejected_total")
    let publishedCounters: [String: Counter] = Dictionary(
        uniqueKeysWithValues: ["article", "duplicate", "error"].map {
            ($0, Counter(label: "wirewatch_published_total", dimensions: [("kind", $0)]))
        }
    )
    let backlogGauge = Gauge(label: "wirewatch_pipeline_backlog")
    /// 1 while ingest leaves messages in libzmq's queues (backlog at `ingest.max_backlog`), so PUSH peers block.
    let ingestPausedGauge = Gauge(label: "wirewatch_ingest_paused")
    let seqGauge = Gauge(label: "wirewatch_journal_seq")
    /// Analysis resources that failed to load at startup: above 0, some fields come out empty or poorer.
    let unusableResourcesGauge = Gauge(label: "wirewatch_analysis_resources_unusable")
    let batchTimer = Metrics.Timer(label: "wirewatch_pipeline_batch_duration")
    let latencyTimer = Metrics.Timer(label: "wirewatch_ingest_to_publish_latency")

    public init(dedup: NearDedupSettings = NearDedupSettings()) {
        self.dedupThresholds = Mutex(dedup)
    }

    func tick() {
        self.pipelineTick.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
    }

    /// Seconds since the pipeline last went round its loop.
    var secondsSincePipelineTick: Double {
        Double(DispatchTime.now().uptimeNanoseconds &- self.pipelineTick.load(ordering: .relaxed)) / 1e9
    }

    var storeHealthy: Bool {
        self.inboxWritable.load(ordering: .relaxed) && self.journalWritable.load(ordering: .relaxed)
    }

    public var isReady: Bool {
        self.ready.load(ordering: .relaxed) && self.storeHealthy
            && self.sharedMemoryHealthy.load(ordering: .relaxed)
    }

    /// A point-in-time copy of the counters.
    public struct Snapshot: Sendable, Codable, Equatable {
        public var accepted: Int
        public var rejected: Int
        public var processed: Int
        public var duplicates: Int
        public var published: Int
        public var publishedSeq: Int64
        public var backlog: Int
        public var uptimeSeconds: Double
    }

    public func snapshot() -> Snapshot {
        Snapshot(
            accepted: self.accepted.load(ordering: .relaxed),
            rejected: self.rejected.load(ordering: .relaxed),
            processed: self.processed.load(ordering: .relaxed),
            duplicates: self.duplicates.load(ordering: .relaxed),
            published: self.published.load(ordering: .relaxed),
            publishedSeq: self.publishedSeq.load(ordering: .relaxed),
            backlog: self.backlog.load(ordering: .relaxed),
            uptimeSeconds: Date().timeIntervalSince(self.startedAt)
        )
    }
}

/// Rates over a sliding window, from periodic snapshots.
final class RateTracker: Sendable {
    private let samples = Mutex<[(time: Double, snapshot: DaemonState.Snapshot)]>([])
    let window: Double

    init(window: Double = 60) {
        self.window = window
    }

    func record(_ snapshot: DaemonState.Snapshot) {
        self.samples.withLock { samples in
            samples.append((snapshot.uptimeSeconds, snapshot))
            while let first = samples.first, snapshot.uptimeSeconds - first.time > self.window { samples.removeFirst() }
        }
    }

    /// Per-second rates of accepted, published and rejected payloads over the window.
    func rates() -> (accepted: Double, published: Double, rejected: Double) {
        self.samples.withLock { samples in
            guard let first = samples.first, let last = samples.last, last.time > first.time else { return (0, 0, 0) }
            let span = last.time - first.time
            return (
                Double(last.snapshot.accepted - first.snapshot.accepted) / span,
                Double(last.snapshot.published - first.snapshot.published) / span,
                Double(last.snapshot.rejected - first.snapshot.rejected) / span
            )
        }
    }
}
