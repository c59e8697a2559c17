import Foundation
import RakisCoordination
import Synchronization

/// The stretches in which this node heard nothing (`ListeningGap`): the one before its start,
/// and every one in which no transport reached anyone (`ListeningTracker`, fed by
/// `followTransports`). Read by the scheduler for every quorum that waits for reveals.
final class ListeningHistory: Sendable {
    /// Gaps older than a request's lifetime concern no open quorum; a bound keeps a flapping
    /// connection from growing the list.
    static let kept = 64

    private struct Record {
        var tracker: ListeningTracker?
        var gaps: [ListeningGap] = []

        /// A gap from the same moment replaces the one recorded: a start's gap that went on
        /// because no transport connected.
        mutating func add(_ gap: ListeningGap) {
            gaps.removeAll { $0.from == gap.from }
            gaps.append(gap)
            if gaps.count > ListeningHistory.kept { gaps.removeFirst(gaps.count - ListeningHistory.kept) }
        }
    }

    private let record = Mutex(Record())

    /// Oldest first.
    var gaps: [ListeningGap] { record.withLock { $0.gaps } }

    /// Where the transports left the node: nil before the start.
    var state: ListeningTracker.State? { record.withLock { $0.tracker?.state } }

    /// The gap this run began with; from now on `observe` follows the transports.
    func started(after gap: ListeningGap) {
        record.withLock { record in
            record.add(gap)
            record.tracker = ListeningTracker(startGap: gap)
        }
    }

    /// Takes whether some transport reaches anyone at `now`, records the gap a reconnection
    /// ends, and returns what changed (nothing before the start).
    func observe(reachesAnyone: Bool, at now: Date) -> ListeningTracker.Change? {
        record.withLock { record in
            guard var tracker = record.tracker else { return nil }
            let change = tracker.observe(reachesAnyone: reachesAnyone, at: now)
            record.tracker = tracker
            if case .heardAgain(let gap)? = change { record.add(gap) }
            return change
        }
    }
}
