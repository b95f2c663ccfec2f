import Foundation
import Testing
import TestSupport
import WirewatchService
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The real `wirewatchd` binary on free loopback ports, fed and read through real ZeroMQ sockets.
@Suite(.serialized)
struct DaemonTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    func seedPayload() throws -> [UInt8] {
        let url = Paths.seedArticle
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TestFailure("missing \(url.path): ../shared must sit beside the repository")
        }
        return [UInt8](data)
    }

    func article(id: String, text: String, url: String? = nil) -> [UInt8] {
        var object: [String: Any] = ["id": id, "title": "Test \(id)", "text": text, "source": "test.example"]
        if let url { object["url"] = url }
        return [UInt8](try! JSONSerialization.data(withJSONObject: object))
    }

    @Test("the sample article comes out on article.en, and again as a duplicate naming the first")
    func sampleArticleAndDuplicate() throws {
        let daemon = try DaemonProcess()
        try daemon.feed(context: self.context) { results, push in
            try push.send([try self.seedPayload()])

            let first = try results.wait { $0.topic.hasPrefix("article.") }[0]
            #expect(first.topic == "article.en")
            #expect(first.seq != nil && first.seq! >= 1)
            #expect(first.value("id") as? String == "seed-0001")
            #expect(first.value("schema") as? String == "wirewatch.result.v1")
            #expect(first.value("analysis.language.code") as? String == "en")
            #expect((first.value("analysis.text.repeated_paragraphs_removed") as? NSNumber)?.intValue == 9)
            #expect(first.value("dedup.status") as? String == "unique")
            #expect(first.value("article.canonical_url") as? String == "//example.org/news/2023/isis-k-afghanistan-region")

            try push.send([try self.seedPayload()])
            let duplicate = try results.wait { $0.topic == "duplicate" }[0]
            #expect(duplicate.value("dedup.status") as? String == "exact")
            #expect(duplicate.value("dedup.of") as? String == "seed-0001")
            #expect(duplicate.seq! > first.seq!)
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("a long article does not hold back the short ones after it; a copy of it waits for it; seq follows publication")
    func publicationOrder() throws {
        let daemon = try DaemonProcess()
        try daemon.feed(context: self.context) { results, push in
            // About 30,000 words of distinct sentences: analysis takes a good while, in a debug build seconds.
            let long = (0..<2500).map { "Report \($0) from the harbour of district \($0 % 97) counted \($0 * 7 % 1009) ships today." }
                .joined(separator: " ")
            try push.send([self.article(id: "long", text: long)])
            try push.send([self.article(id: "long-copy", text: long)])
            let shorts = (0..<4).map { "short-\($0)" }
            for (index, id) in shorts.enumerated() {
                let text = "The ferry number \(index) left the \(["north", "south", "east", "west"][index]) pier at dawn with \(index * 13 + 40) passengers aboard."
                try push.send([self.article(id: id, text: text)])
            }
            let published = try results.wait(for: 6, timeout: 120) { $0.topic != "heartbeat" }
            let order = published.compactMap { $0.value("id") as? String }
            let seqs = published.compactMap(\.seq)
            #expect(seqs == Array(seqs[0]..<(seqs[0] + Int64(seqs.count))), "seq rises by one in publication order: \(seqs)")
            let position = { (id: String) in order.firstIndex(of: id) ?? -1 }
            #expect(position("long") >= 0 && position("long") < position("long-copy"), "the copy after its original: \(order)")
            #expect(published[position("long-copy")].value("dedup.of") as? String == "long")
            if ProcessInfo.processInfo.activeProcessorCount >= 2 {
                // Two workers: the short articles are analyzed beside the long one and need not wait for it.
                #expect(shorts.contains { position($0) < position("long") }, "a short article published before the long one: \(order)")
            }
            // The journal agrees: replayed from the start, the same order and numbers.
            var session = try WirewatchClient(context: self.context).replaySession(daemon.replay)
            session.timeout = 10
            let replayed = try session.replay(since: seqs[0] - 1, limit: 100).entries
            #expect(replayed.map(\.seq) == seqs)
            #expect(replayed.map { entry in
                (try? JSONSerialization.jsonObject(with: Data(entry.envelope)) as? [String: Any])?["id"] as? String ?? ""
            } == order)
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("a copy of an article still in analysis is recognised however many articles are decided meanwhile")
    func copyBehindLongAnalysis() throws {
        let daemon = try DaemonProcess()
        // A window of 2 decisions: the dedup engine keeps the newest 256 to 512 records unwritten, so 700 short
        // articles decided while the long one is in analysis would push its record out of reach if the window
        // counted only what is in flight.
        daemon.environment["WIREWATCH_PIPELINE_BATCH"] = "2"
        try daemon.feed(context: self.context) { results, push in
            let long = (0..<16000).map { "Report \($0) from the harbour of district \($0 % 97) counted \($0 * 7 % 1009) ships today." }
                .joined(separator: " ")
            try push.send([self.article(id: "long", text: long)])
            for index in 0..<700 {
                let text = "Bulletin \(index): the council of ward \(index % 977) voted \((index * 7919) % 104_729) to \((index * 31) % 1009) on plan \(index)."
                try push.send([self.article(id: "short-\(index)", text: text)])
            }
            try push.send([self.article(id: "long-again", text: long)])
            let published = try results.wait(for: 702, timeout: 300) { $0.topic != "heartbeat" }
            let copy = try #require(published.first { $0.value("id") as? String == "long-again" })
            #expect(copy.topic == "duplicate")
            #expect(copy.value("dedup.status") as? String == "exact")
            #expect(copy.value("dedup.of") as? String == "long")
        }
        #expect(try daemon.stop() == 0)
    }

    /// Each hostile message, and what the error event must say.
    static let hostile: [(name: String, frames: [[UInt8]], code: String)] = {
        let big = [UInt8]("{\"text\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 50_000_000)
            + [UInt8]("\"}".utf8)
        let deep = [UInt8]("{\"text\":\"x\",\"meta\":".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
            + [UInt8](repeating: UInt8(ascii: "]"), count: 10_000) + [UInt8]("}".utf8)
        var garbage = [UInt8](repeating: 0, count: 4096)
        for index in garbage.indices { garbage[index] = UInt8(truncatingIfNeeded: index &* 7919 &+ 13) }
        return [
            ("malformed JSON", [Array("{\"text\": \"unterminated".utf8)], "malformed_json"),
            ("invalid UTF-8", [[0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]], "invalid_utf8"),
            ("no body", [Array("{\"title\":\"headline only\"}".utf8)], "missing_body"),
            ("wrong field type", [Array("{\"text\":\"body\",\"title\":5}".utf8)], "wrong_type"),
            ("50 MB payload", [big], "too_large"),
            ("nested 10,000 deep", [deep], "too_deep"),
            ("binary garbage", [garbage], "invalid_utf8"),
            ("empty frame", [[]], "empty_payload"),
            ("too many frames", [Array("a".utf8), Array("b".utf8), Array("{\"text\":\"x\"}".utf8)], "too_many_frames"),
        ]
    }()

    @Test("every hostile input is answered on topic error with a hash and a dead letter, and service goes on")
    func hostileInput() throws {
        let daemon = try DaemonProcess()
        try daemon.feed(context: self.context) { results, push in
            for (index, hostile) in Self.hostile.enumerated() {
                try push.send(hostile.frames)
                let good = "Good article number \(index) follows the hostile case \(hostile.name). It has a body."
                try push.send([self.article(id: "good-\(index)", text: good)])
            }
            let errors = try results.wait(for: Self.hostile.count, timeout: 60) { $0.topic == "error" }
            for (index, hostile) in Self.hostile.enumerated() {
                let event = errors[index]
                #expect(event.value("code") as? String == hostile.code, "\(hostile.name): \(event.json)")
                #expect((event.value("reason") as? String)?.isEmpty == false, "\(hostile.name)")
                #expect((event.value("payload_sha256") as? String)?.count == 64, "\(hostile.name)")
                #expect(((event.value("dead_letter_id") as? NSNumber)?.intValue ?? 0) > 0, "\(hostile.name)")
            }
            let goods = try results.wait(for: Self.hostile.count) { $0.topic.hasPrefix("article.") }
            #expect(Set(goods.compactMap { $0.value("id") as? String }).count == Self.hostile.count)
            // Errors and articles share one gapless sequence.
            let seqs = results.all.filter { $0.topic != "heartbeat" }.compactMap(\.seq).sorted()
            #expect(seqs == Array(1...Int64(seqs.count)))
        }
        #expect(try daemon.stop() == 0)
    }

    @Test("the acked ingest answers bad input with a reason and good input with ok")
    func ackedIngestAnswers() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let dealer = try Socket(self.context, type: .dealer, lingerMilliseconds: 0)
        try dealer.setReceiveTimeout(milliseconds: 10_000)
        try dealer.connect(daemon.acked)
        try dealer.send([Array("1".utf8), Array("{not json".utf8)])
        let bad = try #require(try dealer.receive())
        #expect(bad.string(0) == "1")
        #expect(bad.string(1)?.contains("\"ok\":false") == true)
        #expect(bad.string(1)?.contains("malformed_json") == true)
        try dealer.send([Array("2".utf8), self.article(id: "acked-1", text: "An acknowledged article body.")])
        let good = try #require(try dealer.receive())
        #expect(good.string(0) == "2")
        #expect(good.string(1)?.contains("\"ok\":true") == true)
        #expect(try daemon.stop() == 0)
    }

    @Test("tail --since replays the journal and refills a gap; tail --last shows the latest")
    func tailSinceAndLast() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let push = try Socket(self.context, type: .push)
        try push.connect(daemon.pull)
        let results = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { results.stop() }
        for index in 0..<20 {
            try push.send([self.article(id: "tail-\(index)", text: "Tail article \(index) with its own text.")])
        }
        try results.wait(for: 20) { $0.topic.hasPrefix("article.") }
        let since = try runCLI([
            "tail", "--config", daemon.configPath, "--since", "5", "--count", "15", "--format", "compact", "--timeout", "20",
        ])
        #expect(since.status == 0, "\(since.stderr)")
        let seqs = since.stdout.split(separator: "\n").compactMap { Int($0.split(separator: "\t").first ?? "") }
        #expect(seqs == Array(6...20))

        let last = try runCLI([
            "tail", "--config", daemon.configPath, "--last", "3", "--count", "3", "--format", "json", "--timeout", "20",
        ])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(last.stdout.split(separator: "\n").count == 3)
        #expect(last.stdout.contains("\"topic\":\"article.en\""))
        #expect(try daemon.stop() == 0)
    }

    @Test("a live tail that loses envelopes refills them from replay and says so")
    func tailRefillsGap() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let push = try Socket(self.context, type: .push)
        try push.connect(daemon.pull)
        try push.send([self.article(id: "gap-0", text: "The first article before the tail starts.")])
        let results = ResultCollector(context: self.context, endpoint: daemon.publish)
        defer { results.stop() }
        try results.wait { $0.topic.hasPrefix("article.") }
        let tail = Process()
        tail.executableURL = Binaries.cli
        tail.arguments = [
            "tail", "--config", daemon.configPath, "--count", "9", "--format", "compact", "--timeout", "20", "--verbose",
        ]
        // Every third live envelope is lost on the way, as a PUB socket drops for a slow subscriber.
        tail.environment = ProcessInfo.processInfo.environment.merging(["WIREWATCH_TEST_DROP_EVERY": "3"]) { $1 }
        let out = Pipe()
        let err = Pipe()
        tail.standardOutput = out
        tail.standardError = err
        try tail.run()
        // Send only once the tail has joined the live stream (its baseline is seq 1, from a heartbeat).
        var messages = ""
        let deadline = Date().addingTimeInterval(60)
        while !messages.contains("following live from seq 1") && Date() < deadline {
            messages += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(messages.contains("following live from seq 1"), "\(messages)")
        for index in 1...9 {
            try push.send([self.article(id: "gap-\(index)", text: "Article \(index) after the tail started.")])
        }
        tail.waitUntilExit()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        messages += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(tail.terminationStatus == 0, "\(messages)")
        let seqs = output.split(separator: "\n").compactMap { Int($0.split(separator: "\t").first ?? "") }
        #expect(seqs == Array(2...10))
        #expect(messages.contains("refilled"))
        #expect(try daemon.stop() == 0)
    }

    @Test("/metrics, /health and /ready answer; inspect and stats talk to the daemon")
    func operatorEndpoints() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        #expect(try daemon.httpGet("/health").status == 200)
        #expect(try daemon.httpGet("/ready").status == 200)
        let sent = try runCLI(["send", "--config", daemon.configPath, Paths.seedArticle.path])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("1 of 1 articles accepted"))
        let sentAgain = try runCLI(["send", "--config", daemon.configPath, Paths.seedArticle.path])
        #expect(sentAgain.status == 0)
        Thread.sleep(forTimeInterval: 1)
        let metrics = try daemon.httpGet("/metrics")
        #expect(metrics.body.contains("wirewatch_ingest_accepted_total 2"))
        #expect(metrics.body.contains("wirewatch_analysis_resources_unusable 0"), "the shipped resources all load")
        let inspect = try runCLI(["inspect", "--config", daemon.configPath, "seed-0001"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("\"exact\""))
        #expect(inspect.stdout.contains("\"unique\""))
        let missing = try runCLI(["inspect", "--config", daemon.configPath, "no-such-article"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no journaled envelope"))
        let stats = try runCLI(["stats", "--config", daemon.configPath, "--format", "json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("\"accepted\":2"))
        #expect(try daemon.stop() == 0)
    }

    @Test("check-config names the offending key and exits non-zero")
    func checkConfigNamesKey() throws {
        let daemon = try DaemonProcess(extra: "bogus_key: 1")
        let result = try runCLI(["check-config", daemon.configPath])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bogus_key"))
        let typo = try DaemonProcess(extra: "heartbeat_seconds: \"often\"")
        let typed = try runCLI(["check-config", typo.configPath])
        #expect(typed.status == 1)
        #expect(typed.stderr.contains("heartbeat_seconds"))
        // The dedup index reads slots back from 24 bits: a window it cannot tell apart is refused, not truncated.
        let huge = try DaemonProcess(extra: "dedup:\n  max_articles: 20000000")
        let refused = try runCLI(["check-config", huge.configPath])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("dedup.max_articles"))
        let good = try DaemonProcess()
        #expect(try runCLI(["check-config", good.configPath]).status == 0)
    }

    @Test("send to a daemon that is not running fails with a clear message")
    func sendWithoutDaemon() throws {
        let port = FreePort.next()
        let result = try runCLI([
            "send", "--acked", "tcp://127.0.0.1:\(port)", "--timeout", "1", Paths.seedArticle.path,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not acknowledged"))
    }

    @Test("keygen writes a 0600 secret and a public key, refuses to overwrite without --force, fails clearly")
    func keygen() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keygen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = directory.appendingPathComponent("daemon").path
        let first = try runCLI(["keygen", name])
        #expect(first.status == 0, "\(first.stderr)")
        let secretMode = try FileManager.default.attributesOfItem(atPath: name + ".key")[.posixPermissions] as? Int
        let publicMode = try FileManager.default.attributesOfItem(atPath: name + ".pub")[.posixPermissions] as? Int
        #expect(secretMode == 0o600)
        #expect(publicMode == 0o644)
        let secret = try String(contentsOfFile: name + ".key", encoding: .utf8).trimmingCharacters(in: .newlines)
        let publicKey = try String(contentsOfFile: name + ".pub", encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(secret.count == 40 && publicKey.count == 40 && secret != publicKey)
        #expect(first.stdout.contains(publicKey))

        let again = try runCLI(["keygen", name])
        #expect(again.status != 0)
        #expect(again.stderr.contains("exists"))
        #expect(try String(contentsOfFile: name + ".key", encoding: .utf8).contains(secret), "left as it was")
        let forced = try runCLI(["keygen", "--force", name])
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: name + ".key", encoding: .utf8).trimmingCharacters(in: .newlines) != secret)
        #expect((try FileManager.default.attributesOfItem(atPath: name + ".key")[.posixPermissions] as? Int) == 0o600)

        let nowhere = try runCLI(["keygen", directory.appendingPathComponent("missing/dir/key").path])
        #expect(nowhere.status != 0)
        #expect(nowhere.stderr.contains("cannot create"))
    }
}
