public import Foundation

/// Turns what the transports say over time into listening gaps: a stretch in which no transport
/// reached anyone is a gap as much as a stop is. A node that lost its network while running
/// misses what was sent meanwhile just as a stopped one does, and a relay's replay on reconnect
/// brings back only its last seconds. A pure value: the Domain feeds it every change of its
/// transports' status.
public struct ListeningTracker: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Started, not yet told whether a transport reaches anyone; the start's gap stands.
        case starting(ListeningGap)
        case listening
        /// Reaching no one since then (nil: since before the first start).
        case deaf(since: Date?)
    }

    /// What an observation changed.
    public enum Change: Sendable, Hashable {
        /// No transport reaches anyone any more (or still not, since the start's gap began).
        case wentDeaf(since: Date?)
        /// A transport reaches someone again after a stretch of hearing nothing.
        case heardAgain(ListeningGap)
    }

    public private(set) var state: State

    /// - Parameter startGap: the gap this run began with (`ListeningGap` from the newest stored
    ///   packet to the moment the transports were started).
    public init(startGap: ListeningGap) {
        state = .starting(startGap)
    }

    /// Takes whether some transport reaches anyone at `now`; returns what that changed.
    public mutating func observe(reachesAnyone: Bool, at now: Date) -> Change? {
        switch (state, reachesAnyone) {
        case (.starting, true):
            state = .listening
            return nil
        case (.starting(let gap), false):
            // Still deaf since before the start: the start's gap goes on.
            state = .deaf(since: gap.from)
            return .wentDeaf(since: gap.from)
        case (.listening, false):
            state = .deaf(since: now)
            return .wentDeaf(since: now)
        case (.deaf(let since), true):
            state = .listening
            return .heardAgain(ListeningGap(from: since, until: now))
        case (.listening, true), (.deaf, false):
            return nil
        }
    }
}
