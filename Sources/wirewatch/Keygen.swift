import ArgumentParser
import Foundation
import ZeroMQ

struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a CURVE key pair for encrypting the daemon's sockets.",
        discussion: """
            Writes NAME.key (the secret key, mode 0600) and NAME.pub (the public key) in Z85 text. Give the \
            daemon its secret key and its clients its public key.
            """
    )

    @Argument(help: ArgumentHelp("Path prefix of the files to write.", valueName: "name"))
    var name: String

    @Flag(name: .long, help: "Replace existing files.")
    var force = false

    func run() async throws {
        try await reportingFailures {
            let keys = try CurveKeyPair.generate()
            let secretPath = self.name + ".key"
            let publicPath = self.name + ".pub"
            for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) && !self.force {
                throw Failure("\(path) exists; use --force to replace it")
            }
            // The secret is created with mode 0600 by open(2) itself: it never exists with wider permissions, even
            // briefly, whatever the umask.
            try Self.write(keys.secretKey + "\n", to: secretPath, mode: 0o600, replace: self.force)
            try Self.write(keys.publicKey + "\n", to: publicPath, mode: 0o644, replace: self.force)
            print("secret key: \(secretPath) (0600)\npublic key: \(publicPath): \(keys.publicKey)")
        }
    }

    static func write(_ text: String, to path: String, mode: mode_t, replace: Bool) throws {
        if replace { unlink(path) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // open(2) applies the umask; make the mode exactly what was asked.
        fchmod(descriptor, mode)
        let bytes = Array(text.utf8)
        guard Foundation.write(descriptor, bytes, bytes.count) == bytes.count else {
            throw Failure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
