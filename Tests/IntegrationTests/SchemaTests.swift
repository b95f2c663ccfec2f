import Foundation
import Testing
import TestSupport
import ZeroMQ

/// Real output, validated against the JSON Schemas shipped in `schemas/` by Python's jsonschema.
@Suite(.serialized)
struct SchemaTests {
    /// Validates JSON lines against schemas chosen by each object's "schema" field; returns the failures.
    func validate(_ lines: [String]) throws -> String {
        let script = """
            import json, sys, jsonschema
            schemas = {}
            for name in ("result", "error", "heartbeat"):
                with open(sys.argv[1] + "/" + name + ".v1.schema.json") as f:
                    schemas["wirewatch." + name + ".v1"] = json.load(f)
            failures = 0
            count = 0
            for line in sys.stdin:
                if not line.strip():
                    continue
                obj = json.loads(line)
                count += 1
                errors = list(jsonschema.Draft202012Validator(schemas[obj["schema"]]).iter_errors(obj))
                for e in errors:
                    failures += 1
                    print(obj["schema"], list(e.path), e.message)
            print("validated", count)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Paths.packageRoot.appendingPathComponent("schemas").path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(lines.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    @Test("offline results and error events match their schemas")
    func offline() throws {
        let jsonl = [
            #"{"id":"h1","html":"<html><head><script>x()</script></head><body><nav>Home</nav><p>Paragraph one is here.</p><p>And two.</p></body></html>"}"#,
            #"{"text":"no id, a body"}"#,
            #"{"text":"no id, a body"}"#,
            #"{"title":"no body"}"#,
        ].joined(separator: "\n")
        let result = try runCLI(["analyze", Paths.seedArticle.path, "-"], stdin: Data(jsonl.utf8))
        #expect(result.status == 1, "one article has no body")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        let report = try self.validate(lines)
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines) == "validated 5", "\(report)")
        #expect(lines[1].contains("\"text\":\"Paragraph one is here.\\n\\nAnd two.\""), "\(lines[1])")
        #expect(lines[3].contains("\"status\":\"exact\""))
        #expect(result.stderr.contains("stdin:4: missing_body"))
    }

    @Test("live envelopes, errors and heartbeats match their schemas")
    func live() throws {
        let daemon = try DaemonProcess()
        let context = try Context()
        try daemon.feed(context: context) { results, push in
            let seed = try #require(FileManager.default.contents(atPath: Paths.seedArticle.path))
            try push.send([[UInt8](seed)])
            try push.send([[UInt8](seed)])
            try push.send([Array("{oops".utf8)])
            try results.wait(for: 3) { $0.topic != "heartbeat" }
            try results.wait(for: 2) { $0.topic == "heartbeat" }
            let lines = results.all.map { String(decoding: $0.body, as: UTF8.self) }
            let report = try self.validate(lines)
            #expect(report.hasPrefix("validated"), "\(report)")
            #expect(!report.contains("wirewatch."), "\(report)")
        }
        #expect(try daemon.stop() == 0)
    }
}
