/// Where a request's quorum stands (the reference's status names).
public enum QuorumStatus: String, Sendable, Codable, CaseIterable {
    case awaitingCommitments = "awaiting_commitments"
    case awaitingReveal = "awaiting_reveal"
    case awaitingConsensus = "awaiting_consensus"
    case verifyingConsensus = "verifying_consensus"
    case completed
    case failed

    public var isFinal: Bool { self == .completed || self == .failed }
}
