public import Foundation

/// `inferenceReveal`: the output behind a commit, with its embedding and binary embedding.
public struct InferenceReveal: Codable, Sendable, Hashable {
    public var requestedSynthientId: String
    public var requestId: String
    public var inferenceId: String
    public var output: String
    public var embedding: [Double]
    /// The binary embedding, packed eight dimensions to a byte, first dimension in the high bit.
    public var bEmbedding: [UInt8]
    public var createdAt: Date

    public init(
        requestedSynthientId: String, requestId: String, inferenceId: String, output: String,
        embedding: [Double], bEmbedding: [UInt8], createdAt: Date
    ) {
        self.requestedSynthientId = requestedSynthientId
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.output = output
        self.embedding = embedding
        self.bEmbedding = bEmbedding
        self.createdAt = createdAt
    }
}
