import CLinux
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Moves the journal's WAL into the database on a thread and connection of its own, every quarter second, so no
/// commit on the article path ever does it (see `Store.init(path:backgroundCheckpoints:)`).
struct CheckpointService: Service {
    let store: Store
    let logger: Logger

    func run() async throws {
        try await runServiceLoop(name: "ww-checkpoint") { stop in try self.loop(stop: stop) }
    }

    func loop(stop: StopFlag) throws {
        // Checkpoints can wait; articles cannot. A lower priority for this thread alone (Linux nice values are per
        // thread) keeps its copying off the cores the article path needs.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(wirewatch_thread_id()), 10)
        let checkpointer = try self.store.makeCheckpointer()
        var failing = false
        while !stop.isRaised {
            do {
                try checkpointer.run()
                if failing {
                    failing = false
                    self.logger.notice("WAL checkpoints work again")
                }
            } catch {
                // A full disk, say: the journal's own writes report it; the WAL grows until space returns.
                if !failing {
                    failing = true
                    self.logger.warning("WAL checkpoint failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }
}
