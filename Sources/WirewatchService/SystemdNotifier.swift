import CSystemd
import Foundation
import Logging
import ServiceLifecycle

/// Talks to systemd (`Type=notify`): `READY=1` once every socket is bound and the store is open, `STATUS=` with
/// live rates every second, `WATCHDOG=1` only while the pipeline keeps going round its loop, `STOPPING=1` on
/// shutdown. Outside systemd (`$NOTIFY_SOCKET` unset) `sd_notify` does nothing, and the same readiness still
/// drives `/ready`.
struct SystemdNotifier: Service {
    let state: DaemonState
    let rates: RateTracker
    /// Sockets that must be bound before the daemon is ready.
    let expectedSockets: Int
    let logger: Logger

    /// A pipeline that has not turned for a third of the watchdog interval (10 s without one) is wedged; the
    /// ping stops then, so systemd restarts the daemon at the end of WatchdogSec.
    static var wedgedAfterSeconds: Double {
        guard let usec = ProcessInfo.processInfo.environment["WATCHDOG_USEC"].flatMap(Double.init) else { return 10 }
        return max(1, usec / 1e6 / 3)
    }

    func run() async throws {
        var wasReady = false
        var wasWedged = false
        let environment = ProcessInfo.processInfo.environment
        let watchdogEnabled = environment["WATCHDOG_USEC"] != nil
        let mailbox = NotifyMailbox(enabled: !(environment["NOTIFY_SOCKET"] ?? "").isEmpty)
        let wedgedAfter = Self.wedgedAfterSeconds
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let snapshot = self.state.snapshot()
            self.rates.record(snapshot)
            if !wasReady && self.state.socketsBound.load(ordering: .relaxed) >= self.expectedSockets
                && self.state.pipelineStarted.load(ordering: .relaxed)
            {
                wasReady = true
                self.state.ready.store(true, ordering: .relaxed)
                mailbox.post("READY=1")
                self.logger.info("ready")
            }
            let wedged = wasReady && self.state.secondsSincePipelineTick > wedgedAfter
            if wedged != wasWedged {
                wasWedged = wedged
                if wedged {
                    self.logger.critical("pipeline made no progress; withholding the watchdog ping")
                }
            }
            if wasReady && !wedged && watchdogEnabled { mailbox.post("WATCHDOG=1") }
            let rates = self.rates.rates()
            mailbox.post(String(
                format: "STATUS=%.1f in/s, %.1f out/s, %d queued, seq %lld, %d rejected%@",
                rates.accepted, rates.published, max(0, snapshot.backlog), snapshot.publishedSeq, snapshot.rejected,
                (wedged ? ", PIPELINE WEDGED" : "")
                    + (self.state.storeHealthy ? "" : ", STORE UNWRITABLE")
                    + (self.state.sharedMemoryHealthy.load(ordering: .relaxed) ? "" : ", POSTGRESQL UNREACHABLE")
            ))
            try? await Task.sleep(for: .seconds(1))
        }
        mailbox.post("STOPPING=1")
        await mailbox.close(waitingAtMost: .seconds(1))
    }
}

/// Sends `sd_notify` messages from a thread of its own (`ww-notify`). The call blocks while the receiving socket's
/// queue is full (`net.unix.max_dgram_qlen`, 10 datagrams): on the concurrency pool that blocked the notifier
/// itself, so a socket nobody read kept the daemon from ever marking itself ready or noticing a wedged pipeline.
/// A message that only reports the present (`STATUS=`, `WATCHDOG=1`) replaces a pending one of its kind.
final class NotifyMailbox: @unchecked Sendable {
    // @unchecked: `pending`, `sending` and `closed` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var pending: [String] = []
    private var sending = false
    private var closed = false
    private let enabled: Bool

    /// `enabled` false (no `$NOTIFY_SOCKET`): no thread, and `post` drops everything, as `sd_notify` would.
    init(enabled: Bool) {
        self.enabled = enabled
        guard enabled else { return }
        startThread(named: "ww-notify") { [self] in self.deliver() }
    }

    func post(_ message: String) {
        guard self.enabled else { return }
        self.condition.lock()
        defer { self.condition.unlock() }
        let kind = message.prefix { $0 != "=" }
        if kind == "STATUS" || kind == "WATCHDOG",
            let index = self.pending.firstIndex(where: { $0.hasPrefix(kind + "=") })
        {
            self.pending[index] = message
        } else {
            self.pending.append(message)
        }
        self.condition.broadcast()
    }

    private func deliver() {
        self.condition.lock()
        while true {
            while self.pending.isEmpty && !self.closed { self.condition.wait() }
            if self.pending.isEmpty { break }
            let message = self.pending.removeFirst()
            self.sending = true
            self.condition.unlock()
            _ = sd_notify(0, message)
            self.condition.lock()
            self.sending = false
            self.condition.broadcast()
        }
        self.condition.unlock()
    }

    /// Lets the thread end once what is posted is sent, waiting for that at most `limit`: a last `STOPPING=1` to
    /// a socket nobody reads must not hold up shutdown.
    func close(waitingAtMost limit: Duration) async {
        guard self.enabled else { return }
        self.condition.withLock {
            self.closed = true
            self.condition.broadcast()
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let done = self.condition.withLock { self.pending.isEmpty && !self.sending }
            if done { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
