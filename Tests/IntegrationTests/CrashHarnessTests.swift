import Foundation
import Testing
import TestSupport
import WirewatchService
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The crash harness: a stream of articles through the acked ingest while `wirewatchd` is SIGKILLed at random
/// moments and restarted, then the journal is read back and every acked article accounted for.
///
/// The client behaves like a careful scraper: it keeps a window in flight, and whatever has no ack after a
/// restart (or after 3 s) it sends again — at-least-once from the client, exactly-once as `unique` from the
/// daemon. Rerun with more: `WIREWATCH_CRASH_ARTICLES=100000 WIREWATCH_CRASH_KILLS=20 WIREWATCH_CRASH_SEED=7
/// swift test --filter CrashHarness`.
@Suite(.serialized)
struct CrashHarnessTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
    }

    func article(_ index: Int) -> [UInt8] {
        // Distinct stories: no two share enough words to be near copies.
        let district: Int = index % 977
        let votesFor: Int = (index * 7919) % 104_729
        let votesAgainst: Int = (index * 31) % 1009
        let kilometre: Int = index % 613
        let text: String = "Report \(index): the council of district \(district) voted \(votesFor) to \(votesAgainst) on the plan number \(index) for the river crossing at kilometre \(kilometre)."
        return [UInt8](try! JSONSerialization.data(withJSONObject: ["id": "crash-\(index)", "text": text]))
    }

    /// What the client knows: which articles are acked, which are in flight and since when.
    final class ClientState {
        var acked = Set<Int>()
        var inFlight: [Int: Date] = [:]
        var next = 0
        var resent = 0
    }

    /// Feeds one connection until `stopAt` acks (a kill point) or the end; returns false if it stalled.
    func pump(_ dealer: borrowing Socket, _ state: ClientState, total: Int, stopAt: Int, until deadline: Date) throws -> Bool {
        let window = 500
        var items = [dealer.pollItem(.readable)]
        while state.acked.count < min(total, stopAt) {
            if Date() > deadline { return false }
            let now = Date()
            for (index, sentAt) in state.inFlight where now.timeIntervalSince(sentAt) > 3 {
                try dealer.send([Array(String(index).utf8), self.article(index)])
                state.inFlight[index] = now
                state.resent += 1
            }
            while state.next < total && state.inFlight.count < window {
                try dealer.send([Array(String(state.next).utf8), self.article(state.next)])
                state.inFlight[state.next] = now
                state.next += 1
            }
            try poll(&items, timeoutMilliseconds: 100)
            while let message = try dealer.receive(dontWait: true) {
                guard message.frames.count == 2 else { continue }
                let body = String(decoding: message.frames[1], as: UTF8.self)
                guard let index = Int(String(decoding: message.frames[0], as: UTF8.self)), body.contains("\"ok\":true")
                else { continue }
                state.inFlight[index] = nil
                state.acked.insert(index)
            }
        }
        return true
    }

    struct Accounting {
        var newByID: [String: Int] = [:]
        var duplicates = 0
        var redelivered = 0
        var seqs: [Int64] = []
    }

    /// The whole journal, read back through the replay endpoint.
    func readJournal(_ endpoint: String) throws -> Accounting {
        var accounting = Accounting()
        var session = try WirewatchClient(context: self.context).replaySession(endpoint)
        session.timeout = 10
        var since: Int64 = 0
        while true {
            let page = try session.replay(since: since, limit: 5000)
            for entry in page.entries {
                accounting.seqs.append(entry.seq)
                let parsed = try? JSONSerialization.jsonObject(with: Data(entry.envelope))
                let object: [String: Any] = (parsed as? [String: Any]) ?? [:]
                if (object["redelivered"] as? Bool) == true { accounting.redelivered += 1 }
                if entry.topic.hasPrefix("article."), let id = object["id"] as? String {
                    accounting.newByID[id, default: 0] += 1
                } else if entry.topic == "duplicate" {
                    accounting.duplicates += 1
                }
            }
            if let last = page.entries.last { since = last.seq }
            if !page.more || page.entries.isEmpty { break }
        }
        return accounting
    }

    @Test("20,000 articles, 5 SIGKILLs: every acked article published once as new, seq without holes")
    func killsDuringStream() throws {
        let total = Self.setting("WIREWATCH_CRASH_ARTICLES", 20_000)
        let kills = Self.setting("WIREWATCH_CRASH_KILLS", 5)
        let seed = UInt64(Self.setting("WIREWATCH_CRASH_SEED", 2026))
        // xorshift64: a seeded sequence, so a failing run can be repeated with its seed.
        var random = seed | 1
        // Kill points, as counts of acks received, spread at random over the stream.
        let span = UInt64(total * 9 / 10)
        let offset: Int = total / 20
        var killAt: [Int] = []
        for _ in 0..<kills {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            killAt.append(Int(random % span) + offset)
        }
        killAt.sort()

        let daemon = try DaemonProcess()
        try daemon.start()
        let state = ClientState()
        let started = Date()
        let deadline = started.addingTimeInterval(600)
        var killsDone = 0
        var stalled = false
        while state.acked.count < total && !stalled {
            // A new connection after each restart, as a scraper would open; what was in flight is sent again.
            for index in Array(state.inFlight.keys) { state.inFlight[index] = .distantPast }
            let stopAt = killsDone < killAt.count ? killAt[killsDone] : Int.max
            let dealer = try Socket(self.context, type: .dealer, lingerMilliseconds: 0)
            try dealer.connect(daemon.acked)
            stalled = !(try self.pump(dealer, state, total: total, stopAt: stopAt, until: deadline))
            if !stalled && state.acked.count < total {
                try daemon.stop(signal: SIGKILL)
                killsDone += 1
                try daemon.start()
            }
        }
        #expect(!stalled, "the stream stalled: \(state.acked.count) of \(total) acked after 600 s")
        let streamSeconds = Date().timeIntervalSince(started)

        // Read the whole journal back once the pipeline has published every acked article.
        var accounting = Accounting()
        let readDeadline = Date().addingTimeInterval(600)
        repeat {
            accounting = try self.readJournal(daemon.replay)
            let known = accounting.newByID
            if state.acked.allSatisfy({ known["crash-\($0)"] != nil }) { break }
            Thread.sleep(forTimeInterval: 1)
        } while Date() < readDeadline

        let known = accounting.newByID
        let lost: Int = state.acked.filter { known["crash-\($0)"] == nil }.count
        let twice: Int = known.values.filter { $0 > 1 }.count
        let distinct: Int = Set(accounting.seqs).count
        let lowest: Int64 = accounting.seqs.min() ?? 1
        let highest: Int64 = accounting.seqs.max() ?? 0
        let holes: Int = Int(highest - lowest + 1) - distinct
        let repeats: Int = accounting.seqs.count - distinct
        let seconds = String(format: "%.1f", streamSeconds)
        print("crash harness (seed \(seed)): \(total) articles through the acked ingest in \(seconds) s, \(killsDone) SIGKILLs at acks \(killAt), \(state.resent) resends")
        print("  acked \(state.acked.count), published as new \(known.count), lost \(lost), published twice as new \(twice), resends recognised as duplicates \(accounting.duplicates), redelivered after a crash \(accounting.redelivered)")
        print("  journal seq \(lowest)…\(highest): \(accounting.seqs.count) entries, \(holes) holes, \(repeats) repeats")
        #expect(killsDone == kills)
        #expect(state.acked.count == total)
        #expect(lost == 0, "every acked article is published")
        #expect(twice == 0, "none is published twice as new")
        #expect(holes == 0, "seq has no holes")
        #expect(repeats == 0, "seq has no repeats")
        #expect(lowest == 1)
        #expect(try daemon.stop() == 0)
    }
}
