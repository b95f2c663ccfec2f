import ArgumentParser
import Configuration
import Foundation
import Logging
import WirewatchService

/// `wirewatchd`: the Wirewatch daemon.
@main
struct WirewatchDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wirewatchd",
        abstract: "Deduplicate and analyze a live feed of news articles over ZeroMQ.",
        discussion: """
            wirewatchd binds a PULL socket (scrapers PUSH articles there), an acked ROUTER (clients get an \
            acknowledgement once the article is on disk) and may connect SUB sockets to scrapers' PUB feeds. \
            Every article is validated, deduplicated, analyzed, journaled with a sequence number and published \
            as [topic, JSON] on a PUB socket (topics article.<lang>, duplicate, error, heartbeat). A replay \
            ROUTER serves the journal since any sequence number.

            Configuration comes from the YAML file given with --config (default \(WirewatchConfig.defaultPath), \
            optional), then WIREWATCH_* environment variables (WIREWATCH_STORE_PATH, WIREWATCH_INGEST_PULL as a \
            comma-separated list, …), then the flags below, each overriding the one before.

            Signals: SIGTERM or SIGINT stop taking input, publish what was accepted (within \
            pipeline.shutdown_seconds) and exit 0. Under systemd (Type=notify) it reports READY=1, STATUS= and \
            WATCHDOG=1 while the pipeline makes progress.

            Exit status: 0 after a clean stop or a valid --check-config; 1 on a configuration error (the message \
            names the key); 2 on a runtime failure.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The YAML configuration file.", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Validate the configuration, print it and exit: 0 when valid, 1 naming the bad key.")
    var checkConfig = false

    @Option(name: .long, help: ArgumentHelp("SQLite state file (store.path).", valueName: "path"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("PULL endpoint to bind; repeat for several (ingest.pull).", valueName: "endpoint"))
    var pull: [String] = []

    @Option(name: .long, help: ArgumentHelp("PUB endpoint to subscribe to; repeat (ingest.subscribe).", valueName: "endpoint"))
    var subscribe: [String] = []

    @Option(name: .long, help: ArgumentHelp("Acked ROUTER endpoint (ingest.acked); \"\" disables.", valueName: "endpoint"))
    var acked: String?

    @Option(name: .long, help: ArgumentHelp("PUB endpoint for results (publish).", valueName: "endpoint"))
    var publish: String?

    @Option(name: .long, help: ArgumentHelp("Replay ROUTER endpoint (replay).", valueName: "endpoint"))
    var replay: String?

    @Option(name: .long, help: ArgumentHelp("HTTP address for /metrics, /health, /ready (http); \"\" disables.", valueName: "host:port"))
    var http: String?

    @Option(name: .long, help: ArgumentHelp("Analysis threads, 0 = one per core (pipeline.workers).", valueName: "n"))
    var workers: Int?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (log.level).", valueName: "level"))
    var logLevel: String?

    @Option(name: .long, help: ArgumentHelp("json or text (log.format).", valueName: "format"))
    var logFormat: String?

    func run() async throws {
        var overrides: [String: ConfigContent] = [:]
        if let store { overrides["store.path"] = .string(store) }
        if !self.pull.isEmpty { overrides["ingest.pull"] = .stringArray(self.pull) }
        if !self.subscribe.isEmpty { overrides["ingest.subscribe"] = .stringArray(self.subscribe) }
        if let acked { overrides["ingest.acked"] = .string(acked) }
        if let publish { overrides["publish"] = .string(publish) }
        if let replay { overrides["replay"] = .string(replay) }
        if let http { overrides["http"] = .string(http) }
        if let workers { overrides["pipeline.workers"] = .int(workers) }
        if let logLevel { overrides["log.level"] = .string(logLevel) }
        if let logFormat { overrides["log.format"] = .string(logFormat) }

        var file = self.config
        if file == nil && FileManager.default.fileExists(atPath: WirewatchConfig.defaultPath) {
            file = WirewatchConfig.defaultPath
        }
        let settings: WirewatchConfig
        do {
            settings = try await WirewatchConfig.load(file: file, overrides: overrides)
        } catch {
            FileHandle.standardError.write(Data("wirewatchd: configuration error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if self.checkConfig {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(settings), as: UTF8.self))
            print("configuration OK" + (file.map { " (\($0))" } ?? " (defaults)"))
            return
        }

        Bootstrap.logging(level: settings.log.level, format: settings.log.format)
        let registry = Bootstrap.metrics()
        let logger = Logger(label: "wirewatchd")
        do {
            let daemon = try Daemon(config: settings, logger: logger)
            logger.info(
                "starting",
                metadata: ["store.path": "\(settings.store.path)", "config.file": "\(file ?? "none")"]
            )
            try await daemon.run(registry: registry, configFile: file, overrides: overrides)
            logger.info("stopped")
        } catch let error as ConfigError {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        } catch {
            logger.critical("failed", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
    }
}
