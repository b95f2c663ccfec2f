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
            // Create with 0600 from the start: a secret must never exist with wider permissions, even briefly.
            FileManager.default.createFile(
                atPath: secretPath, contents: Data((keys.secretKey + "\n").utf8), attributes: [.posixPermissions: 0o600]
            )
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretPath)
            FileManager.default.createFile(
                atPath: publicPath, contents: Data((keys.publicKey + "\n").utf8), attributes: [.posixPermissions: 0o644]
            )
            print("secret key: \(secretPath) (0600)\npublic key: \(publicPath): \(keys.publicKey)")
        }
    }
}
