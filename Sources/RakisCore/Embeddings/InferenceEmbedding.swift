/// The embedding of one inference result: the vector, its binary form and the hash that the
/// node commits to (the reference's `InferenceEmbedding`).
public struct InferenceEmbedding: Sendable, Equatable {
    public let requestId: String
    public let inferenceId: String
    public let embedding: [Float]
    public let bEmbedding: [UInt8]
    public let bEmbeddingHash: String

    /// Computes the binary embedding and its hash bound to `synthientId` from the vector.
    public init(requestId: String, inferenceId: String, embedding: [Float], synthientId: String) {
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.embedding = embedding
        self.bEmbedding = BinaryEmbedding.pack(embedding)
        self.bEmbeddingHash = BinaryEmbedding.hash(bEmbedding, synthientId: synthientId)
    }
}
