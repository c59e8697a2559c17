/// How long a node's model work takes: the inference and the embeddings are modelled, their
/// outputs come from the evaluation set.
public struct WorkModel: Sendable, Hashable, Codable {
    /// LLM generation speed (the default model measured 64–74 tokens/s on this machine's CPU).
    public var tokensPerSecond: Double
    /// Fixed cost of one inference (prompt processing), milliseconds.
    public var inferenceOverheadMs: Double
    /// One text through the embedding model, milliseconds.
    public var embeddingMs: Double
    /// LLM workers on each node.
    public var llmWorkers: Int

    public init(tokensPerSecond: Double = 65, inferenceOverheadMs: Double = 150, embeddingMs: Double = 20, llmWorkers: Int = 1) {
        self.tokensPerSecond = tokensPerSecond
        self.inferenceOverheadMs = inferenceOverheadMs
        self.embeddingMs = embeddingMs
        self.llmWorkers = llmWorkers
    }

    var problem: String? {
        if tokensPerSecond <= 0 { return "tokensPerSecond must be > 0" }
        if inferenceOverheadMs < 0 || embeddingMs < 0 { return "work times must be ≥ 0" }
        if llmWorkers < 1 { return "each node needs at least one LLM worker" }
        return nil
    }
}
