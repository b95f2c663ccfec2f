import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for one test: a new cluster in a temporary directory (Debian's `initdb`, trust
/// authentication, fsync off), listening on a free 127.0.0.1 port, removed by `stop()`. `deploy/install.sh
/// --deps-only` installs the server package. As root the cluster runs as the `postgres` system user, because the
/// server refuses to run as root.
public final class PostgresServer: @unchecked Sendable {
    public let directory: URL
    public private(set) var port = 0
    public static let superuser = "wirewatch"
    private let binaries: URL
    private let runAs: String?

    /// Starts the server on `port`, or on a free port when nil.
    public init(port: Int? = nil) throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.compactMap(Int.init).max() else {
            throw TestFailure(
                "PostgreSQL is not installed (/usr/lib/postgresql/*/bin): run `deploy/install.sh --deps-only` as root"
            )
        }
        self.binaries = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
        self.runAs = geteuid() == 0 ? "postgres" : nil
        self.directory = URL(fileURLWithPath: "/tmp/wirewatch-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        if let user = self.runAs { try Self.run(URL(fileURLWithPath: "/bin/chown"), ["-R", user, self.directory.path]) }
        try self.command(
            "initdb",
            ["-D", self.data, "-U", Self.superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        )
        var attempt = 0
        while true {
            self.port = port ?? FreePort.next()
            do {
                try self.command(
                    "pg_ctl",
                    [
                        "-D", self.data, "-l", self.directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                        "-o", "-p \(self.port) -k \(self.directory.path) -c listen_addresses=127.0.0.1 -c fsync=off "
                            + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40",
                        "start",
                    ]
                )
                return
            } catch {
                // The free port may have been taken meanwhile; try another.
                attempt += 1
                if attempt >= 3 || port != nil { throw TestFailure("\(error)\n\(self.serverLog())") }
            }
        }
    }

    var data: String { self.directory.appendingPathComponent("data").path }

    /// Creates a database and returns its URL.
    public func createDatabase(_ name: String) throws -> String {
        try Self.run(
            URL(fileURLWithPath: self.binaries.appendingPathComponent("psql").path),
            [
                "-h", "127.0.0.1", "-p", "\(self.port)", "-U", Self.superuser, "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                "-q", "-c", "CREATE DATABASE \(name)",
            ]
        )
        return self.url(database: name)
    }

    public func url(database: String) -> String {
        "postgres://\(Self.superuser)@127.0.0.1:\(self.port)/\(database)"
    }

    /// Runs SQL through psql and returns its unaligned output.
    public func psql(_ database: String, _ sql: String) throws -> String {
        try Self.run(
            URL(fileURLWithPath: self.binaries.appendingPathComponent("psql").path),
            [
                "-h", "127.0.0.1", "-p", "\(self.port)", "-U", Self.superuser, "-d", database, "-v", "ON_ERROR_STOP=1",
                "-q", "-A", "-t", "-c", sql,
            ]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func stop() {
        _ = try? self.command("pg_ctl", ["-D", self.data, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: self.directory)
    }

    public func serverLog() -> String {
        (try? String(contentsOf: self.directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    @discardableResult
    private func command(_ name: String, _ arguments: [String]) throws -> String {
        let binary = self.binaries.appendingPathComponent(name)
        if let user = self.runAs {
            return try Self.run(URL(fileURLWithPath: "/sbin/runuser"), ["-u", user, "--", binary.path] + arguments)
        }
        return try Self.run(binary, arguments)
    }

    /// Runs a program to its end. posix_spawn and waitpid, not Foundation's Process: Process learns of a child's
    /// exit through a descriptor the child inherits, and the server pg_ctl leaves running inherits it too, so
    /// Process would wait for the server to stop.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestFailure("cannot start \(executable.path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0, spelled out: the macros do not reach Swift.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw TestFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed (\(status)):\n\(text)")
        }
        return text
    }
}
