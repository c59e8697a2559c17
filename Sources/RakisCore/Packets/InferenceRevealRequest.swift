public import Foundation

/// `inferenceRevealRequest`: "the quorum is reached; the members named here, reveal."
public struct InferenceRevealRequest: Codable, Sendable, Hashable {
    public struct Member: Codable, Sendable, Hashable {
        public var synthientId: String
        public var inferenceId: String
        public var bEmbeddingHash: String

        public init(synthientId: String, inferenceId: String, bEmbeddingHash: String) {
            self.synthientId = synthientId
            self.inferenceId = inferenceId
            self.bEmbeddingHash = bEmbeddingHash
        }
    }

    public var requestId: String
    public var quorum: [Member]
    public var timeoutMs: Int
    public var createdAt: Date

    public init(requestId: String, quorum: [Member], timeoutMs: Int, createdAt: Date) {
        self.requestId = requestId
        self.quorum = quorum
        self.timeoutMs = timeoutMs
        self.createdAt = createdAt
    }
}
