import ArgumentParser
import Foundation
import WirewatchService

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a daemon configuration file and print the result.",
        discussion: """
            Reads FILE (default /etc/wirewatch/wirewatch.yaml) with the WIREWATCH_* environment overrides, as \
            wirewatchd would, and prints the effective configuration. Exit status 1 names the offending key.
            """
    )

    @Argument(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var file: String = WirewatchConfig.defaultPath

    @Option(name: .customLong("config"), help: ArgumentHelp("Same as FILE.", valueName: "file"))
    var configFile: String?

    func run() async throws {
        let path = self.configFile ?? self.file
        do {
            let config = try await WirewatchConfig.load(file: path)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(config), as: UTF8.self))
            print("configuration OK (\(path))")
        } catch {
            warn("wirewatch: \(path): \(error)")
            throw ExitCode(1)
        }
    }
}
