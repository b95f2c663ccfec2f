import Configuration
import Logging
import ServiceLifecycle
import UnixSignals

/// Handles SIGHUP (`systemctl reload wirewatchd`): re-reads the configuration file and applies what can change
/// without a restart. Today that is `log.level`; endpoints and the store path are reported as needing a restart.
/// An invalid file is logged and ignored: the running configuration stays.
struct ReloadService: Service {
    let file: String?
    let environment: [String: String]
    /// The command line's overrides, which still win over the file.
    let overrides: [String: ConfigContent]
    let running: WirewatchConfig
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
                self.logger.notice(
                    "configuration reloaded",
                    metadata: [
                        "log.level": "\(loaded.log.level)",
                        "reload.needs_restart": .array(needsRestart.map { .string($0) }),
                    ]
                )
                current.log = loaded.log
            } catch {
                self.logger.error("reload failed; keeping the running configuration", metadata: ["error": "\(error)"])
            }
        }
    }
}
