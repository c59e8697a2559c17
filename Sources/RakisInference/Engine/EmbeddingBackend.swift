import RakisCore

/// The embedding models a worker pool runs: the model's weights shared (immutable, thread-safe),
/// a thread per worker, so that forward passes never block the cooperative pool.
struct EmbeddingBackend: WorkerBackend {
    let loader: EmbedderLoader
    var kind: String { "embedding" }
    var threadPrefix: String { "embed" }

    /// Loads on a thread of its own: reading and checking weights is blocking work.
    func loadModel(_ model: String, progress: @escaping @Sendable (Double) -> Void) async -> Result<any TextEmbedder, any Error> {
        let thread = WorkerThread(name: "rakis-embed-load-\(model)")
        defer { thread.stop() }
        return await withCheckedContinuation { continuation in
            thread.submit { [loader] in continuation.resume(returning: Result { try loader(model, progress) }) }
        }
    }

    func makeRuntime(_ model: any TextEmbedder, name: String) async -> Result<WorkerThread, any Error> {
        .success(WorkerThread(name: name))
    }

    func run(_ texts: [String], on thread: WorkerThread, model: any TextEmbedder, cancellation: CancellationFlag) async -> Result<[[Float]], any Error> {
        await withCheckedContinuation { continuation in
            thread.submit { continuation.resume(returning: Result { try model.embed(batch: texts) }) }
        }
    }

    func stop(_ thread: WorkerThread) { thread.stop() }

    func release(_ model: any TextEmbedder) async {}

    func failure(_ refusal: WorkerPoolRefusal) -> any Error {
        switch refusal {
        case .noWorkers(let model): EmbeddingError.noWorkers(model: model)
        case .workerFailed(let model, let reason): EmbeddingError.workerFailed(model: model, reason: reason)
        case .shutDown, .cancelled: EmbeddingError.cancelled
        }
    }

    func describe(_ failure: any Error) -> String { (failure as? EmbeddingError)?.description ?? "\(failure)" }

    func isCancellation(_ failure: any Error) -> Bool { (failure as? EmbeddingError) == .cancelled }
}
