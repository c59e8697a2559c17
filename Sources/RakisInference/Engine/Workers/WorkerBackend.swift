/// What a `WorkerPool` needs of one kind of model: how to load what a model's workers share (the
/// weights, an HTTP client), how to give one worker its own part (a thread, a llama.cpp context)
/// and how to run a job on it. Blocking work happens on the worker's own thread, never on the
/// cooperative pool.
protocol WorkerBackend: Sendable {
    associatedtype Model: Sendable
    associatedtype Runtime: Sendable
    associatedtype Job: Sendable
    associatedtype Output: Sendable
    associatedtype Failure: Error

    /// "LLM" or "embedding", for logs.
    var kind: String { get }
    /// Worker threads are named `rakis-<prefix>-<model>-<id>`.
    var threadPrefix: String { get }
    /// Loads `model`'s shared part, reporting progress in [0, 1].
    func loadModel(_ model: String, progress: @escaping @Sendable (Double) -> Void) async -> Result<Model, Failure>
    /// One worker's own part over the loaded model.
    func makeRuntime(_ model: Model, name: String) async -> Result<Runtime, Failure>
    func run(_ job: Job, on runtime: Runtime, model: Model, cancellation: CancellationFlag) async -> Result<Output, Failure>
    /// Releases a worker's own part; called once, when it is idle.
    func stop(_ runtime: Runtime)
    /// Releases a model's shared part once no worker of it is left.
    func release(_ model: Model) async
    /// The backend's error for what the pool itself refuses.
    func failure(_ refusal: WorkerPoolRefusal) -> Failure
    func describe(_ failure: Failure) -> String
    /// Whether `failure` means the caller gave up (not worth a warning).
    func isCancellation(_ failure: Failure) -> Bool
}

/// Why the pool refuses or ends a job, before any worker ran it.
enum WorkerPoolRefusal: Sendable, Equatable {
    case noWorkers(model: String)
    case workerFailed(model: String, reason: String)
    case shutDown
    case cancelled
}
