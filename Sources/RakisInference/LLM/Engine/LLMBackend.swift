import Synchronization

/// The LLMs a worker pool runs: GGUF models through llama.cpp (weights shared, a context and a
/// thread per worker) and OpenAI-compatible servers (a client shared, requests per worker).
struct LLMBackend: WorkerBackend {
    struct Job: Sendable {
        let request: LLMRequest
        let onText: @Sendable (String) -> Void
    }

    let registry: LLMModelRegistry
    var kind: String { "LLM" }
    var threadPrefix: String { "llm" }

    func loadModel(_ model: String, progress: @escaping @Sendable (Double) -> Void) async -> Result<any LLMModelHandle, LLMError> {
        guard let configuration = registry.configuration(model) else { return .failure(.unknownModel(model, known: registry.names)) }
        return await LLMModelLoading.load(configuration, progress: progress)
    }

    func makeRuntime(_ model: any LLMModelHandle, name: String) async -> Result<any LLMWorkerRuntime, LLMError> {
        await model.makeWorker(name: name)
    }

    func run(
        _ job: Job, on runtime: any LLMWorkerRuntime, model: any LLMModelHandle, cancellation: CancellationFlag
    ) async -> Result<LLMCompletion, LLMError> {
        await runtime.generate(job.request, cancellation: cancellation, onText: job.onText)
    }

    func stop(_ runtime: any LLMWorkerRuntime) { runtime.stop() }

    func release(_ model: any LLMModelHandle) async { await model.close() }

    func failure(_ refusal: WorkerPoolRefusal) -> LLMError {
        switch refusal {
        case .noWorkers(let model): .noWorkers(model: model)
        case .workerFailed(let model, let reason): .workerFailed(model: model, reason: reason)
        case .shutDown: .shutDown
        case .cancelled: .cancelled
        }
    }

    func describe(_ failure: LLMError) -> String { failure.description }

    func isCancellation(_ failure: LLMError) -> Bool { failure == .cancelled }
}

/// The LLMs an engine knows by name; models can be added while it runs.
final class LLMModelRegistry: Sendable {
    private let configurations: Mutex<[String: LLMModelConfiguration]>

    init(_ models: [LLMModelConfiguration]) {
        configurations = Mutex(Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }))
    }

    func configuration(_ name: String) -> LLMModelConfiguration? { configurations.withLock { $0[name] } }
    func register(_ configuration: LLMModelConfiguration) { configurations.withLock { $0[configuration.name] = configuration } }
    var names: [String] { configurations.withLock { $0.keys.sorted() } }
}
