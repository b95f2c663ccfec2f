import Analysis
import Articles
import CLinux
import Dedup
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// The ordered heart of the daemon, on one thread: it takes accepted payloads from the inbox in arrival order,
/// dedups them one by one, hands analysis to `pipeline.workers` threads, and journals finished envelopes in one
/// transaction per run, giving each its `seq` as it goes, before handing them to the publisher.
///
/// Articles stream: an envelope is journaled as soon as it is done, whatever is still in analysis before it, so a
/// long article delays no other (at 750 articles/s, waiting for the one before put the publish leg's p99 at 5–7 ms
/// against 3–4 without). A copy alone waits, for its original while that is in flight: no duplicate is published
/// before what it duplicates. Runs that finish together are journaled together, so the commits stay few under
/// load.
///
/// On graceful shutdown it drains the inbox until it is empty or `pipeline.shutdown_seconds` pass; what remains
/// stays in the inbox and is processed at the next start.
struct PipelineService: Service {
    let config: WirewatchConfig
    let store: Store
    let state: DaemonState
    let workSignal: WorkSignal
    let outbox: BlockingQueue<Outgoing>
    let logger: Logger

    /// WIREWATCH_TEST_HANG_PIPELINE_AFTER=N: after N articles the pipeline stops turning (tests only).
    static let testHangAfter = ProcessInfo.processInfo.environment["WIREWATCH_TEST_HANG_PIPELINE_AFTER"].flatMap(Int.init)

    func run() async throws {
        try await runServiceLoop(name: "ww-pipeline") { stop in try self.loop(stop: stop) }
    }

