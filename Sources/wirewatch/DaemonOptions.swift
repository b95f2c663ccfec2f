import Analysis
import ArgumentParser
import Configuration
import Foundation
import WirewatchService

/// How to find the daemon: its configuration file, and flags that override single endpoints.
struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's configuration file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Acked ingest endpoint (overrides ingest.acked).", valueName: "endpoint"))
    var acked: String?

    @Option(name: .long, help: ArgumentHelp("Result PUB endpoint (overrides publish).", valueName: "endpoint"))
    var publish: String?

    @Option(name: .long, help: ArgumentHelp("Replay endpoint (overrides replay).", valueName: "endpoint"))
    var replay: String?

    @Option(
        name: .customLong("server-key"),
        help: ArgumentHelp(
            "The daemon's CURVE public key, or a file holding it (env WIREWATCH_SERVER_KEY); needs --key.",
            valueName: "key|file"))
    var serverKey: String?

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "This client's CURVE secret key file, from wirewatch keygen (env WIREWATCH_CLIENT_KEY); its public key must be on the daemon's allow-list.",
            valueName: "file"))
    var clientKey: String?

    /// The CURVE keys to reach an encrypting daemon with, or nil.
    func curve() throws -> ClientCurve? {
        let environment = ProcessInfo.processInfo.environment
        let server = self.serverKey ?? environment["WIREWATCH_SERVER_KEY"]
        let client = self.clientKey ?? environment["WIREWATCH_CLIENT_KEY"]
        switch (server, client) {
        case (nil, nil): return nil
        case (.some, nil): throw Failure("--server-key needs --key (this client's secret key file)")
        case (nil, .some): throw Failure("--key needs --server-key (the daemon's public key)")
        case (let server?, let client?):
            do {
                return try ClientCurve(serverKey: server, secretKeyFile: client)
            } catch {
                throw Failure("\(error)")
            }
        }
    }

    /// The daemon's configuration with this command's overrides.
    func resolve() async throws -> WirewatchConfig {
        var overrides: [String: ConfigContent] = [:]
        if let acked { overrides["ingest.acked"] = .string(acked) }
        if let publish { overrides["publish"] = .string(publish) }
        if let replay { overrides["replay"] = .string(replay) }
        var file = self.config
        if file == nil && FileManager.default.isReadableFile(atPath: WirewatchConfig.defaultPath) {
            file = WirewatchConfig.defaultPath
        }
        do {
            return try await WirewatchConfig.load(file: file, overrides: overrides)
        } catch {
            throw Failure("configuration error: \(error)")
        }
    }
}

/// A failure reported as one line on stderr and exit status 1.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a line to stderr.
func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Names on stderr each analysis resource that failed to load (by default loading them all first). The command
/// still runs, as the daemon does, with the fields that resource feeds empty or poorer: the warning is what tells a
/// broken install from poor analysis.
func warnAboutUnusableResources(_ problems: [ResourceError] = Analyzer.warmUp()) {
    for problem in problems {
        warn("wirewatch: warning: \(problem); the fields it feeds will be empty or degraded")
    }
}

/// Runs a command body, turning failures into one stderr line and exit status 1.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        warn("wirewatch: \(error)")
        throw ExitCode(1)
    }
}

/// Whether a file descriptor is a terminal (progress bars and colour only then).
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
