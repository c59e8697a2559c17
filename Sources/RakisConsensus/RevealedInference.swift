/// One quorum member's reveal as consensus sees it: what it committed to, what it revealed,
/// and what this node computed from the revealed output.
public struct RevealedInference: Sendable, Hashable {
    public var synthientId: String
    public var inferenceId: String
    /// The `bEmbeddingHash` of the member's commit.
    public var committedHash: String
    public var output: String
    /// The revealed binary embedding.
    public var bEmbedding: [UInt8]
    /// This node's binary embedding of `output`; nil for this node's own reveal, which is not
    /// embedded twice.
    public var recomputedBEmbedding: [UInt8]?

    public init(
        synthientId: String, inferenceId: String, committedHash: String, output: String, bEmbedding: [UInt8],
        recomputedBEmbedding: [UInt8]?
    ) {
        self.synthientId = synthientId
        self.inferenceId = inferenceId
        self.committedHash = committedHash
        self.output = output
        self.bEmbedding = bEmbedding
        self.recomputedBEmbedding = recomputedBEmbedding
    }
}
