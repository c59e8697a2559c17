import RakisNode

/// A `quorum` event of `GET /api/events`: a request's quorum changed status on this node.
public struct QuorumUpdateView: Codable, Sendable {
    public let requestId: String
    public let status: String
    public let reason: String?

    /// Whether the quorum has ended (`completed` or `failed`).
    public var isFinal: Bool { status == QuorumStatus.completed.rawValue || status == QuorumStatus.failed.rawValue }

    init(_ update: QuorumUpdate) {
        requestId = update.requestId
        status = update.status.rawValue
        reason = update.reason
    }
}
