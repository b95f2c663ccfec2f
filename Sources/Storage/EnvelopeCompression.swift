import CZstd
import Foundation
import Synchronization

/// The journal keeps envelopes as Zstandard frames: an envelope is JSON with much repetition (keys, offsets), and
/// at level 1 it shrinks to about a third in some 20 µs. That is a third of the pages each commit writes to the WAL
/// and each checkpoint copies into the database, and of the disk a journal takes.
///
/// Rows written before compression hold the JSON itself; a frame is told from JSON by its first four bytes (JSON
/// starts with `{`), so both read back the same.
public enum EnvelopeCompression {
    static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
    static let level: Int32 = 1

    /// Compression contexts kept for the process's life, one per thread compressing at once (the analysis workers
    /// pack their envelopes, the pipeline what is left). `ZSTD_compress` makes and frees a context per call, and
    /// with that a million articles left the daemon's RSS at 162.6 MiB (146.8 without compression); with kept
    /// contexts 152.8, and with each context's scratch buffer below 148.0.
    private static let compressors = Mutex<[Compressor]>([])
    private static let decompressor = Mutex(Context(ZSTD_createDCtx()))

    /// A context pointer that only the mutex above hands out.
    private struct Context: ~Copyable, @unchecked Sendable {
        let pointer: OpaquePointer?
        init(_ pointer: OpaquePointer?) { self.pointer = pointer }
    }

    /// A compression context and a buffer to compress into, used by one thread at a time.
    private final class Compressor: @unchecked Sendable {
        let pointer = ZSTD_createCCtx()
        var scratch: [UInt8] = []
    }

    /// The frame, or the envelope unchanged when compressing would not make it smaller.
    public static func pack(_ envelope: [UInt8]) -> Data {
        guard let frame = Self.frame(envelope), frame.count < envelope.count else { return Data(envelope) }
        return frame
    }

    /// What `pack` made of some bytes, followed by `more`, as `unpack` reads it back: a second frame after a frame,
    /// the bytes themselves after bytes kept as they were. Lets a worker compress an envelope before the bytes that
    /// end it (its `seq`) are known. Nil if zstd fails: the caller then packs the whole.
    public static func append(_ more: [UInt8], to packed: Data) -> Data? {
        guard packed.count >= 4, packed.prefix(4).elementsEqual(Self.magic) else { return packed + more }
        // A frame even where it is longer than the bytes (a `seq` is): after a frame, only a frame reads back.
        return Self.frame(more).map { packed + $0 }
    }

    /// `bytes` as one Zstandard frame, nil if zstd fails.
    private static func frame(_ bytes: [UInt8]) -> Data? {
        let bound = ZSTD_compressBound(bytes.count)
        let compressor = Self.compressors.withLock { $0.popLast() } ?? Compressor()
        defer { Self.compressors.withLock { $0.append(compressor) } }
        // Compressed into the context's own buffer, and copied out at its final size: a fresh buffer of the bound's
        // size per article was more heap churn.
        if compressor.scratch.count < bound { compressor.scratch = [UInt8](repeating: 0, count: bound) }
        let written = compressor.scratch.withUnsafeMutableBytes { output in
            bytes.withUnsafeBytes { input in
                ZSTD_compressCCtx(compressor.pointer, output.baseAddress, bound, input.baseAddress, input.count, Self.level)
            }
        }
        guard ZSTD_isError(written) == 0 else { return nil }
        return Data(compressor.scratch[0..<written])
    }

    /// The envelope a journal row's blob holds.
    ///
    /// Streamed into a buffer that grows with what the frame really yields: the size its header declares is only
    /// a hint, capped by the blob's own size, so a damaged header cannot make a reader allocate gigabytes before
    /// the frame fails to decode.
    static func unpack(_ blob: Data) throws -> [UInt8] {
        guard blob.count >= 4, blob.prefix(4).elementsEqual(Self.magic) else { return [UInt8](blob) }
        return try blob.withUnsafeBytes { input in
            // The sizes the frames declare, summed (`append` adds frames). ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are
            // the two largest values; `pack` always records the size.
            var declared: UInt64 = 0
            var offset = 0
            while offset < input.count {
                let frame = input.baseAddress! + offset
                let size = ZSTD_getFrameContentSize(frame, input.count - offset)
                let length = ZSTD_findFrameCompressedSize(frame, input.count - offset)
                let (sum, overflow) = declared.addingReportingOverflow(size)
                guard size < UInt64.max - 1, ZSTD_isError(length) == 0, !overflow else {
                    throw StoreError.corrupt("journal envelope: not a complete Zstandard frame")
                }
                declared = sum
                offset += length
            }
            // Envelopes shrink to about a third; sixteen times the frame is room for nearly all in one go.
            var envelope = [UInt8](repeating: 0, count: Int(min(declared, UInt64(input.count) * 16 + 4096)))
            var produced = 0
            let failure: String? = Self.decompressor.withLock { context in
                ZSTD_DCtx_reset(context.pointer, ZSTD_reset_session_only)
                var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
                while true {
                    if produced == envelope.count { envelope.append(contentsOf: repeatElement(0, count: max(envelope.count, 4096))) }
                    let result = envelope.withUnsafeMutableBytes { output in
                        var sink = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: produced)
                        defer { produced = sink.pos }
                        return ZSTD_decompressStream(context.pointer, &sink, &source)
                    }
                    if ZSTD_isError(result) != 0 { return String(cString: ZSTD_getErrorName(result)) }
                    // A frame is done; the next one, if any, follows in the same stream.
                    if result == 0 && source.pos == source.size { return nil }
                    // More is wanted, but the frame has nothing left to give and the buffer still had room.
                    if source.pos == source.size, produced < envelope.count { return "frame ends early" }
                    // A frame that yields more than its header declared is not one `pack` wrote.
                    if produced > declared { return "frame longer than declared" }
                }
            }
            if let failure { throw StoreError.corrupt("journal envelope: \(failure)") }
            guard UInt64(produced) == declared else {
                throw StoreError.corrupt("journal envelope: \(produced) bytes where the frame declares \(declared)")
            }
            envelope.removeLast(envelope.count - produced)
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