    func loop(stop: StopFlag) throws {
        let processor = ArticleProcessor(limits: DecodeLimits(config: self.config))
        let window = self.config.dedup.windowDays * 86_400
        let freshEngine = {
            DedupEngine(
                settings: self.config.dedup.settings, maxArticles: self.config.dedup.maxArticles,
                source: StoreDedupRecords(store: self.store, shingleSize: self.config.dedup.shingleSize),
                unwritten: self.config.pipeline.batch
            )
        }
        let localEngine = {
            var engine = freshEngine()
            try self.store.dedupKeys(since: Date().addingTimeInterval(-window)) { slot, firstSeen, keys in
                engine.restore(slot: slot, firstSeen: firstSeen, keys: DedupRecord.keys(from: keys))
            }
            return engine
        }
        var dedup = try localEngine()
        let shared: SharedDedup? =
            self.config.store.postgres.isEmpty
            ? nil
            : try SharedDedup(
                memory: SharedMemory(location: try SharedMemory.Location(url: self.config.store.postgres), logger: self.logger),
                store: self.store, logger: self.logger
            )
        // Until the shared memory is reached, nothing is decided: the inbox keeps what ingest accepts.
        var sharedNeedsPrepare = shared != nil
        var sharedRetryDelay = 0.25
        var nextSeq = try self.store.lastSeq() + 1
        self.state.journaledSeq.store(nextSeq - 1, ordering: .relaxed)
        self.state.publishedSeq.store(nextSeq - 1, ordering: .relaxed)
        try self.redeliverUnpublished()
        let pending = try self.store.pendingCount()
        self.state.backlog.store(pending, ordering: .relaxed)
        // Models and lexicons load now, not on the first article: a missing file is reported at startup.
        let loadStarted = Date()
        let resourceProblems = Analyzer.warmUp()
        self.state.unusableResourcesGauge.record(resourceProblems.count)
        // Loading reads files of megabytes and builds the indexes through scratch arrays: hand that back now, not
        // after the first burst, so an idle daemon holds only the loaded resources.
        malloc_trim(0)
        if let directory = ResourceFiles.directory {
            // The daemon serves without a broken resource (the fields it feeds come out empty or poorer) rather than
            // stop the feed, but says which and why, once per file.
            for problem in resourceProblems {
                self.logger.error(
                    "analysis resource unusable: the fields it feeds will be empty or degraded",
                    metadata: ["resource.file": "\(problem.resource)", "error": "\(problem)"])
            }
            self.logger.info(
                "analysis resources loaded",
                metadata: [
                    "resources.directory": "\(directory.path)",
                    "resources.seconds": "\(String(format: "%.2f", Date().timeIntervalSince(loadStarted)))",
                ])
        } else {
            self.logger.error(
                "analysis resources not found: entities, places and lexicon-based fields will be empty (set WIREWATCH_RESOURCES or reinstall)")
        }
        self.state.tick()
        self.state.pipelineStarted.store(true, ordering: .relaxed)
        self.logger.info(
            "pipeline started",
            metadata: [
                "dedup.remembered": "\(dedup.count)", "dedup.memory_bytes": "\(dedup.memoryBytes)", "journal.seq": "\(nextSeq - 1)", "inbox.pending": "\(pending)",
                "pipeline.workers": "\(self.config.workerCount)",
            ]
        )
        var lastInboxID: Int64 = 0
        // What `state.inboxWritten` was before the last read of the inbox, and whether that read took all it found.
        var inboxWrittenAtRead = -1
        var lastReadDrained = false
        var drainDeadline: Date? = nil
        var lastTrim = Date()
        let pool = WorkerPool(workers: self.config.workerCount, name: "ww-analysis")
        defer { pool.stop() }
        let finished = FinishedEnvelopes()
        // Decided and not yet journaled, in decision order.
        var inFlight: [InFlight] = []
        // Decision order: what a copy waits on. Not the `seq`, which is given at journaling.
        var nextTicket: Int64 = 0
        // In-flight articles that go to analysis, by id: a copy of one of them waits for it.
        var inFlightByID: [String: Int64] = [:]
        let inFlightLimit = self.config.pipeline.batch
        var processedAtTrim = 0
        var lastMemoryTrim = Date.distantPast
        var processedSeen = 0
        var processedChangedAt = Date.distantPast
        /// Journals what has finished, in the order it finished, numbering it as it goes (the publisher's `seq`):
        /// a long article no longer holds back the short ones decided after it. Only a copy waits, for the article
        /// it copies while that is in flight, so no duplicate is published before its original. False when the
        /// store stayed unwritable past the drain deadline: nothing of the run is journaled, and its rows stay in
        /// the inbox.
        func commitFinished() -> Bool {
            guard !inFlight.isEmpty else { return true }
            let done = finished.tickets()
            guard !done.isEmpty else { return true }
            var taken = Set<Int64>()
            var runIndices: [Int] = []
            let pending = Set(inFlight.map(\.ticket))
            for (index, item) in inFlight.enumerated() where done.contains(item.ticket) {
                if let original = item.waitsFor, pending.contains(original), !taken.contains(original) { continue }
                taken.insert(item.ticket)
                runIndices.append(index)
            }
            guard !runIndices.isEmpty else { return true }
            let run = runIndices.map { inFlight[$0] }
            let outgoing = finished.take(run.map(\.ticket))
            let ready = zip(outgoing, nextSeq...).map { item, seq in
                Outgoing(entry: item.entry.sequenced(seq, packedHead: item.packedHead), receivedAt: item.receivedAt)
            }
            var batch = JournalBatch()
            batch.entries = ready.map(\.entry)
            batch.dedupRecords = run.compactMap(\.record)
            batch.inboxIDs = run.map(\.inboxID)
            batch.publishedThrough = self.state.publishedSeq.load(ordering: .relaxed)
            guard self.commit(batch, stop: stop, drainDeadline: &drainDeadline) else { return false }
            nextSeq += Int64(ready.count)
            for index in runIndices.reversed() { inFlight.remove(at: index) }
            for item in run where item.articleID != nil && inFlightByID[item.articleID!] == item.ticket {
                inFlightByID[item.articleID!] = nil
            }
            self.state.backlog.subtract(ready.count, ordering: .relaxed)
            self.state.journaledSeq.store(ready[ready.count - 1].entry.seq, ordering: .relaxed)
            self.state.processed.add(ready.count, ordering: .relaxed)
            self.state.backlogGauge.record(self.state.backlog.load(ordering: .relaxed))
            self.state.seqGauge.record(ready[ready.count - 1].entry.seq)
            self.state.batchTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - run[0].decidedAt))
            self.outbox.push(contentsOf: ready)
            return true
        }
        /// Journals everything in flight, waiting for its analysis.
        func commitAll() -> Bool {
            while !inFlight.isEmpty {
                guard commitFinished() else { return false }
                if !inFlight.isEmpty { self.workSignal.wait(timeout: 0.05) }
            }
            return true
        }
        /// Decisions made since the oldest one not yet journaled: the bound on what is in flight. Not the count in
        /// flight: behind a long article, later ones are journaled and replaced, and the dedup engine holds unwritten
        /// records for the newest `pipeline.batch` decisions only (`unwritten:` above). Past that, a record still in
        /// flight would be in neither the engine nor the store, and a copy of it would pass for new (5 copies in
        /// 100,000 articles did before this bound).
        func decisionsOpen() -> Int {
            inFlight.first.map { Int(nextTicket - $0.ticket) } ?? 0
        }
        /// Ingest has written since the last read of the inbox, or that read stopped at its limit.
        func inboxMayHaveMore() -> Bool {
            self.state.inboxWritten.load(ordering: .acquiring) != inboxWrittenAtRead || !lastReadDrained
        }
        func storeGaveUp() {
            self.logger.critical(
                "drain deadline reached with an unwritable store; what is not journaled stays in the inbox for the next start",
                metadata: ["inbox.pending": "\(self.state.backlog.load(ordering: .relaxed))"]
            )
        }
        loop: while true {
            self.state.tick()
            if stop.isRaised && drainDeadline == nil {
                drainDeadline = Date().addingTimeInterval(self.config.pipeline.shutdownSeconds)
                self.logger.info("pipeline draining", metadata: ["inbox.pending": "\(self.state.backlog.load(ordering: .relaxed))"])
            }
            if let deadline = drainDeadline, Date() >= deadline {
                self.logger.warning(
                    "drain deadline reached; the rest stays in the inbox for the next start",
                    metadata: ["inbox.pending": "\(self.state.backlog.load(ordering: .relaxed))"]
                )
                break
            }
            // New input first: it is decided and handed to a worker in a fraction of a millisecond, while a commit
            // (with its fsync) would keep it waiting. What finished is journaled on the next turn, when nothing
            // new is waiting, or now when nothing can be read (in flight at the limit, shared memory to reach).
            let inputWaiting = !sharedNeedsPrepare && decisionsOpen() < inFlightLimit && inboxMayHaveMore()
            if !inputWaiting {
                guard commitFinished() else {
                    storeGaveUp()
                    break
                }
            }
            if Date().timeIntervalSince(lastTrim) > 60 {
                lastTrim = Date()
                self.trim(&dedup, shared: shared)
            }
            if let shared, sharedNeedsPrepare {
                do {
                    try shared.prepare(&dedup, fresh: freshEngine)
                    sharedNeedsPrepare = false
                    sharedRetryDelay = 0.25
                    self.state.sharedMemoryHealthy.store(true, ordering: .relaxed)
                    self.logger.info(
                        "shared dedup memory reached",
                        metadata: [
                            "store.postgres": "\(shared.memory.location)", "dedup.remembered": "\(dedup.count)",
                            "dedup.next_slot": "\(dedup.nextSlot)",
                        ]
                    )
                } catch {
                    self.sharedMemoryFailed(error, delay: &sharedRetryDelay)
                    if drainDeadline != nil { break }
                    continue
                }
            }
            guard decisionsOpen() < inFlightLimit else {
                self.workSignal.wait(timeout: 0.05)
                continue
            }
            let rows: [InboxRow]
            // Per row, the article ingest decoded, when the rows came from it rather than the store.
            var decoded: [Article?] = []
            do {
                // Most wake-ups are a worker's finished article, not new input: at 750 articles/s half the reads
                // of the inbox found nothing, each a trip through the store's reader pool.
                if !inboxMayHaveMore() {
                    rows = []
                } else {
                    // Read before the inbox: what ingest writes after this is seen by the next turn.
                    let written = self.state.inboxWritten.load(ordering: .acquiring)
                    let limit = inFlightLimit - decisionsOpen()
                    if let handed = self.state.inboxHandoff.takeDecoded(after: lastInboxID, limit: limit) {
                        rows = handed.rows
                        decoded = handed.articles
                    } else {
                        rows = try self.store.pending(after: lastInboxID, limit: limit)
                    }
                    inboxWrittenAtRead = written
                    lastReadDrained = rows.count < limit
                }
            } catch {
                self.logger.error("reading the inbox failed; retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.5)
                continue
            }
            if rows.isEmpty {
                if drainDeadline != nil && inFlight.isEmpty { break }
                let processed = self.state.processed.load(ordering: .relaxed)
                if processed != processedSeen {
                    processedSeen = processed
                    processedChangedAt = Date()
                }
                // Caught up: hand back what a burst's queues (ingest, publisher, analysis) freed. glibc keeps freed
                // memory inside each thread's arena, and a burst leaves hundreds of MB there otherwise. At most every
                // 10 s under steady load, where the pipeline catches up between articles; and a second after a burst
                // ends, so the memory is back within a second, not up to ten.
                if inFlight.isEmpty && processed != processedAtTrim
                    && (Date().timeIntervalSince(lastMemoryTrim) > 10 || Date().timeIntervalSince(processedChangedAt) > 1)
                {
                    processedAtTrim = processed
                    lastMemoryTrim = Date()
                    self.state.inboxHandoff.release(through: lastInboxID)
                    malloc_trim(0)
                }
                self.workSignal.wait(timeout: inFlight.isEmpty ? 0.25 : 0.05)
                continue
            }
            if let hangAfter = Self.testHangAfter, self.state.journaledSeq.load(ordering: .relaxed) >= hangAfter {
                // Test-only fault switch: a wedged pipeline, to show the watchdog ping is withheld.
                self.logger.critical("test fault: the pipeline hangs (WIREWATCH_TEST_HANG_PIPELINE_AFTER)")
                while !stop.isRaised { Thread.sleep(forTimeInterval: 0.1) }
                break
            }
            let thresholds = self.state.dedupThresholds.withLock { $0 }
            if thresholds != dedup.settings { dedup.settings.applyThresholds(from: thresholds) }
            let decided: [Decided]
            if let shared {
                do {
                    let fleetNext = try shared.memory.begin()
                    try shared.catchUp(&dedup, fleetNext: fleetNext)
                    let result = self.decide(rows, decoded: decoded, processor: processor, dedup: &dedup, shared: shared)
                    try shared.memory.commit(result.shared, nextSlot: dedup.nextSlot)
                    decided = result.work
                } catch {
                    shared.memory.rollback()
                    self.sharedMemoryFailed(error, delay: &sharedRetryDelay)
                    // The engine may hold decisions the fleet never stored: journal what is in flight (those the
                    // fleet did store), then start again from the local mirror.
                    guard commitAll() else {
                        storeGaveUp()
                        break loop
                    }
                    dedup = try localEngine()
                    sharedNeedsPrepare = true
                    continue
                }
            } else {
                decided = self.decide(rows, decoded: decoded, processor: processor, dedup: &dedup, shared: nil).work
            }
            let decidedAt = DispatchTime.now().uptimeNanoseconds
            for (row, item) in zip(rows, decided) {
                let ticket = nextTicket
                nextTicket += 1
                var waitsFor: Int64? = nil
                var analyzedID: String? = nil
                if case .article(let admitted) = item.work {
                    waitsFor = admitted.verdict.info.of.flatMap { inFlightByID[$0] }
                    if admitted.verdict.isNew {
                        analyzedID = admitted.article.id
                        inFlightByID[admitted.article.id] = ticket
                    }
                }
                inFlight.append(InFlight(
                    ticket: ticket, inboxID: row.id, record: item.record, decidedAt: decidedAt, waitsFor: waitsFor,
                    articleID: analyzedID))
                switch item.work {
                case .error(let event):
                    finished.put(self.outgoing(error: event), ticket: ticket)
                case .article(let admitted) where !admitted.verdict.isNew:
                    // A copy is not analyzed: its envelope costs less than handing it to a worker.
                    finished.put(self.outgoing(article: admitted, processor: processor), ticket: ticket)
                case .article(let admitted):
                    let signal = self.workSignal
                    pool.submit {
                        finished.put(self.outgoing(article: admitted, processor: processor), ticket: ticket)
                        signal.signal()
                    }
                }
            }
            lastInboxID = rows[rows.count - 1].id
        }
        self.logger.info("pipeline stopped", metadata: ["journal.seq": "\(nextSeq - 1)"])
    }

    enum Work: Sendable {
        case article(ArticleProcessor.Admitted)
        case error(ErrorEvent)
    }

    /// One decided inbox row and what the dedup memory keeps of it, journaled with its envelope.
    struct Decided: Sendable {
        let work: Work
        let record: DedupRecordRow?
    }

    /// A decided row waiting for its envelope to be journaled.
    struct InFlight {
        let ticket: Int64
        let inboxID: Int64
        let record: DedupRecordRow?
        let decidedAt: UInt64
        /// The ticket of the in-flight article this one copies, journaled first.
        let waitsFor: Int64?
        /// Set for an article that goes to analysis: copies of it may wait for it.
        let articleID: String?
    }

    /// Dedups a batch in order. With a shared memory, also returns the rows the fleet must store. `decoded` holds,
    /// per row, the article ingest decoded from it, if any (or nothing for the whole batch).
    func decide(
        _ rows: [InboxRow], decoded: [Article?] = [], processor: ArticleProcessor, dedup: inout DedupEngine,
        shared: SharedDedup?
    ) -> (work: [Decided], shared: [SharedMemory.Row]) {
        var items: [Decided] = []
        var sharedRows: [SharedMemory.Row] = []
        items.reserveCapacity(rows.count)
        let prepared = self.prepare(rows, decoded: decoded, processor: processor, settings: dedup.settings)
        func decideAll() {
            for (row, preparation) in zip(rows, prepared) {
                if let rejection = row.rejection {
                    items.append(Decided(work: .error(ErrorEvent(
                        seq: nil, receivedAt: Timestamp.string(row.receivedAt), code: rejection.code,
                        reason: rejection.reason, payloadSHA256: rejection.payloadSHA256,
                        payloadBytes: rejection.payloadBytes, endpoint: row.endpoint, deadLetterID: rejection.deadLetterID
                    )), record: nil))
                    continue
                }
                do throws(DecodeError) {
                    let (article, probe) = try preparation!.get()
                    let admitted: ArticleProcessor.Admitted
                    if let verdict = shared?.takeEarlierVerdict(inbox: row.id) {
                        // Decided and stored in the fleet's memory before a crash cut the journal commit off.
                        admitted = ArticleProcessor.Admitted(article: article, verdict: verdict, receivedAt: row.receivedAt)
                    } else {
                        admitted = ArticleProcessor.Admitted(
                            article: article, verdict: dedup.check(article, probe: probe, now: row.receivedAt),
                            receivedAt: row.receivedAt
                        )
                        if let sharedRow = shared?.row(admitted.verdict, inbox: row.id, shingleSize: self.config.dedup.shingleSize) {
                            sharedRows.append(sharedRow)
                        }
                    }
                    items.append(Decided(
                        work: .article(admitted),
                        record: admitted.verdict.record.map { DedupRecordRow($0, shingleSize: self.config.dedup.shingleSize) }
                    ))
                } catch {
                    // Read back from the store and accepted under earlier limits (a reload tightened them): still
                    // answered, never dropped. Rows handed over by ingest keep the decoding they were accepted with.
                    items.append(Decided(work: .error(ErrorEvent(
                        seq: nil, receivedAt: Timestamp.string(row.receivedAt), code: error.code, reason: error.reason,
                        payloadSHA256: PayloadHash.sha256Hex(row.payload), payloadBytes: row.payload.count,
                        endpoint: row.endpoint, deadLetterID: 0
                    )), record: nil))
                }
            }
        }
        // One read transaction for a batch: the candidates' records come from the store. A lone article (light
        // load) reads few, often none, and a transaction would cost it what it saves.
        if rows.count > 1 { self.store.reading(decideAll) } else { decideAll() }
        return (items, sharedRows)
    }

    /// Decodes (where ingest's decoding is not at hand) and probes a batch on every core: all of dedup that does not
    /// depend on order, so that only the memory look-ups stay serial. Rejected rows get nil.
    func prepare(_ rows: [InboxRow], decoded: [Article?], processor: ArticleProcessor, settings: NearDedupSettings)
        -> [Result<(Article, DedupEngine.Probe), DecodeError>?]
    {
        parallelMap(rows.count, workers: self.config.workerCount) { index in
            let row = rows[index]
            guard row.rejection == nil else { return nil }
            return Result { () throws(DecodeError) in
                let article: Article
                if index < decoded.count, let handed = decoded[index] {
                    article = handed
                } else {
                    article = try ArticleDecoder.decode(row.payload, limits: processor.limits)
                }
                return (article, DedupEngine.probe(article, settings: settings))
            }
        }
    }

    /// An article's envelope, analyzed and encoded (on a worker thread), without its `seq`: `sequenced` adds it.
    func outgoing(article admitted: ArticleProcessor.Admitted, processor: ArticleProcessor) -> Outgoing {
        let envelope = processor.envelope(for: admitted, seq: nil)
        let body = (try? EnvelopeWriter.encode(envelope)) ?? []
        return Outgoing(
            entry: JournalEntry(
                seq: 0, topic: ArticleProcessor.topic(for: envelope), articleID: envelope.id,
                cluster: envelope.dedup.cluster, status: envelope.dedup.status.rawValue, recordedAt: Date(),
                envelope: body
            ),
            receivedAt: admitted.receivedAt,
            // Compressed here, on a worker: in the commit it was an eighth of the pipeline thread, in the write lock.
            packedHead: body.last == UInt8(ascii: "}") ? EnvelopeCompression.pack(Array(body.dropLast())) : nil
        )
    }

    /// A rejected payload's error event.
    func outgoing(error event: ErrorEvent) -> Outgoing {
        var event = event
        event.seq = nil
        // Errors are rare enough for Foundation's encoder.
        let body = (try? ArticleProcessor.encoder().encode(event)).map { [UInt8]($0) } ?? []
        return Outgoing(
            entry: JournalEntry(
                seq: 0, topic: "error", articleID: nil, cluster: nil, status: "error", recordedAt: Date(),
                envelope: body
            ),
            receivedAt: nil
        )
    }

    /// Commits a batch, retrying while the store fails (the batch is already dedup'd and sequenced in memory, so
    /// it must go in exactly as it is). Gives up only when a stop has been asked for and the drain deadline has
    /// passed: nothing of the batch is then journaled, so its inbox rows are taken up again at the next start.
    func commit(_ batch: JournalBatch, stop: StopFlag, drainDeadline: inout Date?) -> Bool {
        var delay = 0.05
        var failed = false
        while true {
            do {
                try self.store.commit(batch)
                if failed && !self.state.journalWritable.exchange(true, ordering: .relaxed) {
                    self.logger.notice("journal writable again; pipeline resumed")
                }
                return true
            } catch {
                if !failed {
                    failed = true
                    self.state.journalWritable.store(false, ordering: .relaxed)
                    self.logger.error(
                        "journal write failed; pipeline paused, retrying until it succeeds",
                        metadata: ["error": "\(error)", "pipeline.batch": "\(batch.entries.count)"]
                    )
                }
                if stop.isRaised {
                    let deadline = drainDeadline ?? Date().addingTimeInterval(self.config.pipeline.shutdownSeconds)
                    drainDeadline = deadline
                    if Date() >= deadline { return false }
                }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
                self.state.tick()
            }
        }
    }

    /// Publishes again what was journaled but may not have reached the PUB socket before the last stop.
    func redeliverUnpublished() throws {
        let publishedThrough = try self.store.publishedThrough()
        var after = publishedThrough
        var count = 0
        while true {
            let entries = try self.store.journal(after: after, limit: 1000)
            guard let last = entries.last else { break }
            self.outbox.push(contentsOf: entries.map { Outgoing(entry: $0.markedRedelivered(), receivedAt: nil) })
            after = last.seq
            count += entries.count
        }
        if count > 0 {
            self.logger.notice(
                "republishing entries journaled before the last stop",
                metadata: ["journal.from": "\(publishedThrough + 1)", "journal.count": "\(count)"]
            )
        }
    }

    func sharedMemoryFailed(_ error: any Error, delay: inout Double) {
        self.state.sharedMemoryHealthy.store(false, ordering: .relaxed)
        self.logger.error(
            "shared dedup memory unavailable; nothing is decided until it is back (ingest keeps accepting)",
            metadata: ["error": "\(error)", "retry_seconds": "\(delay)"]
        )
        Thread.sleep(forTimeInterval: delay)
        delay = min(delay * 2, 5)
        self.state.tick()
    }

    func trim(_ dedup: inout DedupEngine, shared: SharedDedup?) {
        let dedupCutoff = Date().addingTimeInterval(-self.config.dedup.windowDays * 86_400)
        dedup.evict(olderThan: dedupCutoff)
        if let shared {
            do {
                let removed = try shared.memory.trim(olderThan: dedupCutoff, keep: self.config.dedup.maxArticles)
                if removed > 0 { self.logger.info("shared dedup memory trimmed", metadata: ["dedup.removed": "\(removed)"]) }
            } catch {
                self.logger.warning("shared dedup memory trim failed", metadata: ["error": "\(error)"])
            }
        }
        let cutoff = Date().addingTimeInterval(-self.config.store.retentionDays * 86_400)
        do {
            let removed = try self.store.trim(
                keepLast: self.config.store.retentionArticles, olderThan: cutoff,
                dedupOlderThan: Date().addingTimeInterval(-self.config.dedup.windowDays * 86_400),
                dedupKeep: self.config.dedup.maxArticles
            )
            if removed > 0 { self.logger.info("journal trimmed", metadata: ["journal.removed": "\(removed)"]) }
        } catch {
            self.logger.warning("journal trim failed", metadata: ["error": "\(error)"])
        }
    }
}

