public import Logging

/// The LLM engine of the reference: named models, workers per model scaled up and down at run
/// time, worker states, availability per model, and events — the shared `WorkerPool` over
/// `LLMBackend`. Each worker runs one inference at a time; jobs wait in a FIFO queue per model.
public actor LLMEngine {
    public typealias WorkerState = RakisInference.WorkerState
    public typealias WorkerStatus = RakisInference.WorkerStatus
    public typealias Availability = WorkerAvailability
    public typealias Event = WorkerEvent

    private let registry: LLMModelRegistry
    private let pool: WorkerPool<LLMBackend>
    private let logger: Logger

    public init(models: [LLMModelConfiguration] = [], logger: Logger = Logger(label: "rakis.llm")) {
        registry = LLMModelRegistry(models)
        pool = WorkerPool(backend: LLMBackend(registry: registry), logger: logger)
        self.logger = logger
    }

    /// Adds a model (or changes one that has no workers).
    public func register(_ configuration: LLMModelConfiguration) {
        registry.register(configuration)
    }

    public var modelNames: [String] { registry.names }

    /// Every event from now on, in order.
    public func events() async -> AsyncStream<Event> { await pool.events() }

    public func status() async -> [WorkerStatus] { await pool.status() }

    public func availability(model: String) async -> Availability { await pool.availability(model: model) }

    /// Availability of every registered model, by name.
    public func availability() async -> [Availability] {
        await pool.availability(models: registry.names)
    }

    /// Sets the number of workers of `model`. Scaling up starts workers (loading the model's
    /// weights with the first); scaling down stops idle and loading workers first, and a busy
    /// one after its current inference. Failed workers are cleared on every call.
    public func scaleLLMWorkers(model: String, count: Int) async throws(LLMError) {
        guard await !pool.isShutDown else { throw .shutDown }
        guard registry.configuration(model) != nil else { throw .unknownModel(model, known: registry.names) }
        await pool.scale(model: model, count: count)
    }

    /// Runs `request` on the next free worker of `model`, handing out text as it is generated.
    /// Fails at once when the model has no live workers. Cancelling the calling task stops the
    /// generation within a token and frees the worker.
    public func complete(
        model: String, request: LLMRequest, onText: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(LLMError) -> LLMCompletion {
        guard await !pool.isShutDown else { throw .shutDown }
        let (request, adjustments) = try request.validated()
        for adjustment in adjustments { logger.notice("request adjusted: \(adjustment)", metadata: ["model": "\(model)"]) }
        guard registry.configuration(model) != nil else { throw .unknownModel(model, known: registry.names) }
        return try await pool.submit(LLMBackend.Job(request: request, onText: onText), model: model).get()
    }

    /// `complete` as a stream: `.text` pieces, then `.completed`. Ending the iteration early
    /// cancels the inference.
    public nonisolated func stream(model: String, request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let completion = try await self.complete(model: model, request: request) { continuation.yield(.text($0)) }
                    continuation.yield(.completed(completion))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Fails queued jobs, cancels running ones, stops every worker and frees every model; returns
    /// when all workers have stopped.
    public func shutdown() async { await pool.shutdown() }
}
