import Foundation
import Testing
import TestSupport
import ZeroMQ

/// The committed hostile corpus (tools/make-hostile-corpus.py) against the real binaries.
@Suite(.serialized)
struct HostileCorpusTests {
    let context: Context

    init() throws {
        self.context = try Context()
    }

    static var corpus: URL { Paths.packageRoot.appendingPathComponent("Tests/Fixtures/hostile") }

    static func cases() throws -> [(name: String, payload: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        return names.map { name in
            (name, [UInt8](FileManager.default.contents(atPath: Self.corpus.appendingPathComponent(name).path) ?? Data()))
        }
    }

    @Test("every hostile payload goes through the decoder and the analysis without a crash (fuzz target replay)")
    func replayThroughFuzzTarget() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 40)
        let process = Process()
        process.executableURL = Binaries.directory.appendingPathComponent("wirewatch-fuzz")
        process.arguments = [Self.corpus.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("replayed \(cases.count) inputs"))
    }

    @Test("the daemon answers every hostile payload on the acked ingest and keeps serving")
    func daemonAnswersEveryCase() throws {
        let cases = try Self.cases()
        let daemon = try DaemonProcess()
        try daemon.start()
        let dealer = try Socket(self.context, type: .dealer, lingerMilliseconds: 0)
        try dealer.connect(daemon.acked)
        for (index, item) in cases.enumerated() {
            try dealer.send([Array(String(index).utf8), item.payload])
        }
        var answers: [Int: String] = [:]
        var items = [dealer.pollItem(.readable)]
        let deadline = Date().addingTimeInterval(60)
        while answers.count < cases.count && Date() < deadline {
            try poll(&items, timeoutMilliseconds: 100)
            while let message = try dealer.receive(dontWait: true) {
                guard message.frames.count == 2, let index = Int(String(decoding: message.frames[0], as: UTF8.self))
                else { continue }
                answers[index] = String(decoding: message.frames[1], as: UTF8.self)
            }
        }
        for (index, item) in cases.enumerated() {
            let answer = answers[index]
            #expect(answer != nil, "no answer for \(item.name)")
            if let answer, answer.contains("\"ok\":false") {
                #expect(answer.contains("\"code\""), "\(item.name): a refusal names its reason: \(answer)")
            }
        }
        let refused = answers.values.filter { $0.contains("\"ok\":false") }.count
        #expect(refused >= 10, "the malformed ones are refused")
        #expect(refused < cases.count, "the well-formed ones are taken")
        // Still serving: a plain article goes through after all of them.
        try dealer.send([Array("last".utf8), Array("{\"id\":\"after-hostile\",\"text\":\"The ferry left on time.\"}".utf8)])
        var last: String? = nil
        let lastDeadline = Date().addingTimeInterval(30)
        while last == nil && Date() < lastDeadline {
            try poll(&items, timeoutMilliseconds: 100)
            while let message = try dealer.receive(dontWait: true) {
                if message.frames.count == 2 && String(decoding: message.frames[0], as: UTF8.self) == "last" {
                    last = String(decoding: message.frames[1], as: UTF8.self)
                }
            }
        }
        #expect(last?.contains("\"ok\":true") == true)
        #expect(try daemon.httpGet("/health").status == 200)
        // A debug build analyzes the megabyte payloads slowly; the drain finishes the batch in hand first.
        #expect(try daemon.stop(timeout: 300) == 0)
    }
}
