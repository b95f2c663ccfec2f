import Foundation
import Testing
import TestSupport
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// systemd's notify protocol, SUB feeds, reloads and crashes, against the real binary.
@Suite(.serialized)
struct OperationsTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    func article(id: String, text: String) -> [UInt8] {
        [UInt8](try! JSONSerialization.data(withJSONObject: ["id": id, "title": id, "text": text]))
    }

    /// A unix datagram socket standing in for systemd's `$NOTIFY_SOCKET`, read from the start as systemd reads it:
    /// left unread, it holds only `net.unix.max_dgram_qlen` (10) datagrams, and the daemon's next `sd_notify`
    /// blocks, which once kept a daemon whose resources took 15 s to load from ever reporting ready.
    final class NotifySocket: @unchecked Sendable {
        let path: String
        let fd: Int32
        private let lock = NSLock()
        private var received: [String] = []
        private var consumed = 0
        private var closed = false
        private let drained = DispatchSemaphore(value: 0)

        private let draining: Bool

        /// `draining` false: nobody reads it, as for a stalled systemd.
        init(directory: URL, draining: Bool = true) throws {
            self.draining = draining
            self.path = directory.appendingPathComponent("notify.sock").path
            self.fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in self.path.utf8.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(self.fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw TestFailure("cannot bind \(self.path)") }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            // Holds the socket until `close`.
            if draining { Thread.detachNewThread { self.drain() } }
        }

        private func drain() {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !self.lock.withLock({ self.closed }) {
                let count = recv(self.fd, &buffer, buffer.count, 0)
                guard count > 0 else { continue }
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                self.lock.withLock { self.received.append(message) }
            }
            self.drained.signal()
        }

        /// The datagrams after those an earlier call returned, once `predicate` holds for them or `timeout` passes.
        func collect(timeout: Double, until predicate: ([String]) -> Bool) -> [String] {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let messages = self.lock.withLock { Array(self.received[self.consumed...]) }
                if predicate(messages) || Date() >= deadline {
                    self.lock.withLock { self.consumed += messages.count }
                    return messages
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }

        func close() {
            self.lock.withLock { self.closed = true }
            if self.draining { self.drained.wait() }
            Glibc.close(self.fd)
        }
    }

    @Test("each of the daemon's own threads carries its name where top -H and perf look")
    func threadNames() throws {
        let daemon = try DaemonProcess()
        daemon.environment = ["WIREWATCH_PIPELINE_WORKERS": "2"]
        try daemon.start()
        let pid = try #require(daemon.process?.processIdentifier)
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        let names = Set(tasks.compactMap { task in
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .newlines)
        })
        for name in ["ww-ingest", "ww-pipeline", "ww-publish", "ww-replay", "ww-checkpoint", "ww-analysis-0", "ww-analysis-1"] {
            #expect(names.contains(name), "\(name) among \(names.sorted())")
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("systemd hears READY=1, STATUS= with rates, WATCHDOG=1 and STOPPING=1")
    func notifyProtocol() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory)
        defer { notify.close() }
        daemon.environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"]
        try daemon.start()
        let early = notify.collect(timeout: 30) { messages in
            messages.contains { $0.contains("WATCHDOG=1") } && messages.contains { $0.hasPrefix("STATUS=") }
        }
        #expect(early.contains { $0.contains("READY=1") })
        #expect(early.contains { $0.hasPrefix("STATUS=") && $0.contains("in/s") })
        #expect(early.contains { $0.contains("WATCHDOG=1") })
        daemon.signal(SIGTERM)
        let late = notify.collect(timeout: 30) { messages in messages.contains { $0.contains("STOPPING=1") } }
        #expect(late.contains { $0.contains("STOPPING=1") })
        #expect(try daemon.stop() == 0)
    }

    /// Notifications to `notify`, WatchdogSec=3 (wedged after 1 s without the pipeline turning) and the test fault
    /// switch that hangs the pipeline after its first article.
    static func wedgingEnvironment(notify: NotifySocket) -> [String: String] {
        ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "3000000", "WIREWATCH_TEST_HANG_PIPELINE_AFTER": "1"]
    }

    /// Sends one article, then two more a second later: the first goes through, the next batch finds the pipeline
    /// hanging with work queued. Returns the PUSH socket, which must outlive the sends.
    func wedge(_ daemon: DaemonProcess) throws -> Socket {
        let push = try Socket(self.context, type: .push)
        try push.connect(daemon.pull)
        try push.send([self.article(id: "wedge-0", text: "The article before the pipeline wedges.")])
        Thread.sleep(forTimeInterval: 1)
        for index in 1..<3 {
            try push.send([self.article(id: "wedge-\(index)", text: "Article \(index), queued behind a wedged pipeline.")])
        }
        return push
    }

    @Test("a notify socket nobody reads holds back neither readiness, the wedge check nor shutdown")
    func unreadNotifySocket() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory, draining: false)
        defer { notify.close() }
        daemon.environment = Self.wedgingEnvironment(notify: notify)
        try daemon.start()
        // STATUS= and WATCHDOG=1 each second: the socket's 10 datagrams are full well before this ends.
        Thread.sleep(forTimeInterval: 12)
        let push = try self.wedge(daemon)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !daemon.log().contains("withholding the watchdog ping") {
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(daemon.log().contains("withholding the watchdog ping"), "the notifier still judges the pipeline")
        #expect(try daemon.httpGet("/ready").status == 200)
        let stopped = Date()
        #expect(try daemon.stop() == 0)
        #expect(Date().timeIntervalSince(stopped) < 30, "shutdown within the drain deadline")
        _ = consume push
    }

    @Test("a wedged pipeline (test fault switch) stops the watchdog ping, so systemd would restart the daemon")
    func watchdogWithheldWhenWedged() throws {
        let daemon = try DaemonProcess()
        let notify = try NotifySocket(directory: daemon.directory)
        defer { notify.close() }
        daemon.environment = Self.wedgingEnvironment(notify: notify)
        try daemon.start()
        let healthy = notify.collect(timeout: 30) { messages in messages.contains { $0.contains("WATCHDOG=1") } }
        #expect(healthy.contains { $0.contains("WATCHDOG=1") }, "pings while the pipeline turns, idle or not")
        let push = try self.wedge(daemon)
        let wedged = notify.collect(timeout: 60) { messages in messages.contains { $0.contains("PIPELINE WEDGED") } }
        #expect(wedged.contains { $0.contains("PIPELINE WEDGED") })
        let after = notify.collect(timeout: 4) { _ in false }
        #expect(!after.contains { $0.contains("WATCHDOG=1") }, "no ping while wedged: \(after)")
        #expect(after.contains { $0.hasPrefix("STATUS=") }, "status still reported")
        #expect(daemon.log().contains("withholding the watchdog ping"))
        // SIGTERM still ends it within the drain deadline: shutdown never waits on a wedged pipeline forever.
        #expect(try daemon.stop() == 0)
        _ = consume push
    }

    @Test("articles from a scraper's PUB feed come in through SUB")
    func subscribeFeed() throws {
        let scraper = try Socket(self.context, type: .pub)
        try scraper.bind("tcp://127.0.0.1:*")
        let daemon = try DaemonProcess(subscribe: [scraper.lastEndpoint])
        try daemon.start()
        let results = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { results.stop() }
        try results.waitUntilConnected()
        // SUB joins asynchronously and PUB drops until it has: resend until the daemon has it (dedup keeps one). The
        // deadline only bounds a failure: a debug daemon under the whole suite's load is slow to analyze the first.
        var got: [Published] = []
        let deadline = Date().addingTimeInterval(60)
        while got.isEmpty && Date() < deadline {
            try scraper.send([Array("news.world".utf8), self.article(id: "sub-1", text: "Carried by a PUB feed.")])
            got = (try? results.wait(timeout: 0.1) { $0.topic.hasPrefix("article.") }) ?? []
        }
        #expect(got.first?.value("id") as? String == "sub-1")
        #expect(try daemon.stop() == 0)
    }

    @Test("SIGHUP reloads the configuration and the daemon keeps serving; a bad file is refused")
    func reload() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        daemon.signal(SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (original + "\nunknown_key: 1\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try daemon.httpGet("/ready").status == 200)
        let log = daemon.log()
        #expect(log.contains("configuration reloaded"))
        #expect(log.contains("reload failed"))
        #expect(log.contains("unknown_key"))
        #expect(try daemon.stop() == 0)
    }

    @Test("SIGKILL under load: after restart every acked article is published once as new, seq has no holes")
    func killUnderLoad() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let count = 5000
        let lines = (0..<count).map { index in
            String(decoding: self.article(id: "load-\(index)", text: "Load article \(index), about topic \(index * 31)."), as: UTF8.self)
        }.joined(separator: "\n")
        let file = daemon.directory.appendingPathComponent("load.jsonl")
        try lines.write(to: file, atomically: true, encoding: .utf8)
        let sent = try runCLI(["send", "--quiet", "--config", daemon.configPath, file.path])
        #expect(sent.status == 0, "\(sent.stderr)")
        try daemon.stop(signal: SIGKILL)
        try daemon.start()
        let journal = try daemon.journal(count: count, timeout: 60)
        #expect(journal.status == 0, "\(journal.stderr)")
        let ids = journal.ids
        let seqs = journal.seqs
        #expect(ids.count == count)
        #expect(Set(ids) == Set((0..<count).map { "load-\($0)" }), "every acked article, once")
        #expect(seqs == Array(1...Int64(count)), "no holes, no repeats")
        #expect(try daemon.stop() == 0)
    }

    @Test("dedup memory survives a restart: a near copy after it is a duplicate, an update is published")
    func dedupAcrossRestart() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let paragraphs = (1...6).map { index in
            "Paragraph \(index) of the harbour story reports that inspectors found \(index * 3) new cracks in the supports of the bridge on Tuesday."
        }
        let push = try Socket(self.context, type: .push)
        try push.connect(daemon.pull)
        try push.send([self.article(id: "story", text: paragraphs.joined(separator: "\n\n"))])
        let results = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { results.stop() }
        try results.wait { $0.topic.hasPrefix("article.") }
        try daemon.stop()
        try daemon.start()
        // A fresh subscription, confirmed by a heartbeat of the new process: PUB drops what is sent before it.
        let after = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { after.stop() }
        try after.waitUntilConnected()
        let syndicated = "(Example Wire) - " + paragraphs.joined(separator: "\n\n") + "\n\nRead more: Harbour news"
        try push.send([self.article(id: "copy", text: syndicated)])
        let updated = (paragraphs + ["In the evening the council confirmed that the bridge will stay closed until the end of next month."])
            .joined(separator: "\n\n")
        try push.send([self.article(id: "later", text: updated)])
        let duplicate = try after.wait { $0.topic == "duplicate" }[0]
        #expect(duplicate.value("dedup.status") as? String == "near")
        #expect(duplicate.value("dedup.of") as? String == "story")
        let update = try after.wait { $0.value("id") as? String == "later" }[0]
        #expect(update.topic == "article.en")
        #expect(update.value("dedup.status") as? String == "update")
        #expect(update.value("dedup.cluster") as? String == "story")
        #expect(try daemon.stop() == 0)
    }

    @Test(
        "wirewatchd --check-config names the offending key; a missing store directory is created",
        arguments: [
            ("pipeline_workers: 3", [:], "pipeline_workers"),
            ("", ["WIREWATCH_INGEST_RECEIVE_BUFFER_BYTES": "-1"], "ingest.receive_buffer_bytes"),
        ])
    func daemonCheckConfig(extra: String, environment: [String: String], key: String) throws {
        let daemon = try DaemonProcess(extra: extra)
        let process = Process()
        process.executableURL = Binaries.daemon
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.arguments = ["--config", daemon.configPath, "--check-config"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains(key))
    }
}
