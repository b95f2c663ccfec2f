/// Gap detection for a subscriber (the ZeroMQ Guide's Clone and Suicidal Snail patterns), as a state machine:
/// it is told each `seq` seen live and says what to do; the caller does the I/O.
public struct SequenceTracker: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// New and in order: show it.
        case deliver
        /// Already seen (a replay overlapped the live stream): skip it.
        case skip
        /// Envelopes `from...to` were missed: fetch them from replay, then show this one.
        case refill(from: Int64, to: Int64)
    }

    /// The highest `seq` delivered; nil until the first.
    public private(set) var lastSeq: Int64?

    public init(lastSeq: Int64? = nil) {
        self.lastSeq = lastSeq
    }

    /// An envelope with `seq` arrived live.
    public mutating func observe(_ seq: Int64) -> Action {
        guard let last = self.lastSeq else {
            self.lastSeq = seq
            return .deliver
        }
        if seq <= last { return .skip }
        self.lastSeq = seq
        return seq == last + 1 ? .deliver : .refill(from: last + 1, to: seq - 1)
    }

    /// A heartbeat says the latest published `seq`; anything beyond what was delivered was missed.
    public mutating func heartbeat(_ seq: Int64) -> Action {
        guard let last = self.lastSeq else {
            self.lastSeq = seq
            return .skip
        }
        guard seq > last else { return .skip }
        self.lastSeq = seq
        return .refill(from: last + 1, to: seq)
    }

    /// Envelopes up to `seq` were delivered from replay.
    public mutating func caughtUp(to seq: Int64) {
        self.lastSeq = max(self.lastSeq ?? seq, seq)
    }
}
