/// A finished generation.
public struct LLMCompletion: Sendable, Hashable {
    public enum FinishReason: String, Sendable, Hashable {
        /// The model ended its answer.
        case stop
        /// `maxTokens` reached, or the context is full.
        case length
    }

    public var text: String
    /// Generated tokens (for remote backends, as the server reports them).
    public var tokenCount: Int
    public var promptTokenCount: Int
    /// Generated tokens per second of generation, prompt processing excluded.
    public var tokensPerSecond: Double
    public var finishReason: FinishReason
    /// The most requests decoded in one step together with this one, itself included (1 when it
    /// ran alone, or on a remote backend, which does not say).
    public var batchedWith: Int

    public init(
        text: String, tokenCount: Int, promptTokenCount: Int, tokensPerSecond: Double, finishReason: FinishReason, batchedWith: Int = 1
    ) {
        self.text = text
        self.tokenCount = tokenCount
        self.promptTokenCount = promptTokenCount
        self.tokensPerSecond = tokensPerSecond
        self.finishReason = finishReason
        self.batchedWith = batchedWith
    }
}

/// What an inference stream yields: text as it is generated, then the completion.
public enum LLMStreamEvent: Sendable, Hashable {
    case text(String)
    case completed(LLMCompletion)
}
