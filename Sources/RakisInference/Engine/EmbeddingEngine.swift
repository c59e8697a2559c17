import Foundation
public import Logging
import RakisCore

/// The embedding engine of the seed document: workers per model, each on its own thread,
/// scaled up and down at run time; a job queue per model; per-job completion; and isolation —
/// a failing job or worker reports its failure and the engine keeps serving.
///
/// A model's weights are loaded once, when its first worker starts, and shared by all of its
/// workers (the model is immutable and thread-safe).
public actor EmbeddingEngine {
    public enum WorkerState: Sendable, Equatable {
        case loading(progress: Double)
        case loaded
        case failed(String)
    }

    public struct WorkerStatus: Sendable, Equatable {
        public let id: Int
        public let model: String
        public let state: WorkerState
        public let busy: Bool
        /// Told to stop; finishes its current job first.
        public let retiring: Bool
    }

    public enum Event: Sendable, Equatable {
        case workerLoading(model: String, worker: Int, progress: Double)
        case workerLoaded(model: String, worker: Int)
        case workerFailed(model: String, worker: Int, reason: String)
        case workerBusy(model: String, worker: Int)
        case workerFree(model: String, worker: Int)
        case workerStopped(model: String, worker: Int)
    }

    private struct Worker {
        let id: Int
        let model: String
        let thread: WorkerThread
        var state: WorkerState
        var busy = false
        var retiring = false

        var isFailed: Bool {
            if case .failed = state { return true }
            return false
        }
    }

    private struct Job {
        let texts: [String]
        let continuation: CheckedContinuation<[[Float]], any Error>
    }

    private enum ModelSlot {
        case loading([CheckedContinuation<any TextEmbedder, any Error>])
        case loaded(any TextEmbedder)
        case failed(String)
    }

    private let loader: EmbedderLoader
    private let logger: Logger
    private var workers: [Int: Worker] = [:]
    private var nextWorkerId = 0
    private var queues: [String: [Job]] = [:]
    private var models: [String: ModelSlot] = [:]
    private let hub = EventHub<Event>()
    private var isShutDown = false

    public init(loader: @escaping EmbedderLoader, logger: Logger = Logger(label: "rakis.embedding")) {
        self.loader = loader
        self.logger = logger
    }

    // MARK: Observing

    /// Every event from now on, in order.
    public func events() -> AsyncStream<Event> { hub.subscribe() }

    public func status() -> [WorkerStatus] {
        workers.values.sorted { $0.id < $1.id }.map {
            WorkerStatus(id: $0.id, model: $0.model, state: $0.state, busy: $0.busy, retiring: $0.retiring)
        }
    }

    /// Loaded workers of `model` that are idle and not retiring.
    public func freeWorkerCount(model: String) -> Int {
        workers.values.filter { $0.model == model && $0.state == .loaded && !$0.busy && !$0.retiring }.count
    }

    /// Workers of `model` that are loaded or still loading (and not retiring).
    public func workerCount(model: String) -> Int {
        workers.values.filter { $0.model == model && !$0.retiring && !$0.isFailed }.count
    }

    private func emit(_ event: Event) {
        hub.publish(event)
    }

    // MARK: Scaling

    /// Sets the number of workers of `model`. Scaling up starts workers (loading the model on
    /// first use); scaling down stops idle workers first, and a busy one after its current job.
    public func scaleEmbeddingWorkers(model: String, count: Int) {
        guard !isShutDown else { return }
        let target = max(0, count)
        var active = workers.values.filter { $0.model == model && !$0.retiring && !$0.isFailed }.sorted { $0.id < $1.id }
        // Failed workers of this model are cleared away on every rescale.
        for failed in workers.values where failed.model == model && failed.isFailed { remove(failed.id) }
        while active.count < target {
            let id = startWorker(model: model)
            active.append(workers[id]!)
        }
        if active.count > target {
            let idleFirst = active.sorted { ($0.busy ? 1 : 0, -$0.id) < ($1.busy ? 1 : 0, -$1.id) }
            for worker in idleFirst.prefix(active.count - target) {
                if worker.busy {
                    workers[worker.id]?.retiring = true
                } else {
                    remove(worker.id)
                }
            }
        }
        if target == 0 { failQueue(model: model, with: .noWorkers(model: model)) }
    }

    private func startWorker(model: String) -> Int {
        let id = nextWorkerId
        nextWorkerId += 1
        workers[id] = Worker(id: id, model: model, thread: WorkerThread(name: "rakis-embed-\(model)-\(id)"), state: .loading(progress: 0))
        emit(.workerLoading(model: model, worker: id, progress: 0))
        Task { await self.load(worker: id, model: model) }
        return id
    }

    private func load(worker id: Int, model: String) async {
        do {
            _ = try await embedder(for: model, reportingTo: id)
            guard workers[id] != nil else { return }
            workers[id]?.state = .loaded
            emit(.workerLoaded(model: model, worker: id))
            logger.info("embedding worker loaded", metadata: ["model": "\(model)", "worker": "\(id)"])
            dispatch(model: model)
        } catch {
            guard workers[id] != nil else { return }
            let reason = (error as? EmbeddingError)?.description ?? "\(error)"
            workers[id]?.state = .failed(reason)
            emit(.workerFailed(model: model, worker: id, reason: reason))
            logger.error("embedding worker failed to load", metadata: ["model": "\(model)", "worker": "\(id)", "error": "\(reason)"])
            if workerCount(model: model) == 0 { failQueue(model: model, with: .workerFailed(model: model, reason: reason)) }
        }
    }

    /// The shared model, loaded on a worker's thread by the first worker that needs it.
    private func embedder(for model: String, reportingTo worker: Int) async throws -> any TextEmbedder {
        switch models[model] {
        case .loaded(let embedder):
            return embedder
        case .loading(var waiting):
            return try await withCheckedThrowingContinuation { continuation in
                waiting.append(continuation)
                models[model] = .loading(waiting)
            }
        case .failed, nil:
            models[model] = .loading([])
            let loader = self.loader
            let thread = workers[worker]!.thread
            // Progress goes through an ordered stream that ends when loading does, so every
            // progress event is handled before the worker is marked loaded.
            let (progress, reporter) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .unbounded)
            async let loaded: Result<any TextEmbedder, any Error> = withCheckedContinuation { continuation in
                thread.submit {
                    let result = Result { try loader(model) { reporter.yield($0) } }
                    reporter.finish()
                    continuation.resume(returning: result)
                }
            }
            for await fraction in progress { reportProgress(worker: worker, model: model, fraction) }
            let result = await loaded
            guard case .loading(let waiting) = models[model] else { return try result.get() }
            switch result {
            case .success(let embedder):
                models[model] = .loaded(embedder)
                for continuation in waiting { continuation.resume(returning: embedder) }
                return embedder
            case .failure(let error):
                models[model] = .failed("\(error)")
                for continuation in waiting { continuation.resume(throwing: error) }
                throw error
            }
        }
    }

    private func reportProgress(worker: Int, model: String, _ progress: Double) {
        guard case .loading? = workers[worker]?.state else { return }
        workers[worker]?.state = .loading(progress: progress)
        emit(.workerLoading(model: model, worker: worker, progress: progress))
    }

    private func remove(_ id: Int) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        worker.thread.stop()
        emit(.workerStopped(model: worker.model, worker: id))
    }

    // MARK: Jobs

    /// Embeds `texts` with `model` on the next free worker of that model and returns one vector
    /// per text. Fails at once when the model has no workers, rather than waiting forever.
    public func embed(_ texts: [String], model: String) async throws -> [[Float]] {
        guard !isShutDown else { throw EmbeddingError.cancelled }
        guard workers.values.contains(where: { $0.model == model }) else {
            throw models[model] == nil ? EmbeddingError.unknownModel(model) : EmbeddingError.noWorkers(model: model)
        }
        guard workerCount(model: model) > 0 else {
            let reason = workers.values.compactMap { worker -> String? in
                if worker.model == model, case .failed(let reason) = worker.state { return reason }
                return nil
            }.first ?? "no live workers"
            throw EmbeddingError.workerFailed(model: model, reason: reason)
        }
        return try await withCheckedThrowingContinuation { continuation in
            queues[model, default: []].append(Job(texts: texts, continuation: continuation))
            dispatch(model: model)
        }
    }

    private func dispatch(model: String) {
        while var queue = queues[model], !queue.isEmpty,
              let worker = workers.values.filter({ $0.model == model && $0.state == .loaded && !$0.busy && !$0.retiring }).min(by: { $0.id < $1.id }),
              case .loaded(let embedder)? = models[model] {
            let job = queue.removeFirst()
            queues[model] = queue
            workers[worker.id]?.busy = true
            emit(.workerBusy(model: model, worker: worker.id))
            let id = worker.id
            worker.thread.submit {
                let result = Result { try job.texts.map { try embedder.embed($0) } }
                Task { await self.finished(worker: id, model: model, job: job, result: result) }
            }
        }
    }

    /// Marks the worker free before the caller hears of the result, so that a caller that
    /// reacts to it sees the worker available again.
    private func finished(worker id: Int, model: String, job: Job, result: Result<[[Float]], any Error>) {
        if let worker = workers[id] {
            workers[id]?.busy = false
            if worker.retiring {
                remove(id)
            } else {
                emit(.workerFree(model: model, worker: id))
            }
        }
        job.continuation.resume(with: result)
        dispatch(model: model)
    }

    private func failQueue(model: String, with error: EmbeddingError) {
        for job in queues.removeValue(forKey: model) ?? [] { job.continuation.resume(throwing: error) }
    }

    /// Fails queued jobs, lets running jobs finish, and stops every worker thread.
    public func shutdown() {
        isShutDown = true
        for model in Array(queues.keys) { failQueue(model: model, with: .cancelled) }
        for id in Array(workers.keys) where workers[id]?.busy != true { remove(id) }
        for id in Array(workers.keys) { workers[id]?.retiring = true }
        hub.finish()
    }
}
