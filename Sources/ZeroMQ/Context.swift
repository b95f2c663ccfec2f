import CZeroMQ

/// A libzmq context.
///
/// libzmq documents contexts as thread-safe ("a ØMQ context is thread safe and may be shared among as many
/// application threads as necessary"), so one instance is shared by every socket-owning thread.
public final class Context: @unchecked Sendable {
    /// The raw `void *` context handle.
    let handle: UnsafeMutableRawPointer
    private let terminated = Atomic<Bool>(false)

    /// Creates a context with `ioThreads` I/O threads.
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        _ = zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads))
        // Hostile peers can open many connections; the default 1023 is low for a feed hub.
        _ = zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, 4096)
    }

    /// Makes every blocking call on this context's sockets return `ETERM`, so their owning threads can exit.
    /// Sockets must still be closed by their owners before the context is released.
    public func shutdown() {
        _ = zmq_ctx_shutdown(self.handle)
    }

    /// Waits for every socket to be closed, then frees the context. Idempotent.
    public func terminate() {
        guard !self.terminated.exchange(true, ordering: .acquiringAndReleasing) else { return }
        while zmq_ctx_term(self.handle) == -1 && zmq_errno() == EINTR {}
    }

    deinit {
        self.terminate()
    }

    /// The version of the linked libzmq, e.g. "4.3.4".
    public static var libraryVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Whether libzmq was built with a capability, e.g. "curve" or "ipc".
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) == 1
    }
}

import Synchronization
