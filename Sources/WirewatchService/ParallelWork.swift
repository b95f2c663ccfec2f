import Dispatch
import Synchronization

/// Runs `body(index)` for every index in `0..<count` on at most `workers` threads at once, and returns when all
/// are done. Threads take the next index from a shared counter, so a slow article does not hold up a fixed share.
///
/// `concurrentPerform` alone would use every core whatever `workers` says; giving it exactly `workers`
/// iterations, each draining the counter, caps the parallelism the way `pipeline.workers` promises.
func parallelFor(_ count: Int, workers: Int, _ body: @Sendable (_ index: Int, _ worker: Int) -> Void) {
    guard count > 0 else { return }
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
