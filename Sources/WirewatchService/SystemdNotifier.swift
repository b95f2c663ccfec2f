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
        let watchdogEnabled = ProcessInfo.processInfo.environment["WATCHDOG_USEC"] != nil
        let wedgedAfter = Self.wedgedAfterSeconds
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let snapshot = self.state.snapshot()
            self.rates.record(snapshot)
            if !wasReady && self.state.socketsBound.load(ordering: .relaxed) >= self.expectedSockets
                && self.state.pipelineStarted.load(ordering: .relaxed)
            {
                wasReady = true
                self.state.ready.store(true, ordering: .relaxed)
                Self.notify("READY=1")
                self.logger.info("ready")
            }
            let wedged = wasReady && self.state.secondsSincePipelineTick > wedgedAfter
            if wedged != wasWedged {
                wasWedged = wedged
                if wedged {
                    self.logger.critical("pipeline made no progress; withholding the watchdog ping")
                }
            }
            if wasReady && !wedged && watchdogEnabled { Self.notify("WATCHDOG=1") }
            let rates = self.rates.rates()
            Self.notify(String(
                format: "STATUS=%.1f in/s, %.1f out/s, %d queued, seq %lld, %d rejected%@",
                rates.accepted, rates.published, max(0, snapshot.backlog), snapshot.publishedSeq, snapshot.rejected,
                (wedged ? ", PIPELINE WEDGED" : "")
                    + (self.state.storeHealthy ? "" : ", STORE UNWRITABLE")
                    + (self.state.sharedMemoryHealthy.load(ordering: .relaxed) ? "" : ", POSTGRESQL UNREACHABLE")
            ))
            try? await Task.sleep(for: .seconds(1))
        }
        Self.notify("STOPPING=1")
    }

    static func notify(_ message: String) {
        _ = sd_notify(0, message)
    }
}
