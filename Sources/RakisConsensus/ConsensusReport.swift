public import RakisCore

/// A reveal that failed verification, and why (announced as `inferenceRevealRejected`).
public struct RevealRejection: Sendable, Hashable {
    public var synthientId: String
    public var inferenceId: String
    public var reason: RevealRejectionReason
}

public enum ConsensusFailure: Error, Sendable, Hashable, CustomStringConvertible {
    case notEnoughValidReveals(valid: Int, quorum: Int)
    case noClusterLargeEnough(largest: Int, needed: Int)

    public var description: String {
        switch self {
        case .notEnoughValidReveals(let valid, let quorum): "only \(valid) valid reveals, quorum is \(quorum)"
        case .noClusterLargeEnough(let largest, let needed): "largest cluster has \(largest) members, \(needed) needed"
        }
    }
}

/// The agreed output: the valid inferences (the chosen cluster), their joint hash, and the one
/// member every honest node selects from it.
public struct ConsensusSelection: Sendable, Hashable {
    public var validInferences: [RevealedInference]
    public var validInferenceJointHash: String
    public var selected: RevealedInference
}

/// Everything one consensus computation found, for the packets and the dashboard.
public struct ConsensusReport: Sendable, Hashable {
    public var requestId: String
    /// Every reveal considered, in the deterministic order consensus uses.
    public var submitted: [RevealedInference]
    public var rejections: [RevealRejection]
    /// Pairwise Hamming distances among the accepted reveals, in `accepted` order.
    public var distances: [[Int]]
    public var accepted: [RevealedInference]
    /// For each accepted reveal, how many accepted reveals lie within `secDistance` of it (itself included).
    public var clusterSizes: [Int]
    public var neededClusterSize: Int
    public var outcome: Result<ConsensusSelection, ConsensusFailure>
}
