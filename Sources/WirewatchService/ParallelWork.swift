import Dispatch
import Foundation
import Synchronization

/// Runs `body(index)` for every index in `0..<count` on at most `workers` threads at once, and returns when all
/// are done. Threads take the next index from a shared counter, so a slow article does not hold up a fixed share.
///
/// `concurrentPerform` alone would use every core whatever `workers` says; giving it exactly `workers`
/// iterations, each draining the counter, caps the parallelism the way `pipeline.workers` promises.
func parallelFor(_ count: Int, workers: Int, _ body: @Sendable (_ index: Int, _ worker: Int) -> Void) {
    guard count > 0 else { return }
    // One worker or one item (a quiet stream's single row) runs here: a hand-off to another thread costs more.
    if workers <= 1 || count == 1 {
        for index in 0..<count { body(index, 0) }
        return
    }
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { worker in
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if index >= count { break }
            body(index, worker)
        }
    }
}

/// `body(index)` for every index in `0..<count` on at most `workers` threads, the results in index order.
func parallelMap<T>(_ count: Int, workers: Int, _ body: @Sendable (_ index: Int) -> T) -> [T] {
    var results = [T?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { buffer in
        // Safe: each iteration writes only its own slot, and all are done before the buffer is read.
        nonisolated(unsafe) let slots = buffer
        parallelFor(count, workers: workers) { index, _ in slots[index] = body(index) }
    }
    return results.map { $0! }
}

/// `workers` threads of their own running submitted work first in, first out: the pipeline's analysis, fed one
/// article at a time so that no article waits for another's.
///
/// Not a `DispatchQueue`: a concurrent queue runs as many blocks at once as it likes, and `pipeline.workers`
/// promises a number.
final class WorkerPool: @unchecked Sendable {
    // @unchecked: `tasks`, `head` and `stopped` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var tasks: [@Sendable () -> Void] = []
    private var head = 0
    private var stopped = false

    init(workers: Int, name: String) {
        for index in 0..<max(1, workers) {
            startThread(named: "\(name)-\(index)", stackSize: 8 << 20) { [self] in self.work() }
        }
    }

    func submit(_ task: @escaping @Sendable () -> Void) {
        self.condition.lock()
        self.tasks.append(task)
        self.condition.signal()
        self.condition.unlock()
    }

    /// Ends the threads once each is between tasks; work not yet started is dropped.
    func stop() {
        self.condition.lock()
        self.stopped = true
        self.tasks.removeAll()
        self.head = 0
        self.condition.broadcast()
        self.condition.unlock()
    }

    private func work() {
        while true {
            self.condition.lock()
            while self.head == self.tasks.count && !self.stopped { self.condition.wait() }
            if self.stopped {
                self.condition.unlock()
                return
            }
            let task = self.tasks[self.head]
            self.head += 1
            if self.head == self.tasks.count {
                self.tasks.removeAll(keepingCapacity: true)
                self.head = 0
            }
            self.condition.unlock()
            task()
        }
    }
}

/// Envelopes finished by the workers, by decision ticket, taken by the pipeline as they become journalable.
final class FinishedEnvelopes: Sendable {
    private let done = Mutex<[Int64: Outgoing]>([:])

    func put(_ outgoing: Outgoing, ticket: Int64) {
        self.done.withLock { $0[ticket] = outgoing }
    }

    /// The tickets of the finished envelopes not yet taken.
    func tickets() -> Set<Int64> {
        self.done.withLock { Set($0.keys) }
    }

    /// The finished envelopes of `tickets`, in that order; every one must be finished.
    func take(_ tickets: [Int64]) -> [Outgoing] {
        self.done.withLock { done in tickets.map { done.removeValue(forKey: $0)! } }
    }
}
