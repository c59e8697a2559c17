public import RakisCore

/// Where result embeddings go: the inference store saves the embedding, then commits to it.
/// Implemented by the coordination layer.
public protocol InferenceEmbeddingConsumer: Sendable {
    func saveEmbedding(_ embedding: InferenceEmbedding) async
    /// The result could not be embedded (expired in the queue, or the worker failed).
    func embeddingFailed(requestId: String, inferenceId: String, reason: String) async
}

/// Where consensus-verification embeddings go: consensus compares them with the reveals.
/// Implemented by the coordination layer.
public protocol ConsensusVerificationConsumer: Sendable {
    func verifiedEmbeddings(requestId: String, embeddings: [VerifiedEmbedding]) async
    func verificationFailed(requestId: String, reason: String) async
}

/// A revealed output as this node embedded it.
public struct VerifiedEmbedding: Sendable, Equatable {
    public let inferenceId: String
    public let synthientId: String
    public let embedding: [Float]
    public let bEmbedding: [UInt8]

    public init(inferenceId: String, synthientId: String, embedding: [Float]) {
        self.inferenceId = inferenceId
        self.synthientId = synthientId
        self.embedding = embedding
        self.bEmbedding = BinaryEmbedding.pack(embedding)
    }
}
