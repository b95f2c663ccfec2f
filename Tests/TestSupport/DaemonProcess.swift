import Foundation
import WirewatchService
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Where the built executables are: beside the test bundle, in the same build folder.
public enum Binaries {
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["WIREWATCH_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("wirewatchd").path) {
                return url
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }

    public static var daemon: URL { self.directory.appendingPathComponent("wirewatchd") }
    public static var cli: URL { self.directory.appendingPathComponent("wirewatch") }
}

/// The repository root and `../shared` beside it.
public enum Paths {
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    public static var shared: URL { self.packageRoot.deletingLastPathComponent().appendingPathComponent("shared") }
    public static var seedArticle: URL { self.shared.appendingPathComponent("samples/seed-article.json") }
}

/// Free TCP ports on 127.0.0.1.
public enum FreePort {
    public static func next() -> Int { LoopbackPort.free() }
}

/// A real `wirewatchd` process on free loopback ports with its own state directory.
public final class DaemonProcess: @unchecked Sendable {
    // @unchecked: used from one test at a time; `process` is only touched by that test.
    public let directory: URL
    public private(set) var pull = ""
    public private(set) var acked = ""
    public private(set) var publish = ""
    public private(set) var replay = ""
    public private(set) var http = ""
    let extra: String
    let subscribe: [String]
    public let configPath: String
    public private(set) var process: Process?
    public let logPath: URL

    /// Extra environment variables for the daemon (e.g. NOTIFY_SOCKET).
    public var environment: [String: String] = [:]

    /// Writes a configuration; `extra` lines are appended to the YAML, `subscribe` lists PUB feeds to connect to.
    public init(extra: String = "", subscribe: [String] = []) throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("wirewatch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        self.configPath = self.directory.appendingPathComponent("wirewatch.yaml").path
        self.logPath = self.directory.appendingPathComponent("daemon.log")
        self.extra = extra
        self.subscribe = subscribe
        try self.writeConfig()
    }

