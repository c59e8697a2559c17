public import RakisInference

/// What the inference request queue needs of the LLM engine: free workers per model, a way to
/// run a request, and a signal when workers change.
public protocol LLMWorkerPool: Sendable {
    func availability() async -> [LLMEngine.Availability]
    func complete(model: String, request: LLMRequest) async throws(LLMError) -> LLMCompletion
    func events() async -> AsyncStream<LLMEngine.Event>
}

extension LLMEngine: LLMWorkerPool {
    public func complete(model: String, request: LLMRequest) async throws(LLMError) -> LLMCompletion {
        try await complete(model: model, request: request, onText: { _ in })
    }
}
