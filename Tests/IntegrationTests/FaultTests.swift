import Foundation
import Synchronization
import Testing
import TestSupport
import WirewatchService
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Faults around the daemon, against the real binary on 127.0.0.1: a subscriber that stops reading, an offer
/// well above what the daemon sustains, a full disk under the store, and a shutdown with work left over.
@Suite(.serialized)
struct FaultTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    /// A bulky article: the HTML body goes back out in the envelope, so each result is about `kilobytes` KB.
    /// All share one body, so after the first they are exact duplicates — cheap to process, full size to publish.
    static func bulky(_ index: Int, kilobytes: Int) -> [UInt8] {
        let paragraph = "<p>Harbour inspectors reported new cracks in the supports of the old bridge on Tuesday.</p>"
        let html = String(repeating: paragraph, count: kilobytes * 1024 / paragraph.utf8.count)
        return [UInt8](try! JSONSerialization.data(withJSONObject: ["id": "bulky-\(index)", "html": html]))
    }

    /// A short story of its own: no two are near copies.
    static func story(_ index: Int) -> [UInt8] {
        let text = "Report \(index): the council of district \(index % 977) voted \((index * 7919) % 104_729) to \((index * 31) % 1009) on plan \(index) for the crossing at kilometre \(index % 613)."
        return [UInt8](try! JSONSerialization.data(withJSONObject: ["id": "story-\(index)", "text": text]))
    }

    /// Resident and peak resident memory of the daemon, in bytes.
    static func memory(of daemon: DaemonProcess) -> (rss: Int, peak: Int) {
        guard let pid = daemon.process?.processIdentifier else { return (0, 0) }
        return (ProcessStats.residentBytes(pid: pid), ProcessStats.peakResidentBytes(pid: pid) ?? 0)
    }

    /// One gauge from `/metrics`.
    static func gauge(_ name: String, of daemon: DaemonProcess) -> Double? {
        guard let body = try? daemon.httpGet("/metrics").body else { return nil }
        let line = body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// Samples `/metrics` on a thread of its own for as long as an overload lasts, draining included: on a CI machine
    /// running other suites beside this one, requests made between sends were too few and too late to catch the
    /// backlog, which is at its cap while the queues drain, after the last send.
    final class BacklogWatcher: Sendable {
        private struct Seen {
            var answers = 0
            var peakBacklog = 0.0
            var paused = false
        }

        private let seen = Mutex(Seen())
        private let stopped = Atomic<Bool>(false)
        private let finished = DispatchSemaphore(value: 0)

        init(_ daemon: DaemonProcess) {
            let thread = Thread { [self] in
                defer { self.finished.signal() }
                while !self.stopped.load(ordering: .relaxed) {
                    if let backlog = FaultTests.gauge("wirewatch_pipeline_backlog", of: daemon) {
                        let paused = FaultTests.gauge("wirewatch_ingest_paused", of: daemon) == 1
                        self.seen.withLock {
                            $0.answers += 1
                            $0.peakBacklog = max($0.peakBacklog, backlog)
                            $0.paused = $0.paused || paused
                        }
                    }
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
            thread.start()
        }

        /// Stops sampling; returns how many samples were answered, the largest backlog and whether ingest paused.
        func stop() -> (answers: Int, peakBacklog: Double, paused: Bool) {
            self.stopped.store(true, ordering: .relaxed)
            self.finished.wait()
            return self.seen.withLock { ($0.answers, $0.peakBacklog, $0.paused) }
        }
    }

    /// Sends over an acked DEALER and collects answers, keyed by the correlation frame.
    final class AckedSender {
        let socket: Socket
        var acked = Set<Int>()

        init(context: Context, endpoint: String) throws {
            self.socket = try Socket(context, type: .dealer, lingerMilliseconds: 0)
            try self.socket.connect(endpoint)
        }

        func send(_ index: Int, _ payload: [UInt8]) throws {
            try self.socket.send([Array(String(index).utf8), payload])
        }

        /// Waits up to `timeout` seconds for the ack of `index`.
        func waitForAck(_ index: Int, timeout: Double) throws -> Bool {
            var items = [self.socket.pollItem(.readable)]
            let deadline = Date().addingTimeInterval(timeout)
            while !self.acked.contains(index) && Date() < deadline {
                try poll(&items, timeoutMilliseconds: 50)
                while let message = try self.socket.receive(dontWait: true) {
                    guard message.frames.count == 2, String(decoding: message.frames[1], as: UTF8.self).contains("\"ok\":true"),
                        let acked = Int(String(decoding: message.frames[0], as: UTF8.self))
                    else { continue }
                    self.acked.insert(acked)
                }
            }
            return self.acked.contains(index)
        }
    }

    /// The ids published on `article.*` or `duplicate`, with how often each came.
    static func publishedIDs(_ results: ResultCollector) -> [String: Int] {
        var ids: [String: Int] = [:]
        for message in results.all where message.topic != "heartbeat" && message.topic != "error" {
            if let id = message.value("id") as? String { ids[id, default: 0] += 1 }
        }
        return ids
    }

    // MARK: Slow and vanished subscribers

    @Test("a subscriber that stops reading stalls neither ingest nor others, nor grows memory; it refills from replay")
    func stalledSubscriber() throws {
        let daemon = try DaemonProcess(extra: "publish_high_water_mark: 100")
        // Batches smaller than the high-water mark, so the subscriber that does read never falls 100 behind.
        daemon.environment = ["WIREWATCH_PIPELINE_BATCH": "50"]
        try daemon.start()
        let healthy = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { healthy.stop() }
        try healthy.waitUntilConnected()
        let stalled = try Socket(self.context, type: .sub, lingerMilliseconds: 0)
        try stalled.setReceiveHighWaterMark(10)
        try stalled.subscribe("")
        try stalled.connect(daemon.publish)
        // Read until the first heartbeat, so the subscription is live, then stop reading.
        var heard = false
        let connectDeadline = Date().addingTimeInterval(60)
        while !heard && Date() < connectDeadline {
            if let message = try stalled.receive(dontWait: true) { heard = message.string(0) == "heartbeat" }
            else { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(heard)
        // A subscriber that connects and vanishes mid-stream.
        var vanishing: Socket? = try Socket(self.context, type: .sub, lingerMilliseconds: 0)
        try vanishing?.subscribe("")
        try vanishing?.connect(daemon.publish)

        let sender = try AckedSender(context: self.context, endpoint: daemon.acked)
        let warmUp = 300
        for index in 0..<warmUp { try sender.send(index, Self.bulky(index, kilobytes: 32)) }
        #expect(try sender.waitForAck(warmUp - 1, timeout: 60))
        try healthy.wait(for: warmUp, timeout: 120) { $0.topic != "heartbeat" }
        let baseline = Self.memory(of: daemon).rss

        // 3,000 envelopes of 32 KB: about 96 MB that the stalled subscriber's queue would hold if it were unbounded.
        let total = 3300
        for index in warmUp..<total {
            try sender.send(index, Self.bulky(index, kilobytes: 32))
            if index == 1500 { vanishing = nil }
            if index % 500 == 0 { _ = try sender.waitForAck(index, timeout: 60) }
        }
        #expect(try sender.waitForAck(total - 1, timeout: 120), "ingest kept acking")
        try healthy.wait(for: total, timeout: 180) { $0.topic != "heartbeat" }
        let after = Self.memory(of: daemon)
        let growth = after.rss - baseline
        print("stalled subscriber: \(total) envelopes of 32 KB; daemon RSS \(baseline >> 20) → \(after.rss >> 20) MiB, peak \(after.peak >> 20) MiB")
        #expect(growth < 48 << 20, "RSS grew \(growth >> 20) MiB with a stalled subscriber")
        #expect(Self.publishedIDs(healthy).count == total, "the healthy subscriber got everything")

        // It comes back: what it still has is a fraction; the gap in seq is refilled from replay.
        var seqs = Set<Int64>()
        var items = [stalled.pollItem(.readable)]
        var quiet = Date()
        while Date().timeIntervalSince(quiet) < 1.5 {
            _ = try poll(&items, timeoutMilliseconds: 100)
            while let message = try stalled.receive(dontWait: true) {
                // Heartbeats keep coming; only envelopes count as the backlog still arriving.
                guard message.string(0) != "heartbeat", message.frames.count == 2 else { continue }
                quiet = Date()
                let object = try JSONSerialization.jsonObject(with: Data(message.frames[1])) as? [String: Any]
                if let seq = (object?["seq"] as? NSNumber)?.int64Value { seqs.insert(seq) }
            }
        }
        let direct = seqs.count
        #expect(direct < total - warmUp, "a stalled subscriber cannot have received everything")
        var session = try WirewatchClient(context: self.context).replaySession(daemon.replay)
        // Pages of 1,000 envelopes of 32 KB from a debug build: on a CI machine running other suites beside this
        // one, a page took longer than the client's default 10 s. What is tested here is what comes back.
        session.timeout = 60
        var since: Int64 = 0
        var refilled = 0
        while true {
            let page = try session.replay(since: since, limit: 1000)
            for entry in page.entries where !seqs.contains(entry.seq) {
                seqs.insert(entry.seq)
                refilled += 1
            }
            guard let last = page.entries.last, page.more else { break }
            since = last.seq
        }
        _ = consume session
        print("stalled subscriber: received \(direct) directly, refilled \(refilled) from replay")
        #expect(seqs == Set(1...Int64(total)), "direct plus refilled is every seq, once")
        #expect(try daemon.stop() == 0)
    }

    // MARK: Overload

    /// Offers `payloads` over PUSH at `rate` per second for as long as they last; counts the sends PUSH refused
    /// (its queue and the daemon's were full) and retries them, so every payload is sent once in the end.
    static func offer(_ payloads: [[UInt8]], over push: borrowing Socket, rate: Double) throws
        -> (refused: Int, seconds: Double)
    {
        let started = Date()
        var sent = 0
        var refused = 0
        while sent < payloads.count {
            let due = min(payloads.count, Int(Date().timeIntervalSince(started) * rate) + 1)
            while sent < due {
                if try push.send([payloads[sent]], dontWait: true) {
                    sent += 1
                } else {
                    refused += 1
                    break
                }
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return (refused, Date().timeIntervalSince(started))
    }

    @Test("at 5x the sustainable rate PULL pushes back, the backlog stays bounded and shows in metrics, nothing is lost")
    func overload() throws {
        let maxBacklog = 200
        let highWaterMark = 100
        // Loopback TCP buffers otherwise grow to tcp_rmem's maximum (32 MB on some images): about 2,000 of these
        // articles in flight beyond every queue, which once took a whole offer unrefused.
        let kernelBuffer = 256 << 10
        let daemon = try DaemonProcess()
        daemon.environment = [
            "WIREWATCH_INGEST_HIGH_WATER_MARK": "\(highWaterMark)", "WIREWATCH_INGEST_MAX_BACKLOG": "\(maxBacklog)",
            "WIREWATCH_INGEST_RECEIVE_BUFFER_BYTES": "\(kernelBuffer)",
        ]
        try daemon.feed(
            context: self.context, sendHighWaterMark: highWaterMark, sendBufferBytes: kernelBuffer,
            lingerMilliseconds: 5000
        ) { results, push in
            // The sustainable rate of this workload, measured on a first stretch sent as fast as it is taken.
            let calibration = 600
            let started = Date()
            for index in 0..<calibration { _ = try push.send([Self.bulky(index, kilobytes: 16)]) }
            try results.wait(for: calibration, timeout: 120) { $0.topic != "heartbeat" }
            let sustainable = Double(calibration) / Date().timeIntervalSince(started)
            let baseline = Self.memory(of: daemon)

            // At least 4 s of it, and twice what every queue on the way holds: the backlog, the two sockets' queues
            // and the two kernel buffers (Linux doubles what is set). Offered at 5x, four fifths of it are still
            // queued when the last is sent: with less, a CI machine at 21 articles a second never refused a send.
            let seconds = 4.0
            let kernelBuffered = 2 * (2 * kernelBuffer) / (16 << 10)
            let queued = maxBacklog + 2 * highWaterMark + kernelBuffered
            let count = max(Int(sustainable * 5 * seconds), 2 * queued)
            let payloads = (calibration..<(calibration + count)).map { Self.bulky($0, kilobytes: 16) }
            let watcher = BacklogWatcher(daemon)
            let offered = try Self.offer(payloads, over: push, rate: sustainable * 5)
            let total = calibration + count
            let drained = Result { try results.wait(for: total, timeout: 300) { $0.topic != "heartbeat" } }
            let seen = watcher.stop()
            _ = try drained.get()
            let after = Self.memory(of: daemon)
            print(
                "overload: sustainable \(Int(sustainable))/s, offered \(Int(sustainable * 5))/s (\(count) articles of 16 KB); PUSH refused \(offered.refused) times, took \(String(format: "%.1f", offered.seconds)) s; peak backlog \(Int(seen.peakBacklog)) (cap \(maxBacklog)) in \(seen.answers) samples; RSS \(baseline.rss >> 20) → peak \(after.peak >> 20) MiB"
            )
            #expect(offered.refused > 0, "PUSH was pushed back")
            #expect(seen.answers > 0, "/metrics answered")
            #expect(seen.paused, "metrics showed ingest paused")
            #expect(
                seen.peakBacklog > 0 && seen.peakBacklog <= Double(maxBacklog + 512),
                "backlog bounded by ingest.max_backlog"
            )
            // Queues are bounded by the high-water marks (100 messages of 16 KB a side): memory stays near its
            // baseline.
            #expect(after.peak - baseline.peak < 64 << 20, "peak RSS grew \((after.peak - baseline.peak) >> 20) MiB")
            let ids = Self.publishedIDs(results)
            #expect(ids.count == total, "every article sent was published")
            #expect(ids.values.allSatisfy { $0 == 1 }, "and once")
        }
        #expect(try daemon.stop() == 0)
    }

    /// libzmq resumes reading a connection whose full queue is being drained only after 1,024 messages are taken
    /// (`compute_lwm` in its pipe.cpp). With one pipeline worker, about 140 articles of 16 KB a second in a debug
    /// build, the stream then goes unread for seven seconds: beyond a ZMTP heartbeat timeout, which dropped the
    /// connection and the articles in flight on it (247 of 2,600 before the ingest sockets used TCP keepalives).
    @Test("A long ingest stall keeps the PUSH connection: nothing in flight is lost", .timeLimit(.minutes(5)))
    func longStall() throws {
        let daemon = try DaemonProcess()
        daemon.environment = [
            "WIREWATCH_INGEST_HIGH_WATER_MARK": "2100", "WIREWATCH_INGEST_MAX_BACKLOG": "50", "WIREWATCH_PIPELINE_WORKERS": "1",
        ]
        try daemon.feed(context: self.context, sendHighWaterMark: 1000, lingerMilliseconds: 5000) { results, push in
            let count = 2600
            let started = Date()
            for index in 0..<count { _ = try push.send([Self.bulky(index, kilobytes: 16)]) }
            _ = try? results.wait(for: count, timeout: 150) { $0.topic != "heartbeat" }
            let ids = Self.publishedIDs(results)
            let memory = Self.memory(of: daemon)
            print(
                "long stall: \(ids.count) of \(count) articles of 16 KB published in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; peak RSS \(memory.peak >> 20) MiB"
            )
            #expect(ids.count == count, "lost \(count - ids.count) articles that were in flight")
            #expect(ids.values.allSatisfy { $0 == 1 }, "each published once")
        }
        #expect(try daemon.stop() == 0)
    }
}

// MARK: Store faults

/// A small tmpfs to fill: a full disk under the daemon's store, without touching the machine's own disks.
/// Mounting needs root (CI runs as root); elsewhere the test is skipped and says why.
final class SmallDisk {
    let path: URL

    static var canMount: Bool {
        guard geteuid() == 0 else { return false }
        guard let disk = try? SmallDisk(megabytes: 1) else { return false }
        disk.unmount()
        return true
    }

    init(megabytes: Int) throws {
        self.path = FileManager.default.temporaryDirectory.appendingPathComponent("wirewatch-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", self.path.path]) == 0 else {
            throw TestFailure("cannot mount a tmpfs at \(self.path.path)")
        }
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Fills every free byte with a file of zeros.
    func fill() {
        let filler = self.path.appendingPathComponent("filler").path
        guard let handle = FileHandle(forWritingAtPath: filler) ?? {
            FileManager.default.createFile(atPath: filler, contents: nil)
            return FileHandle(forWritingAtPath: filler)
        }() else { return }
        defer { try? handle.close() }
        for size in [1 << 20, 4096, 512] {
            let chunk = Data(count: size)
            while (try? handle.write(contentsOf: chunk)) != nil {}
        }
    }

    func free() {
        try? FileManager.default.removeItem(at: self.path.appendingPathComponent("filler"))
    }

    func unmount() {
        Self.run("/bin/umount", ["-l", self.path.path])
        try? FileManager.default.removeItem(at: self.path)
    }
}

extension FaultTests {
    @Test(
        "a full disk stops acking (nothing acked is lost), reports not ready, and recovers when space returns",
        .enabled(if: SmallDisk.canMount, "needs root to mount a small tmpfs")
    )
    func fullDisk() throws {
        let disk = try SmallDisk(megabytes: 48)
        defer { disk.unmount() }
        let daemon = try DaemonProcess()
        daemon.environment = ["WIREWATCH_STORE_PATH": disk.path.appendingPathComponent("state.db").path]
        try daemon.start()
        defer { try? daemon.stop(signal: SIGKILL) }
        let results = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { results.stop() }
        try results.waitUntilConnected()
        let sender = try AckedSender(context: self.context, endpoint: daemon.acked)
        for index in 0..<20 { try sender.send(index, Self.bulky(index, kilobytes: 16)) }
        #expect(try sender.waitForAck(19, timeout: 30))

        disk.fill()
        // Each article takes about 40 KB of store (payload in the inbox, envelope in the journal); the store's
        // write-ahead log has some room already, so acks go on for a while, then stop.
        var stalledAt: Int? = nil
        for index in 20..<2000 {
            try sender.send(index, Self.bulky(index, kilobytes: 16))
            // Long enough that a slow ack under load is not taken for the stall.
            if try !sender.waitForAck(index, timeout: 10) {
                stalledAt = index
                break
            }
        }
        let stalled = try #require(stalledAt, "acks never stopped on a full disk")
        #expect(try daemon.httpGet("/ready").status == 503, "not ready while the store cannot be written")
        #expect(try daemon.httpGet("/health").status == 200, "but alive")
        #expect(daemon.log().contains("store write failed"), "the log says why")
        // Nothing held back is acked while the disk stays full.
        #expect(try !sender.waitForAck(stalled, timeout: 2))

        disk.free()
        #expect(try sender.waitForAck(stalled, timeout: 30), "the held article is acked once space returns")
        let recovered = Date().addingTimeInterval(30)
        while (try? daemon.httpGet("/ready").status) != 200 && Date() < recovered { Thread.sleep(forTimeInterval: 0.1) }
        #expect(try daemon.httpGet("/ready").status == 200, "ready again")
        #expect(daemon.log().contains("store writable again"))
        let total = stalled + 21
        for index in (stalled + 1)..<total { try sender.send(index, Self.bulky(index, kilobytes: 16)) }
        #expect(try sender.waitForAck(total - 1, timeout: 30))
        try results.wait(for: total, timeout: 60) { $0.topic != "heartbeat" }
        let ids = Self.publishedIDs(results)
        print("full disk: acks stopped at article \(stalled) of a 48 MB store; after space returned all \(total) published once")
        #expect(ids.count == total && ids.values.allSatisfy { $0 == 1 }, "every acked article published once")
        #expect(try daemon.stop() == 0)
    }

    // MARK: Shutdown

    @Test("SIGTERM with a backlog, a stalled subscriber and a vanished client exits within the drain deadline; the rest follows the restart")
    func shutdownDeadline() throws {
        let daemon = try DaemonProcess()
        daemon.environment = ["WIREWATCH_PIPELINE_SHUTDOWN_SECONDS": "2"]
        try daemon.start()
        let stalled = try Socket(self.context, type: .sub, lingerMilliseconds: 0)
        try stalled.setReceiveHighWaterMark(1)
        try stalled.subscribe("")
        try stalled.connect(daemon.publish)
        let count = 3000
        do {
            // A client that goes away with its ack unread: its article was taken, so it must come out.
            let vanished = try Socket(self.context, type: .dealer, lingerMilliseconds: 0)
            try vanished.connect(daemon.acked)
            try vanished.send([Array("x".utf8), Self.story(count)])
            var items = [vanished.pollItem(.readable)]
            #expect(try poll(&items, timeoutMilliseconds: 30_000) == 1, "the ack is waiting, unread")
        }
        let sender = try AckedSender(context: self.context, endpoint: daemon.acked)
        for index in 0..<count { try sender.send(index, Self.story(index)) }
        #expect(try sender.waitForAck(count - 1, timeout: 60))
        let started = Date()
        let status = try daemon.stop(signal: SIGTERM, timeout: 20)
        let seconds = Date().timeIntervalSince(started)
        print("shutdown: exited with \(status) in \(String(format: "%.2f", seconds)) s (drain deadline 2 s, PUB linger 2 s)")
        #expect(status == 0)
        // The deadline (2 s), the batch in flight when it passes, the PUB linger (2 s): 3.7 s on an idle machine, 7.0 s
        // on a CI machine running other suites beside this one. The log below shows the deadline cut the drain short.
        #expect(seconds < 12, "drain deadline plus bounded linger")
        #expect(daemon.log().contains("drain deadline reached"), "the backlog outlasted the deadline")

        daemon.environment = [:]
        try daemon.start()
        let journal = try daemon.journal(count: count + 1, timeout: 120)
        #expect(journal.status == 0, "\(journal.stderr)")
        let ids = Set(journal.ids)
        let seqs = journal.seqs
        let missing = Set((0...count).map { "story-\($0)" }).subtracting(ids)
        #expect(missing.isEmpty, "every accepted article after the restart; missing \(missing.count): \(missing.sorted().prefix(5))")
        #expect(seqs.count == count + 1 && seqs == Array(1...Int64(seqs.count)), "no holes, no repeats")
        #expect(try daemon.stop() == 0)
    }
}

extension FaultTests {
    @Test(
        "a read-only state directory at start: a clear error and exit 1 (systemd restarts it); writable again, it starts",
        .enabled(if: SmallDisk.canMount, "needs root to mount a small tmpfs")
    )
    func readOnlyStore() throws {
        let disk = try SmallDisk(megabytes: 16)
        defer { disk.unmount() }
        let daemon = try DaemonProcess()
        daemon.environment = ["WIREWATCH_STORE_PATH": disk.path.appendingPathComponent("state.db").path]
        try daemon.start()
        #expect(try daemon.stop() == 0)
        #expect(SmallDisk.run("/bin/mount", ["-o", "remount,ro", disk.path.path]) == 0)
        let refused = #expect(throws: TestFailure.self) { try daemon.start(timeout: 20) }
        #expect(refused?.description.contains("exited with 1") == true)
        #expect(daemon.log().contains("cannot open store"), "the log names the store")
        #expect(SmallDisk.run("/bin/mount", ["-o", "remount,rw", disk.path.path]) == 0)
        try daemon.start()
        #expect(try daemon.httpGet("/ready").status == 200)
        #expect(try daemon.stop() == 0)
    }
}