    /// Picks free loopback ports and writes the configuration with them.
    func writeConfig() throws {
        self.pull = "tcp://127.0.0.1:\(FreePort.next())"
        self.acked = "tcp://127.0.0.1:\(FreePort.next())"
        self.publish = "tcp://127.0.0.1:\(FreePort.next())"
        self.replay = "tcp://127.0.0.1:\(FreePort.next())"
        self.http = "127.0.0.1:\(FreePort.next())"
        let subscribe = self.subscribe
        let extra = self.extra
        let yaml = """
            ingest:
              pull: ["\(self.pull)"]
              acked: "\(self.acked)"
              subscribe: [\(subscribe.map { "\"\($0)\"" }.joined(separator: ", "))]
            publish: "\(self.publish)"
            replay: "\(self.replay)"
            http: "\(self.http)"
            heartbeat_seconds: 0.5
            store:
              path: "\(self.directory.appendingPathComponent("state.db").path)"
            pipeline:
              shutdown_seconds: 20
            log:
              level: "debug"
              format: "json"
            \(extra)
            """
        try yaml.write(toFile: self.configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the daemon and waits until it reports ready on `/ready`. A port chosen free can be taken by another
    /// test before the daemon binds it; then the daemon exits at once, and it is started again on new ports (only
    /// for a first start: a restart must keep its endpoints).
    public func start(timeout: Double = 120, until path: String = "/ready") throws {
        var attempt = 0
        while true {
            let logBefore = self.log().count
            do {
                try self.startOnce(timeout: timeout, until: path)
                return
            } catch {
                let newLog = String(self.log().dropFirst(logBefore))
                attempt += 1
                guard attempt < 4, self.starts == 1, newLog.contains("Address already in use") else { throw error }
                self.starts = 0
                try self.writeConfig()
            }
        }
    }

    private var starts = 0

    func startOnce(timeout: Double, until path: String) throws {
        self.starts += 1
        let process = Process()
        process.executableURL = Binaries.daemon
        process.arguments = ["--config", self.configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(self.environment) { $1 }
        if !FileManager.default.fileExists(atPath: self.logPath.path) {
            FileManager.default.createFile(atPath: self.logPath.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: self.logPath)
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning {
                throw TestFailure("wirewatchd exited with \(process.terminationStatus) during start:\n\(self.log())")
            }
            if (try? self.httpGet(path))?.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestFailure("wirewatchd not ready within \(timeout) s:\n\(self.log())")
    }

    /// Sends a signal without waiting.
    public func signal(_ signal: Int32) {
        if let process = self.process { kill(process.processIdentifier, signal) }
    }

    /// Sends a signal and waits for the process to exit; returns its status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 30) throws -> Int32 {
        guard let process = self.process else { return 0 }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TestFailure("wirewatchd did not exit within \(timeout) s of signal \(signal)")
        }
        self.process = nil
        return process.terminationStatus
    }

    /// Starts the daemon and runs `body` with a subscriber to its results, connected before anything is sent, and a
    /// PUSH socket connected to its pull endpoint. The socket is `~Copyable`, so it is lent to a closure rather than
    /// returned.
    public func feed<T>(
        context: Context, sendHighWaterMark: Int? = nil, sendBufferBytes: Int? = nil, lingerMilliseconds: Int = 1000,
        _ body: (ResultCollector, borrowing Socket) throws -> T
    ) throws -> T {
        try self.start()
        let results = ResultCollector(context: context, endpoint: self.publish)
        defer { results.stop() }
        try results.waitUntilConnected()
        let push = try Socket(context, type: .push, lingerMilliseconds: lingerMilliseconds)
        if let sendHighWaterMark { try push.setSendHighWaterMark(sendHighWaterMark) }
        if let sendBufferBytes { try push.setSendBufferSize(sendBufferBytes) }
        try push.connect(self.pull)
        return try body(results, push)
    }

    public func log() -> String {
        (try? String(contentsOf: self.logPath, encoding: .utf8)) ?? ""
    }

    /// A minimal HTTP/1.0 GET over a plain socket, enough for `/ready` and `/metrics`.
    public func httpGet(_ path: String) throws -> (status: Int, body: String) {
        let parts = self.http.split(separator: ":")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(String(parts[0]))
        address.sin_port = in_port_t(UInt16(parts[1])!).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("connect failed") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET \(path) HTTP/1.1\r\nHost: \(self.http)\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Read until the server closes, or the body reaches its Content-Length.
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
            let text = String(decoding: response, as: UTF8.self)
            if let headerEnd = text.range(of: "\r\n\r\n"),
                let lengthLine = text[..<headerEnd.lowerBound].split(separator: "\r\n")
                    .first(where: { $0.lowercased().hasPrefix("content-length:") }),
                let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
                text[headerEnd.upperBound...].utf8.count >= length
            {
                break
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, body)
    }

    deinit {
        if let process = self.process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }
}

extension DaemonProcess {
    /// The journal read back with `wirewatch tail --since 0 --count N --format json`: the ids and seqs in the
    /// order printed, and how the CLI exited.
    public struct Journal {
        public var status: Int32
        public var stderr: String
        public var ids: [String] = []
        public var seqs: [Int64] = []
    }

    public func journal(count: Int, timeout: Int) throws -> Journal {
        let tail = try runCLI([
            "tail", "--config", self.configPath, "--since", "0", "--count", "\(count)", "--format", "json",
            "--timeout", "\(timeout)",
        ], timeout: Double(timeout) + 60)
        var journal = Journal(status: tail.status, stderr: tail.stderr)
        for line in tail.stdout.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if let id = object["id"] as? String { journal.ids.append(id) }
            if let seq = (object["seq"] as? NSNumber)?.int64Value { journal.seqs.append(seq) }
        }
        return journal
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the `wirewatch` CLI and captures its output.
public func runCLI(
    _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], timeout: Double = 60
) throws -> (status: Int32, stdout: String, stderr: String)
{
    let process = Process()
    process.executableURL = Binaries.cli
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    // Read both pipes while the process runs so a full pipe cannot block it.
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        outData = out.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
    }
    group.wait()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