/// A journaled envelope on its way to the PUB socket.
struct Outgoing: Sendable {
    let entry: JournalEntry
    /// For latency measurement; nil for redeliveries and errors.
    let receivedAt: Date?
    /// The envelope without its closing brace, compressed (`EnvelopeCompression.pack`), for `sequenced`.
    var packedHead: Data? = nil
}

extension JournalEntry {
    /// The entry under its journal `seq`, written into its envelope. Envelopes are encoded without one (on a
    /// worker, before the order of journaling is known), with sorted keys, and `seq` sorts after every other key
    /// of a result or an error envelope: it goes just before the closing brace, as an encoder would put it.
    ///
    /// `packedHead`, the envelope without its closing brace as `EnvelopeCompression.pack` made it, gives the stored
    /// form too: the head's frame, then one of the bytes added here.
    func sequenced(_ seq: Int64, packedHead: Data? = nil) -> JournalEntry {
        var body = self.envelope
        var stored: Data? = nil
        if body.last == UInt8(ascii: "}") {
            body.removeLast()
            let tail = Array("\(body.count > 1 ? "," : "")\"seq\":\(seq)}".utf8)
            body += tail
            stored = packedHead.flatMap { EnvelopeCompression.append(tail, to: $0) }
        }
        return JournalEntry(
            seq: seq, topic: self.topic, articleID: self.articleID, cluster: self.cluster, status: self.status,
            recordedAt: self.recordedAt, envelope: body, stored: stored
        )
    }

    /// The same entry with `"redelivered": true` in its envelope.
    func markedRedelivered() -> JournalEntry {
        guard var object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(self.envelope)) else {
            return self
        }
        object["redelivered"] = .bool(true)
        let body = (try? ArticleProcessor.encoder().encode(object)).map { [UInt8]($0) } ?? self.envelope
        return JournalEntry(
            seq: self.seq, topic: self.topic, articleID: self.articleID, cluster: self.cluster, status: self.status,
            recordedAt: self.recordedAt, envelope: body
        )
    }
}
