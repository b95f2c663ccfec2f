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
