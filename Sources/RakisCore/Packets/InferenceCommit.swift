public import Foundation

/// `inferenceCommit`: "I have a result; here is the hash of its binary embedding bound to my id."
public struct InferenceCommit: Codable, Sendable, Hashable {
    public var requestId: String
    public var inferenceId: String
    public var bEmbeddingHash: String
    public var createdAt: Date

    public init(requestId: String, inferenceId: String, bEmbeddingHash: String, createdAt: Date) {
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.bEmbeddingHash = bEmbeddingHash
        self.createdAt = createdAt
    }
}
