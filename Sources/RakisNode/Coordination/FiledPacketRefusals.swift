import Synchronization

/// What the packet filer declined to file, so that a flood of valid but useless packets shows in
/// `/api/stats` and `/metrics` rather than on disk.
public struct FiledPacketRefusals: Sendable, Equatable {
    /// Peers' requests for models this node does not serve, not filed because
    /// `maxUnservedOpenRequests` were already open.
    public var unservedRequestsOverLimit = 0
    /// Reveals for requests this node has no quorum for (nothing to check them against).
    public var revealsForUnknownRequests = 0
    /// Consensus results of other nodes for requests this node never received.
    public var peerResultsForUnknownRequests = 0
    /// Commits from nodes outside their request's committee (`Committee`).
    public var commitsOutsideCommittee = 0

    public init() {}
}

/// The filer's refusals, counted from any task.
final class FiledPacketRefusalCounter: Sendable {
    private let counts = Mutex(FiledPacketRefusals())

    var current: FiledPacketRefusals { counts.withLock { $0 } }

    enum Kind: Sendable {
        case unservedRequestOverLimit, revealForUnknownRequest, peerResultForUnknownRequest, commitOutsideCommittee
    }

    /// Counts one refusal and returns the new total of its kind.
    @discardableResult
    func count(_ kind: Kind) -> Int {
        counts.withLock { counts in
            switch kind {
            case .unservedRequestOverLimit:
                counts.unservedRequestsOverLimit += 1
                return counts.unservedRequestsOverLimit
            case .revealForUnknownRequest:
                counts.revealsForUnknownRequests += 1
                return counts.revealsForUnknownRequests
            case .peerResultForUnknownRequest:
                counts.peerResultsForUnknownRequests += 1
                return counts.peerResultsForUnknownRequests
            case .commitOutsideCommittee:
                counts.commitsOutsideCommittee += 1
                return counts.commitsOutsideCommittee
            }
        }
    }
}
