import Analysis
import Articles
import CLinux
import Dedup
import Dispatch
import Foundation
import Histogram
import Synchronization
import ZeroMQ

/// What `wirewatch bench` reports.
public struct BenchReport: Codable, Sendable {
    public struct Latency: Codable, Sendable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
        public var mean: Double

        enum CodingKeys: String, CodingKey {
            case p50, p90, p99, max, mean
            case p999 = "p99_9"
        }
    }

    public struct Stage: Codable, Sendable {
        /// CPU seconds spent in the stage, summed over threads.
        public var seconds: Double
        public var share: Double
        public var microsecondsPerArticle: Double
        /// The figure speed targets are set in: articles differ in length, words less.
        public var millisecondsPerThousandWords: Double

        enum CodingKeys: String, CodingKey {
            case seconds, share
            case microsecondsPerArticle = "us_per_article"
            case millisecondsPerThousandWords = "ms_per_1000_words"
        }
    }

    public struct Daemon: Codable, Sendable {
        public var peakRSSMiB: Double
        /// Resident set 2 s after the last result arrived: what the daemon keeps, after its transient peaks.
        public var rssMiB: Double
        public var cpuSeconds: Double
        public var cpuPercent: Double

        enum CodingKeys: String, CodingKey {
            case peakRSSMiB = "peak_rss_mib"
            case rssMiB = "rss_mib"
            case cpuSeconds = "cpu_seconds"
            case cpuPercent = "cpu_percent"
        }
    }

    public var mode: String
    public var stage: String
    public var articles: Int
    public var workers: Int
    public var seconds: Double
    public var articlesPerSecond: Double
    public var wordsPerSecond: Double
    public var megabytesPerSecond: Double
    /// Microseconds. Offline: each article's service time; end to end: ingest to publish.
    public var latency: Latency
    public var stages: [String: Stage]
    public var verdicts: [String: Int]
    public var daemon: Daemon?
    /// For `--stage dedup`: articles remembered before timing, and the memory they took.
    public var remembered: Int?
    public var bytesPerRemembered: Double?
    /// The dedup index's own size after prefilling.
    public var indexBytes: Int?
    /// Offline: seconds taken to load the analysis models and lexicons, before the clock (the daemon loads them
    /// at startup, so no article waits on them).
    public var resourceSeconds: Double?
    public var lost: Int?
    /// End to end: the latency in three legs, from the envelope's own millisecond timestamps (`received_at`,
    /// `processed_at`): to ingest (the bench's send to the daemon's receive), through the pipeline (inbox, dedup,
    /// the wait for a worker, analysis), and out (journal commit, publication, delivery). Each leg is good to
    /// about a millisecond.
    public var legs: [String: Latency]?

    enum CodingKeys: String, CodingKey {
        case mode, stage, articles, workers, seconds, latency, stages, verdicts, daemon, remembered, lost
        case articlesPerSecond = "articles_per_second"
        case wordsPerSecond = "words_per_second"
        case megabytesPerSecond = "megabytes_per_second"
        case bytesPerRemembered = "bytes_per_remembered"
        case indexBytes = "index_bytes"
        case resourceSeconds = "resource_load_seconds"
        case legs = "latency_legs"
    }

    /// The legs of `legs`, in the order an article runs them.
    public static let legNames = ["ingest", "pipeline", "publish"]

    static func latency(_ histogram: Histogram<UInt64>) -> Latency {
        Latency(
            p50: Double(histogram.valueAtPercentile(50)), p90: Double(histogram.valueAtPercentile(90)),
            p99: Double(histogram.valueAtPercentile(99)), p999: Double(histogram.valueAtPercentile(99.9)),
            max: Double(histogram.max), mean: histogram.mean
        )
    }
}

/// The in-process pipeline, timed stage by stage: decode → dedup (ordered) → analysis → encode, with the
/// parallel stages on `workers` threads, exactly as the daemon's pipeline runs them (without the store and
/// sockets).
public struct OfflineBench: Sendable {
    public enum Stage: String, Sendable, CaseIterable {
        case dedup, analysis, all
    }

