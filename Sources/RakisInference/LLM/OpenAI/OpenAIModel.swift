/// A model served by an OpenAI-compatible server: one HTTP client shared by the workers, each
/// worker one request in flight at a time.
final class OpenAIModel: LLMModelHandle {
    let client: OpenAIChatClient

    init(endpoint: OpenAIEndpoint) { client = OpenAIChatClient(endpoint: endpoint) }

    func makeWorker(name: String) async -> Result<any LLMWorkerRuntime, LLMError> {
        .success(OpenAIWorker(client: client))
    }

    func close() async { await client.shutdown() }
}

struct OpenAIWorker: LLMWorkerRuntime {
    let client: OpenAIChatClient

    func generate(
        _ request: LLMRequest, cancellation: CancellationFlag, onText: @escaping @Sendable (String) -> Void
    ) async -> Result<LLMCompletion, LLMError> {
        let client = self.client
        let task = Task { await client.complete(request, onText: onText) }
        cancellation.onCancel { task.cancel() }
        let result = await task.value
        return cancellation.isCancelled ? .failure(.cancelled) : result
    }

    func stop() {}
}
