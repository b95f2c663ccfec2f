import Crypto

/// SHA-256 of a payload, as error events and dead letters name it.
public enum PayloadHash {
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex, 64 characters.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(Self.hexDigits[Int(byte >> 4)])
            hex.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
