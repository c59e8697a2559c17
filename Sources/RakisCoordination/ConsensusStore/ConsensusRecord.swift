public import Foundation
public import RakisCore

/// This node's consensus result for one request, with the figures that explain it (kept for the
/// dashboard and for debugging disagreements between nodes).
public struct ConsensusRecord: Sendable, Hashable {
    public struct Selected: Sendable, Hashable, Codable {
        public var output: String
        public var synthientId: String
        public var bEmbeddingHash: String

        public init(output: String, synthientId: String, bEmbeddingHash: String) {
            self.output = output
            self.synthientId = synthientId
            self.bEmbeddingHash = bEmbeddingHash
        }
    }

    /// A quorum member as the reveal request names it: who, which inference, which commit.
    public typealias Member = InferenceRevealRequest.Member

    public struct Rejection: Sendable, Hashable, Codable {
        public var synthientId: String
        public var inferenceId: String
        public var reason: String

        public init(synthientId: String, inferenceId: String, reason: String) {
            self.synthientId = synthientId
            self.inferenceId = inferenceId
            self.reason = reason
        }
    }

    /// The debug data: every reveal considered, the rejected ones, the Hamming distances among
    /// the accepted ones, each one's cluster size and the size needed.
    public struct Details: Sendable, Hashable, Codable {
        public var submitted: [Member]
        public var accepted: [Member]
        public var valid: [Member]
        public var rejections: [Rejection]
        public var distances: [[Int]]
        public var clusterSizes: [Int]
        public var neededClusterSize: Int

        public init(
            submitted: [Member], accepted: [Member], valid: [Member], rejections: [Rejection], distances: [[Int]],
            clusterSizes: [Int], neededClusterSize: Int
        ) {
            self.submitted = submitted
            self.accepted = accepted
            self.valid = valid
            self.rejections = rejections
            self.distances = distances
            self.clusterSizes = clusterSizes
            self.neededClusterSize = neededClusterSize
        }
    }

    public var requestId: String
    /// nil when consensus succeeded; otherwise why it failed.
    public var failureReason: String?
    public var validInferenceJointHash: String?
    public var selected: Selected?
    public var details: Details
    public var computedAt: Date

    public var succeeded: Bool { failureReason == nil }

    public init(
        requestId: String, failureReason: String?, validInferenceJointHash: String?, selected: Selected?, details: Details,
        computedAt: Date
    ) {
        self.requestId = requestId
        self.failureReason = failureReason
        self.validInferenceJointHash = validInferenceJointHash
        self.selected = selected
        self.details = details
        self.computedAt = computedAt
    }
}

/// Another node's `inferenceQuorumComputed`, as stored under `(requestId, verifiedBy)`.
public struct PeerConsensusRecord: Sendable, Hashable {
    public var requestId: String
    public var verifiedBy: String
    public var validInferenceJointHash: String
    public var selectedOutput: String
    public var selectedSynthientId: String
    public var receivedAt: Date
}
