import Analysis
import Foundation
import Testing
import TestSupport
import ZeroMQ

/// A broken install (a truncated model, a malformed word list, a missing lexicon) as the built binaries meet it:
/// the fields those files feed are lost, never the articles, and the daemon's log and the CLI's stderr name each file.
@Suite(.serialized)
struct ResourceProblemTests {
    /// A copy of the shipped resources with three kinds of damage, in a directory of its own.
    static func brokenResources() throws -> URL {
        guard let shipped = ResourceFiles.directory else { throw TestFailure("the shipped resources are not found") }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("resources-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: shipped, to: copy)
        let model = copy.appendingPathComponent("ner.model")
        try Data(try Data(contentsOf: model).prefix(1000)).write(to: model)
        let names = copy.appendingPathComponent("person-names.tsv")
        try (try Data(contentsOf: names) + Data("bob\tx\n".utf8)).write(to: names)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("units.tsv"))
        return copy
    }

    static let problems = [
        ("ner.model", "malformed"), ("person-names.tsv", "line 24004"), ("units.tsv", "not found"),
    ]

    @Test("wirewatch analyze names every broken resource on stderr and still answers every article")
    func analyzeWarns() throws {
        let resources = try Self.brokenResources()
        defer { try? FileManager.default.removeItem(at: resources) }
        let run = try runCLI(
            ["analyze", Paths.seedArticle.path], environment: ["WIREWATCH_RESOURCES": resources.path])
        #expect(run.status == 0)
        for (file, reason) in Self.problems {
            let line = run.stderr.split(separator: "\n").first { $0.contains(file) }
            #expect(line?.contains(reason) == true, "stderr: \(run.stderr)")
        }
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let analysis = result?["analysis"] as? [String: Any]
        // The alias table still names what it lists, the gazetteer still places: only the tagger's finds are lost.
        let entities = (analysis?["entities"] as? [[String: Any]])?.compactMap { $0["canonical"] as? String } ?? []
        #expect(entities.contains("Taliban"))
        let places = (analysis?["locations"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(places.contains("Kabul"))
        #expect((analysis?["quantities"] as? [Any])?.isEmpty == false)
    }

    @Test("wirewatch train-ner refuses to train without one of the word lists its features read")
    func trainRefuses() throws {
        let resources = try Self.brokenResources()
        defer { try? FileManager.default.removeItem(at: resources) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString)").path
        let run = try runCLI(
            ["train-ner", "--data", "/dev/null", "--output", output],
            environment: ["WIREWATCH_RESOURCES": resources.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("person-names.tsv"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("wirewatchd logs every broken resource at startup and serves the article")
    func daemonLogs() throws {
        let resources = try Self.brokenResources()
        defer { try? FileManager.default.removeItem(at: resources) }
        let daemon = try DaemonProcess()
        daemon.environment = ["WIREWATCH_RESOURCES": resources.path]
        let context = try Context()
        try daemon.feed(context: context) { results, push in
            try push.send([[UInt8](try Data(contentsOf: Paths.seedArticle))])
            let result = try results.wait { $0.topic.hasPrefix("article.") }[0]
            #expect(result.value("analysis.language.code") as? String == "en")
            let metrics = try daemon.httpGet("/metrics").body
            #expect(metrics.contains("wirewatch_analysis_resources_unusable 3"), "\(metrics)")
        }
        #expect(try daemon.stop() == 0)
        let unusable = daemon.log().split(separator: "\n").filter { $0.contains("analysis resource unusable") }
        for (file, reason) in Self.problems {
            #expect(unusable.contains { $0.contains(file) && $0.contains(reason) }, "log: \(daemon.log())")
        }
    }
}
