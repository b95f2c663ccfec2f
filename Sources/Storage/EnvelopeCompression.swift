import CZstd
import Foundation
import Synchronization

/// The journal keeps envelopes as Zstandard frames: an envelope is JSON with much repetition (keys, offsets), and
/// at level 1 it shrinks to about a third in some 20 µs. That is a third of the pages each commit writes to the WAL
/// and each checkpoint copies into the database, and of the disk a journal takes.
///
/// Rows written before compression hold the JSON itself; a frame is told from JSON by its first four bytes (JSON
/// starts with `{`), so both read back the same.
enum EnvelopeCompression {
    static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
    static let level: Int32 = 1

    /// One context each way, kept for the process's life. `ZSTD_compress` makes and frees a context per call, and
    /// with that a million articles left the daemon's RSS at 162.6 MiB (146.8 without compression); with kept
    /// contexts 152.8, and with the scratch buffer below 148.0. Commits are serialized anyway, so the lock is
    /// never contended on the article path.
    private static let compressor = Mutex(Context(ZSTD_createCCtx()))
    private static let decompressor = Mutex(Context(ZSTD_createDCtx()))

    /// A context pointer that only the mutex above hands out, and a buffer to compress into.
    private struct Context: ~Copyable, @unchecked Sendable {
        let pointer: OpaquePointer?
        var scratch: [UInt8] = []
        init(_ pointer: OpaquePointer?) { self.pointer = pointer }
    }

    /// The frame, or the envelope unchanged when compressing would not make it smaller.
    static func pack(_ envelope: [UInt8]) -> Data {
        let bound = ZSTD_compressBound(envelope.count)
        return Self.compressor.withLock { context in
            // Compressed into the context's own buffer, and copied out at its final size: a fresh buffer of the
            // bound's size per article was more heap churn on the writer thread.
            if context.scratch.count < bound { context.scratch = [UInt8](repeating: 0, count: bound) }
            let written = context.scratch.withUnsafeMutableBytes { output in
                envelope.withUnsafeBytes { input in
                    ZSTD_compressCCtx(context.pointer, output.baseAddress, bound, input.baseAddress, input.count, Self.level)
                }
            }
            guard ZSTD_isError(written) == 0, written < envelope.count else { return Data(envelope) }
            return Data(context.scratch[0..<written])
        }
    }

    /// The envelope a journal row's blob holds.
    static func unpack(_ blob: Data) throws -> [UInt8] {
        guard blob.count >= 4, blob.prefix(4).elementsEqual(Self.magic) else { return [UInt8](blob) }
        return try blob.withUnsafeBytes { input in
            let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest values; `pack` always records the size.
            guard size < UInt64.max - 1, size <= UInt64(Int32.max) else {
                throw StoreError.corrupt("journal envelope: not a complete Zstandard frame")
            }
            var envelope = [UInt8](repeating: 0, count: Int(size))
            let read = Self.decompressor.withLock { context in
                envelope.withUnsafeMutableBytes { output in
                    ZSTD_decompressDCtx(context.pointer, output.baseAddress, output.count, input.baseAddress, input.count)
                }
            }
            guard ZSTD_isError(read) == 0, read == Int(size) else {
                let reason = ZSTD_isError(read) != 0 ? String(cString: ZSTD_getErrorName(read)) : "short frame"
                throw StoreError.corrupt("journal envelope: \(reason)")
            }
            return envelope
        }
    }
}

/// A row the store cannot read back: the file was damaged or written by something else.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case corrupt(String)

    public var description: String {
        switch self {
        case .corrupt(let what): "corrupt store: \(what)"
        }
    }
}
