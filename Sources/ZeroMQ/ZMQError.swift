import CZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// An error returned by a libzmq call: the call's name, its `errno` and libzmq's own message for it.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `errno` value libzmq reported.
    public let code: Int32
    /// The libzmq function that failed, e.g. `zmq_bind`.
    public let call: String
    /// `zmq_strerror(code)`.
    public let message: String

    public init(code: Int32, call: String) {
        self.code = code
        self.call = call
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error for the calling thread's current `zmq_errno()`.
    static func last(_ call: String) -> ZMQError {
        ZMQError(code: zmq_errno(), call: call)
    }

    /// The operation would block (only with a non-blocking flag or a timeout).
    public var isWouldBlock: Bool { self.code == EAGAIN }
    /// The context was terminated or shut down; the owning thread should close its socket and exit.
    public var isContextTerminated: Bool { self.code == ETERM }
    /// A routed message had no peer (ROUTER with `routerMandatory`).
    public var isHostUnreachable: Bool { self.code == EHOSTUNREACH }

    public var description: String { "\(self.call): \(self.message) (errno \(self.code))" }
}

/// Runs a libzmq call that returns -1 on error, retrying when a signal interrupted it (`EINTR`).
@inline(__always)
func zmqCall(_ name: String, _ body: () -> Int32) throws(ZMQError) -> Int32 {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        let err = zmq_errno()
        if err == EINTR { continue }
        throw ZMQError(code: err, call: name)
    }
}
