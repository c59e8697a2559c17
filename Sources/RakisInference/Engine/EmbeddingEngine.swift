public import Logging

/// The embedding engine of the seed document: workers per model, each on its own thread, scaled
/// up and down at run time; a job queue per model; per-job completion; and isolation — a failing
/// job or worker reports its failure and the engine keeps serving. It is the shared `WorkerPool`
/// over `EmbeddingBackend`: a model's weights are loaded once, when its first worker starts, and
/// shared by all of its workers.
public actor EmbeddingEngine {
    public typealias WorkerState = RakisInference.WorkerState
    public typealias WorkerStatus = RakisInference.WorkerStatus
    public typealias Event = WorkerEvent

    private let pool: WorkerPool<EmbeddingBackend>

    public init(loader: @escaping EmbedderLoader, logger: Logger = Logger(label: "rakis.embedding")) {
        pool = WorkerPool(backend: EmbeddingBackend(loader: loader), logger: logger)
    }

    /// Every event from now on, in order.
    public func events() async -> AsyncStream<Event> { await pool.events() }

    public func status() async -> [WorkerStatus] { await pool.status() }

    /// Loaded workers of `model` that are idle and not retiring.
    public func freeWorkerCount(model: String) async -> Int { await pool.availability(model: model).free }

    /// The loaded workers of `model` and how many of them are idle.
    public func availability(model: String) async -> WorkerAvailability { await pool.availability(model: model) }

    /// Sets the number of workers of `model`. Scaling up starts workers (loading the model on
    /// first use); scaling down stops idle workers first, and a busy one after its current job.
    public func scaleEmbeddingWorkers(model: String, count: Int) async {
        await pool.scale(model: model, count: count)
    }

    /// Embeds `texts` with `model` on the next free worker of that model and returns one vector
    /// per text. Fails at once when the model has no workers, rather than waiting forever.
    public func embed(_ texts: [String], model: String) async throws -> [[Float]] {
        guard await !pool.isShutDown else { throw EmbeddingError.cancelled }
        guard await pool.knows(model) else { throw EmbeddingError.unknownModel(model) }
        return try await pool.submit(texts, model: model).get()
    }

    /// Fails queued jobs, lets running jobs finish, and stops every worker thread.
    public func shutdown() async { await pool.shutdown() }
}