    let corpus: BenchCorpus
    let workers: Int
    let stage: Stage

    public init(corpus: BenchCorpus, workers: Int, stage: Stage) {
        self.corpus = corpus
        self.workers = workers
        self.stage = stage
    }

    /// Per-article nanoseconds of each stage, filled by concurrent iterations at their own index.
    final class Timings: @unchecked Sendable {
        // @unchecked: each index is written by exactly one iteration and read after all of them finished.
        var decode: [UInt64]
        var dedup: [UInt64]
        var analysis: [UInt64]
        var encode: [UInt64]

        init(count: Int) {
            self.decode = Array(repeating: 0, count: count)
            self.dedup = Array(repeating: 0, count: count)
            self.analysis = Array(repeating: 0, count: count)
            self.encode = Array(repeating: 0, count: count)
        }
    }

    /// Runs `body(index)` for every index on `workers` threads.
    func parallel(_ count: Int, _ body: @Sendable (Int) -> Void) {
        parallelFor(count, workers: self.workers) { index, _ in body(index) }
    }

    public func run(remembered: Int = 0, progress: (Int, Int) -> Void = { _, _ in }) throws -> BenchReport {
        let items = (0..<self.corpus.count).map { self.corpus[$0] }
        let count = items.count
        var engine = DedupEngine(maxArticles: max(1_000_000, remembered + count))
        var memoryBytes: Int? = nil
        var bytesPerRemembered: Double? = nil
        if remembered > 0 {
            let before = ProcessStats.residentBytes()
            Self.prefill(&engine, count: remembered)
            // As the daemon does once caught up: what filling freed is handed back, and only what is held counts.
            malloc_trim(0)
            bytesPerRemembered = Double(ProcessStats.residentBytes() - before) / Double(remembered)
            memoryBytes = engine.memoryBytes
        }
        let timings = Timings(count: count)
        let processor = ArticleProcessor(limits: .default)
        let analyzer = Analyzer()
        nonisolated(unsafe) var articles = [Article?](repeating: nil, count: count)
        var verdicts: [String: Int] = [:]
        let batch = 256
        let timed = self.stage
        // Stages not under test run before the clock starts.
        if timed != .all {
            self.parallel(count) { index in articles[index] = try? ArticleDecoder.decode(items[index].payload) }
        }
        // Loaded on first use otherwise, and the first articles would carry seconds of loading.
        var resourceSeconds: Double? = nil
        if timed != .dedup {
            let loading = DispatchTime.now().uptimeNanoseconds
            Analyzer.warmUp()
            resourceSeconds = Double(DispatchTime.now().uptimeNanoseconds - loading) / 1e9
        }
        let started = DispatchTime.now().uptimeNanoseconds
        var done = 0
        while done < count {
            let range = done..<min(count, done + batch)
            // As in the daemon: with the whole pipeline, the order-free part of dedup runs beside decoding.
            nonisolated(unsafe) var probes = [DedupEngine.Probe?](repeating: nil, count: range.count)
            if timed == .all {
                let settings = engine.settings
                self.parallel(range.count) { offset in
                    let index = range.lowerBound + offset
                    let start = DispatchTime.now().uptimeNanoseconds
                    articles[index] = try? ArticleDecoder.decode(items[index].payload)
                    let decoded = DispatchTime.now().uptimeNanoseconds
                    timings.decode[index] = decoded - start
                    guard let article = articles[index] else { return }
                    probes[offset] = DedupEngine.probe(article, settings: settings)
                    timings.dedup[index] = DispatchTime.now().uptimeNanoseconds - decoded
                }
            }
            var admitted: [ArticleProcessor.Admitted?] = Array(repeating: nil, count: range.count)
            if timed != .analysis {
                for index in range {
                    guard let article = articles[index] else { continue }
                    let start = DispatchTime.now().uptimeNanoseconds
                    let verdict =
                        if let probe = probes[index - range.lowerBound] {
                            engine.check(article, probe: probe, now: Date())
                        } else {
                            engine.check(article, now: Date())
                        }
                    timings.dedup[index] += DispatchTime.now().uptimeNanoseconds - start
                    verdicts[verdict.info.status.rawValue, default: 0] += 1
                    admitted[index - range.lowerBound] = .init(article: article, verdict: verdict, receivedAt: Date())
                }
            }
            if timed != .dedup {
                let admittedBatch = admitted
                self.parallel(range.count) { offset in
                    let index = range.lowerBound + offset
                    guard let article = articles[index] else { return }
                    if timed == .analysis {
                        let start = DispatchTime.now().uptimeNanoseconds
                        _ = analyzer.analyze(article)
                        timings.analysis[index] = DispatchTime.now().uptimeNanoseconds - start
                        return
                    }
                    guard let admitted = admittedBatch[offset] else { return }
                    let start = DispatchTime.now().uptimeNanoseconds
                    let envelope = processor.envelope(for: admitted, seq: Int64(index + 1))
                    let analyzed = DispatchTime.now().uptimeNanoseconds
                    _ = try? EnvelopeWriter.encode(envelope)
                    timings.analysis[index] = analyzed - start
                    timings.encode[index] = DispatchTime.now().uptimeNanoseconds - analyzed
                }
            }
            done = range.upperBound
            progress(done, count)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for index in 0..<count {
            let total = timings.decode[index] + timings.dedup[index] + timings.analysis[index] + timings.encode[index]
            histogram.record(max(1, total / 1000))
        }
        let stageTotals: [(String, [UInt64])] = [
            ("decode", timings.decode), ("dedup", timings.dedup), ("analysis", timings.analysis),
            ("encode", timings.encode),
        ]
        let grand = max(1, stageTotals.reduce(0) { $0 + $1.1.reduce(0, +) })
        var stages: [String: BenchReport.Stage] = [:]
        for (name, values) in stageTotals {
            let total = values.reduce(0, +)
            guard total > 0 else { continue }
            stages[name] = .init(
                seconds: Double(total) / 1e9, share: Double(total) / Double(grand),
                microsecondsPerArticle: Double(total) / 1000 / Double(count),
                millisecondsPerThousandWords: Double(total) / 1e6 / (Double(max(1, self.corpus.totalWords)) / 1000)
            )
        }
        return BenchReport(
            mode: "offline", stage: self.stage.rawValue, articles: count, workers: self.workers, seconds: seconds,
            articlesPerSecond: Double(count) / seconds, wordsPerSecond: Double(self.corpus.totalWords) / seconds,
            megabytesPerSecond: Double(items.reduce(0) { $0 + $1.payload.count }) / seconds / 1e6,
            latency: BenchReport.latency(histogram), stages: stages, verdicts: verdicts, daemon: nil, remembered: remembered > 0 ? remembered : nil,
            bytesPerRemembered: bytesPerRemembered, indexBytes: memoryBytes, resourceSeconds: resourceSeconds, lost: nil
        )
    }

    /// Fills the dedup memory with `count` synthetic articles of a typical shape (three exact keys, the LSH bands,
    /// six paragraph fingerprints), so lookups are timed against a full index. Their records are not kept: in the
    /// daemon they are on disk, and only the index is in RAM.
    static func prefill(_ engine: inout DedupEngine, count: Int) {
        var random = SplitMix(seed: 7)
        let now = Date()
        let perArticle = 3 + engine.settings.bands + engine.settings.sampledParagraphs
        for slot in 0..<UInt32(count) {
            engine.restore(slot: slot, firstSeen: now, keys: (0..<perArticle).map { _ in random.next() })
        }
    }
}

/// Resource use of a process, from /proc.
public enum ProcessStats {
    /// Current resident set of `pid` (this process when nil).
    public static func residentBytes(pid: Int32? = nil) -> Int {
        Self.statusField("VmRSS", pid: pid).map { $0 * 1024 } ?? 0
    }

