import CLinux
import Foundation
import Synchronization

/// Runs blocking work on a thread of its own and awaits it.
///
/// ZeroMQ sockets and SQLite calls block; running them on the Swift concurrency pool would starve it, so each
/// socket owner gets a dedicated thread for its whole life.
func runOnDedicatedThread<T: Sendable>(
    name: String, _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        startThread(named: name, stackSize: 8 << 20) { continuation.resume(with: Result { try body() }) }
    }
}

/// Starts `body` on a new thread named `name` (see `nameCurrentThread`); `stackSize` nil keeps Foundation's default.
func startThread(named name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        nameCurrentThread(name)
        body()
    }
    thread.name = name
    if let stackSize { thread.stackSize = stackSize }
    thread.start()
}

/// Gives the calling thread `name` where operators look (`top -H`, `ps -L`, `perf`); names are kept short,
/// as the kernel keeps 15 bytes.
func nameCurrentThread(_ name: String) {
    wirewatch_name_thread(name)
}

/// A flag one thread raises and another polls between blocking calls.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { self.raised.store(true, ordering: .releasing) }
    var isRaised: Bool { self.raised.load(ordering: .acquiring) }
}

/// A wake-up call from the ingest to the pipeline: "there is new work in the inbox".
final class WorkSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let pending = Atomic<Bool>(false)

    func signal() {
        if !self.pending.exchange(true, ordering: .acquiringAndReleasing) {
            self.semaphore.signal()
        }
    }

    /// Waits for a signal or the timeout.
    func wait(timeout: Double) {
        _ = self.semaphore.wait(timeout: .now() + timeout)
        self.pending.store(false, ordering: .releasing)
    }
}

/// A first-in first-out queue between two threads, bounded so a stalled consumer pushes back on its producer.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked: every access to `items` happens with `condition` locked.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends, waiting while the queue is full.
    func push(contentsOf elements: [Element]) {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.items.count - self.head >= self.capacity {
            self.condition.wait()
        }
        self.items.append(contentsOf: elements)
        self.condition.broadcast()
    }

    /// Takes everything queued, waiting up to `timeout` seconds for something to arrive.
    func popAll(timeout: Double) -> [Element] {
        self.condition.lock()
        defer { self.condition.unlock() }
        if self.items.count == self.head {
            _ = self.condition.wait(until: Date(timeIntervalSinceNow: timeout))
        }
        let taken = Array(self.items[self.head...])
        self.items.removeAll(keepingCapacity: true)
        self.head = 0
        self.condition.broadcast()
        return taken
    }

    var count: Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.items.count - self.head
    }
}

import ServiceLifecycle

/// Runs a service's blocking loop on its own thread; the loop sees `stop` raised on graceful shutdown or
/// cancellation and must return soon after.
func runServiceLoop(name: String, _ loop: @escaping @Sendable (StopFlag) throws -> Void) async throws {
    let stop = StopFlag()
    try await withTaskCancellationHandler {
        try await withGracefulShutdownHandler {
            try await runOnDedicatedThread(name: name) { try loop(stop) }
        } onGracefulShutdown: {
            stop.raise()
        }
    } onCancel: {
        stop.raise()
    }
}
