import Analysis
import Articles
import Foundation

/// The fuzz target: one input is one ingest payload, run through the decoder and, when it decodes, the whole
/// analysis — the two places where bytes from scrapers nobody controls meet the daemon's code.
///
/// Built two ways (tools/fuzz.sh):
/// - with `-sanitize=fuzzer -D FUZZING`, libFuzzer drives `LLVMFuzzerTestOneInput` and supplies `main`;
/// - without, it is a corpus replayer: `wirewatch-fuzz FILE|DIR…` runs every file once, so the committed hostile
///   corpus and every crash libFuzzer ever found are replayed by the ordinary test suite.
enum FuzzTarget {
    static let analyzer = Analyzer()

    static func run(_ bytes: [UInt8]) {
        guard let article = try? ArticleDecoder.decode(bytes) else { return }
        let result = Self.analyzer.analyze(article)
        // Offsets must stay inside the text: a consumer highlights with them.
        let length = article.text.unicodeScalars.count
        for entity in result.entities {
            for mention in entity.mentions {
                precondition(0 <= mention.start && mention.start <= mention.end && mention.end <= length, "entity offsets")
            }
        }
        for quote in result.quotes { precondition(quote.start <= quote.end && quote.end <= length, "quote offsets") }
        for date in result.dates { precondition(date.start <= date.end && date.end <= length, "date offsets") }
        for quantity in result.quantities {
            precondition(quantity.start <= quantity.end && quantity.end <= length, "quantity offsets")
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.run(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's entry point as `<module>_main` (and aliases `main` to it), so libFuzzer's own
/// `main` is never pulled in: start its driver from here instead.
@_cdecl("wirewatch_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
@main
struct CorpusReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty, !arguments.contains("--help") else {
            print("usage: wirewatch-fuzz FILE|DIR…  (replays each file through the decoder and the analysis)")
            return
        }
        var files: [String] = []
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("wirewatch-fuzz: no such file: \(path)\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        let started = Date()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            FuzzTarget.run([UInt8](data))
        }
        print("replayed \(files.count) inputs in \(String(format: "%.2f", Date().timeIntervalSince(started))) s, no crash")
    }
}
#endif