    /// Peak resident set (VmHWM) of `pid`, in bytes.
    public static func peakResidentBytes(pid: Int32) -> Int? {
        Self.statusField("VmHWM", pid: pid).map { $0 * 1024 }
    }

    /// User plus system CPU seconds of `pid`.
    public static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func statusField(_ name: String, pid: Int32?) -> Int? {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}

/// End to end through a daemon: PUSH the corpus to its PULL endpoint (as fast as it accepts, or at `rate`),
/// SUB to its results, and match each result to its article by id.
public struct DaemonBench: Sendable {
    let corpus: BenchCorpus
    let pull: String
    let publish: String
    let rate: Double?
    let daemonPID: Int32?
    let workers: Int
    let timeout: Double

    public init(corpus: BenchCorpus, pull: String, publish: String, rate: Double?, daemonPID: Int32?, workers: Int,
                timeout: Double = 60) {
        self.corpus = corpus
        self.pull = pull
        self.publish = publish
        self.rate = rate
        self.daemonPID = daemonPID
        self.workers = workers
        self.timeout = timeout
    }

    public func run(context: Context, progress: (Int, Int) -> Void = { _, _ in }) throws -> BenchReport {
        let corpus = self.corpus
        let count = corpus.count
        let subscriber = try Socket(context, type: .sub, lingerMilliseconds: 0)
        try subscriber.setReceiveHighWaterMark(0)
        try subscriber.subscribe("")
        try subscriber.connect(self.publish)
        // PUB drops until the subscription arrives: wait for a heartbeat first.
        var items_ = [subscriber.pollItem(.readable)]
        let connectDeadline = Date().addingTimeInterval(15)
        var connected = false
        while !connected && Date() < connectDeadline {
            try poll(&items_, timeoutMilliseconds: 100)
            while let message = try subscriber.receive(dontWait: true) {
                if message.string(0) == "heartbeat" { connected = true }
            }
        }
        guard connected else { throw WirewatchClient.ClientError("no heartbeat from \(self.publish) within 15 s") }

        let sentAt = Mutex<[UInt64]>(Array(repeating: 0, count: count))
        // Wall clock: what the envelope's timestamps are compared with.
        let sentWallAt = Mutex<[Date]>(Array(repeating: .distantPast, count: count))
        let sentBytes = Atomic<Int>(0)
        /// Raised when the receiving loop is done; the sender keeps its socket until then.
        let resultsIn = Atomic<Bool>(false)
        let cpuBefore = self.daemonPID.flatMap(ProcessStats.cpuSeconds(pid:))
        let started = DispatchTime.now().uptimeNanoseconds
        let pull = self.pull
        let rate = self.rate
        let sender = Thread {
            guard let push = try? Socket(context, type: .push, lingerMilliseconds: 5000) else { return }
            try? push.setSendHighWaterMark(10_000)
            try? push.connect(pull)
            for position in 0..<count {
                let payload = corpus[position].payload
                if let rate {
                    let due = started + UInt64(Double(position) / rate * 1e9)
                    let now = DispatchTime.now().uptimeNanoseconds
                    if due > now { usleep(UInt32(min(1_000_000, (due - now) / 1000))) }
                }
                let now = DispatchTime.now().uptimeNanoseconds
                let wall = Date()
                sentAt.withLock { $0[position] = now }
                sentWallAt.withLock { $0[position] = wall }
                _ = try? push.send([payload])
                sentBytes.add(payload.count, ordering: .relaxed)
            }
            // The socket stays open until the results are in: closed, it would drop what a backpressured daemon
            // has not yet taken once its linger ran out (1,664 of a million articles, once).
            while !resultsIn.load(ordering: .relaxed) { usleep(10_000) }
        }
        sender.start()

        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var legs = BenchReport.legNames.map { _ in
            Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        }
        let receivedMarker = Array("\"received_at\":\"".utf8)
        let processedMarker = Array("\"processed_at\":\"".utf8)
        var received = Array(repeating: false, count: count)
        var receivedCount = 0
        var verdicts: [String: Int] = [:]
        var lastArrival = Date()
        let marker = Array("\"id\":\"".utf8)
        while receivedCount < count && Date().timeIntervalSince(lastArrival) < self.timeout {
            try poll(&items_, timeoutMilliseconds: 100)
            while let message = try subscriber.receive(dontWait: true) {
                guard message.frames.count == 2, let topic = message.string(0), topic != "heartbeat" else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                // The legs end at the same moment as the whole: read later, after parsing, a preemption in between
                // would count in the legs alone.
                let nowWall = Date()
                guard let id = Self.field(message.frames[1], after: marker),
                    let position = BenchCorpus.index(ofID: id), position >= 0, position < count, !received[position]
                else { continue }
                received[position] = true
                receivedCount += 1
                lastArrival = Date()
                let sent = sentAt.withLock { $0[position] }
                histogram.record(max(1, (now - sent) / 1000))
                if let received = Self.field(message.frames[1], after: receivedMarker).flatMap(RFC3339.parse),
                    let processed = Self.field(message.frames[1], after: processedMarker).flatMap(RFC3339.parse)
                {
                    let marks = [sentWallAt.withLock { $0[position] }, received, processed, nowWall]
                    for leg in legs.indices {
                        // The envelope's marks are cut to the millisecond: a leg may read a hair below zero.
                        let span = max(0, marks[leg + 1].timeIntervalSince(marks[leg]))
                        legs[leg].record(UInt64(span * 1e6))
                    }
                }
                verdicts[topic.hasPrefix("article.") ? "article" : topic, default: 0] += 1
                if receivedCount % 100 == 0 || receivedCount == count { progress(receivedCount, count) }
            }
        }
        resultsIn.store(true, ordering: .relaxed)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var daemon: BenchReport.Daemon? = nil
        if let pid = self.daemonPID, let cpuAfter = ProcessStats.cpuSeconds(pid: pid) {
            let cpu = cpuAfter - (cpuBefore ?? 0)
            // What the daemon keeps once it has caught up, not the queues of the run's last moments.
            Thread.sleep(forTimeInterval: 2)
            daemon = .init(
                peakRSSMiB: Double(ProcessStats.peakResidentBytes(pid: pid) ?? 0) / 1_048_576,
                rssMiB: Double(ProcessStats.residentBytes(pid: pid)) / 1_048_576, cpuSeconds: cpu,
                cpuPercent: cpu / seconds * 100
            )
        }
        return BenchReport(
            mode: "daemon", stage: "all", articles: receivedCount, workers: self.workers, seconds: seconds,
            articlesPerSecond: Double(receivedCount) / seconds, wordsPerSecond: Double(self.corpus.totalWords) / seconds,
            megabytesPerSecond: Double(sentBytes.load(ordering: .relaxed)) / seconds / 1e6,
            latency: BenchReport.latency(histogram), stages: [:], verdicts: verdicts, daemon: daemon, remembered: nil, bytesPerRemembered: nil, indexBytes: nil,
            lost: count - receivedCount,
            legs: legs[0].totalCount == 0
                ? nil : Dictionary(uniqueKeysWithValues: zip(BenchReport.legNames, legs.map(BenchReport.latency)))
        )
    }

    /// The string value after `marker` (e.g. `"id":"`), read from the raw envelope without decoding it.
    static func field(_ bytes: [UInt8], after marker: [UInt8]) -> String? {
        guard bytes.count > marker.count,
            let position = bytes.withUnsafeBufferPointer({ ByteSearch.firstIndex(of: marker, in: $0) })
        else { return nil }
        let start = position + marker.count
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
