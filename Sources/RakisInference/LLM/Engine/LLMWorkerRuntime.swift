/// What one LLM worker runs, whatever the backend. `generate` never blocks the cooperative
/// pool: local workers hop to their own thread, remote workers await the network.
protocol LLMWorkerRuntime: Sendable {
    func generate(
        _ request: LLMRequest, cancellation: CancellationFlag, onText: @escaping @Sendable (String) -> Void
    ) async -> Result<LLMCompletion, LLMError>
    /// Releases the worker's resources; called once, when it is idle.
    func stop()
}

/// A model's shared part (weights, or an HTTP client), loaded once for all of its workers.
protocol LLMModelHandle: Sendable {
    func makeWorker(name: String) async -> Result<any LLMWorkerRuntime, LLMError>
    func close() async
}

enum LLMModelLoading {
    /// Loads the model behind `configuration` (GGUF weights on a thread of their own).
    static func load(
        _ configuration: LLMModelConfiguration, progress: @escaping @Sendable (Double) -> Void
    ) async -> Result<any LLMModelHandle, LLMError> {
        switch configuration.source {
        case .gguf(let path):
            return await LocalGGUFModel.load(configuration: configuration, path: path, progress: progress)
                .map { $0 as any LLMModelHandle }
        case .openAI(let endpoint):
            progress(1)
            return .success(OpenAIModel(endpoint: endpoint))
        }
    }
}
