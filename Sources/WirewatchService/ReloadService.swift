import Configuration
import Logging
import ServiceLifecycle
import UnixSignals

/// Handles SIGHUP (`systemctl reload wirewatchd`): re-reads the configuration file and applies what can change
/// without a restart: `log.level` and the dedup thresholds (the dedup memory is kept). Endpoints, the store, the
/// pipeline and the index's shape (`dedup.shingle_size`, `dedup.bands`, the window) are reported as needing one.
/// An invalid file is logged and ignored: the running configuration stays.
struct ReloadService: Service {
    let file: String?
    let environment: [String: String]
    /// The command line's overrides, which still win over the file.
    let overrides: [String: ConfigContent]
    let running: WirewatchConfig
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        var current = self.running
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let loaded = try await WirewatchConfig.load(
                    file: self.file, environment: self.environment, overrides: self.overrides
                )
                if loaded.log.level != current.log.level {
                    LiveLogLevel.current = Logger.Level(rawValue: loaded.log.level) ?? .info
                }
                var needsRestart: [String] = []
                if loaded.ingest != current.ingest { needsRestart.append("ingest") }
                if loaded.publish != current.publish { needsRestart.append("publish") }
                if loaded.replay != current.replay { needsRestart.append("replay") }
                if loaded.http != current.http { needsRestart.append("http") }
                if loaded.store != current.store { needsRestart.append("store") }
                if loaded.pipeline != current.pipeline { needsRestart.append("pipeline") }
                let shape = { (dedup: WirewatchConfig.Dedup) in
                    [dedup.shingleSize, dedup.bands, dedup.maxArticles, Int(dedup.windowDays * 86_400)]
                }
                if shape(loaded.dedup) != shape(current.dedup) { needsRestart.append("dedup index shape") }
                let thresholds = loaded.dedup.settings
                self.state.dedupThresholds.withLock { $0.applyThresholds(from: thresholds) }
                self.logger.notice(
                    "configuration reloaded",
                    metadata: [
                        "log.level": "\(loaded.log.level)",
                        "dedup.jaccard": "\(thresholds.jaccard)",
                        "dedup.containment": "\(thresholds.containment)",
                        "reload.needs_restart": .array(needsRestart.map { .string($0) }),
                    ]
                )
                current.log = loaded.log
                current.dedup.jaccard = loaded.dedup.jaccard
                current.dedup.containment = loaded.dedup.containment
                current.dedup.updateShare = loaded.dedup.updateShare
                current.dedup.updateParagraphWords = loaded.dedup.updateParagraphWords
                current.dedup.minShingles = loaded.dedup.minShingles
            } catch {
                self.logger.error("reload failed; keeping the running configuration", metadata: ["error": "\(error)"])
            }
        }
    }
}
