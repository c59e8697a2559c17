import Foundation
public import Logging
import RakisCore

/// The LLM engine of the reference: named models, workers per model scaled up and down at run
/// time, worker states, availability per model, and events. Each worker runs one inference at
/// a time — local GGUF workers on their own thread and llama.cpp context over weights shared by
/// the model's workers, remote workers over HTTP. Jobs wait in a FIFO queue per model.
public actor LLMEngine {
    public enum WorkerState: Sendable, Equatable {
        case loading(progress: Double)
        case idle
        case inferencing
        case failed(String)

        public var isFailed: Bool {
            if case .failed = self { return true }
            return false
        }
    }

    public struct WorkerStatus: Sendable, Equatable {
        public let id: Int
        public let model: String
        public let state: WorkerState
        /// Told to stop; finishes its current inference first.
        public let retiring: Bool
    }

    /// Loaded workers of a model (`count`) and how many of them are idle (`free`).
    public struct Availability: Sendable, Equatable {
        public let model: String
        public let count: Int
        public let free: Int

        public init(model: String, count: Int, free: Int) {
            self.model = model
            self.count = count
            self.free = free
        }
    }

    public enum Event: Sendable, Equatable {
        case workerLoading(model: String, worker: Int, progress: Double)
        /// `totalWorkers`: the model's loaded workers, this one included.
        case workerLoaded(model: String, worker: Int, totalWorkers: Int)
        case workerLoadFailed(model: String, worker: Int, reason: String)
        case workerBusy(model: String, worker: Int)
        case workerFree(model: String, worker: Int)
        case workerUnloaded(model: String, worker: Int)
    }

    private struct Worker {
        let id: Int
        let model: String
        var state: WorkerState
        var retiring = false
        var runtime: (any LLMWorkerRuntime)?
        var running: CancellationFlag?

        var isLive: Bool { !state.isFailed && !retiring }
    }

    private struct Job {
        let request: LLMRequest
        let cancellation: CancellationFlag
        let onText: @Sendable (String) -> Void
        let continuation: CheckedContinuation<Result<LLMCompletion, LLMError>, Never>
    }

    private enum ModelSlot {
        case loading([CheckedContinuation<Result<any LLMModelHandle, LLMError>, Never>])
        case loaded(any LLMModelHandle)
    }

    private var configurations: [String: LLMModelConfiguration] = [:]
    private var workers: [Int: Worker] = [:]
    private var nextWorkerId = 0
    private var queues: [String: [Job]] = [:]
    private var models: [String: ModelSlot] = [:]
    private let hub = EventHub<Event>()
    private var drained: [CheckedContinuation<Void, Never>] = []
    private var isShutDown = false
    private let logger: Logger

    public init(models: [LLMModelConfiguration] = [], logger: Logger = Logger(label: "rakis.llm")) {
        for model in models { configurations[model.name] = model }
        self.logger = logger
    }

    // MARK: Models and observing

    /// Adds a model (or changes one that has no workers).
    public func register(_ configuration: LLMModelConfiguration) {
        configurations[configuration.name] = configuration
    }

    public var modelNames: [String] { configurations.keys.sorted() }

    /// Every event from now on, in order.
    public func events() -> AsyncStream<Event> { hub.subscribe() }

    public func status() -> [WorkerStatus] {
        workers.values.sorted { $0.id < $1.id }.map {
            WorkerStatus(id: $0.id, model: $0.model, state: $0.state, retiring: $0.retiring)
        }
    }

    public func availability(model: String) -> Availability {
        let loaded = workers.values.filter { $0.model == model && !$0.retiring && ($0.state == .idle || $0.state == .inferencing) }
        return Availability(model: model, count: loaded.count, free: loaded.filter { $0.state == .idle }.count)
    }

    /// Availability of every registered model, by name.
    public func availability() -> [Availability] { modelNames.map { availability(model: $0) } }

    private func emit(_ event: Event) {
        hub.publish(event)
    }

    // MARK: Scaling

    /// Sets the number of workers of `model`. Scaling up starts workers (loading the model's
    /// weights with the first); scaling down stops idle and loading workers first, and a busy
    /// one after its current inference. Failed workers are cleared on every call.
    public func scaleLLMWorkers(model: String, count: Int) throws(LLMError) {
        guard !isShutDown else { throw .shutDown }
        guard configurations[model] != nil else { throw .unknownModel(model, known: modelNames) }
        for failed in workers.values where failed.model == model && !failed.isLive && !failed.retiring { remove(failed.id) }
        var live = workers.values.filter { $0.model == model && $0.isLive }
        let target = max(0, count)
        while live.count < target { live.append(startWorker(model: model)) }
        if live.count > target {
            let busyLast = live.sorted { ($0.state == .inferencing ? 1 : 0, -$0.id) < ($1.state == .inferencing ? 1 : 0, -$1.id) }
            for worker in busyLast.prefix(live.count - target) {
                if worker.state == .inferencing {
                    workers[worker.id]?.retiring = true
                } else {
                    remove(worker.id)
                }
            }
        }
        if live.count > target || target == 0 { failQueueIfNoWorkers(model: model) }
    }

    private func startWorker(model: String) -> Worker {
        let worker = Worker(id: nextWorkerId, model: model, state: .loading(progress: 0))
        nextWorkerId += 1
        workers[worker.id] = worker
        emit(.workerLoading(model: model, worker: worker.id, progress: 0))
        Task { await self.load(worker: worker.id, model: model) }
        return worker
    }

    private func load(worker id: Int, model: String) async {
        let loaded = await handle(for: model, reportingTo: id)
        let runtime: Result<any LLMWorkerRuntime, LLMError>
        switch loaded {
        case .success(let handle): runtime = await handle.makeWorker(name: "rakis-llm-\(model)-\(id)")
        case .failure(let error): runtime = .failure(error)
        }
        guard workers[id] != nil else {
            if case .success(let runtime) = runtime { runtime.stop() }
            releaseModelIfUnused(model)
            return
        }
        switch runtime {
        case .success(let runtime):
            workers[id]?.runtime = runtime
            workers[id]?.state = .idle
            emit(.workerLoaded(model: model, worker: id, totalWorkers: availability(model: model).count))
            logger.info("LLM worker loaded", metadata: ["model": "\(model)", "worker": "\(id)"])
            dispatch(model: model)
        case .failure(let error):
            workers[id]?.state = .failed(error.description)
            emit(.workerLoadFailed(model: model, worker: id, reason: error.description))
            logger.error("LLM worker failed to load", metadata: ["model": "\(model)", "worker": "\(id)", "error": "\(error)"])
            failQueueIfNoWorkers(model: model)
            releaseModelIfUnused(model)
        }
    }

    /// The model's shared part, loaded by the first worker that needs it; the others wait for it.
    private func handle(for model: String, reportingTo worker: Int) async -> Result<any LLMModelHandle, LLMError> {
        switch models[model] {
        case .loaded(let handle):
            return .success(handle)
        case .loading(var waiting):
            return await withCheckedContinuation { continuation in
                waiting.append(continuation)
                models[model] = .loading(waiting)
            }
        case nil:
            guard let configuration = configurations[model] else { return .failure(.unknownModel(model, known: modelNames)) }
            models[model] = .loading([])
            let (progress, reporter) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .bufferingNewest(1))
            // Progress comes through a stream that ends when loading does, so every progress
            // event is handled before the worker is marked loaded.
            async let result: Result<any LLMModelHandle, LLMError> = {
                let loaded = await LLMModelLoading.load(configuration) { reporter.yield($0) }
                reporter.finish()
                return loaded
            }()
            for await fraction in progress {
                guard case .loading? = workers[worker]?.state else { continue }
                workers[worker]?.state = .loading(progress: fraction)
                emit(.workerLoading(model: model, worker: worker, progress: fraction))
            }
            let loaded = await result
            guard case .loading(let waiting) = models[model] else { return loaded }
            switch loaded {
            case .success(let handle): models[model] = .loaded(handle)
            case .failure: models[model] = nil
            }
            for continuation in waiting { continuation.resume(returning: loaded) }
            return loaded
        }
    }

    private func remove(_ id: Int) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        worker.runtime?.stop()
        if worker.runtime != nil { emit(.workerUnloaded(model: worker.model, worker: id)) }
        releaseModelIfUnused(worker.model)
        if workers.isEmpty {
            for waiter in drained { waiter.resume() }
            drained = []
        }
    }

    /// Frees a model's weights (or HTTP client) once no worker of it is left.
    private func releaseModelIfUnused(_ model: String) {
        let inUse = workers.values.contains { worker in
            guard worker.model == model else { return false }
            if case .loading = worker.state { return true }
            return worker.runtime != nil
        }
        guard !inUse,
              case .loaded(let handle)? = models[model] else { return }
        models[model] = nil
        Task { await handle.close() }
    }

    // MARK: Inference

    /// Runs `request` on the next free worker of `model`, handing out text as it is generated.
    /// Fails at once when the model has no live workers. Cancelling the calling task stops the
    /// generation within a token and frees the worker.
    public func complete(
        model: String, request: LLMRequest, onText: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(LLMError) -> LLMCompletion {
        guard !isShutDown else { throw .shutDown }
        let (request, adjustments) = try request.validated()
        for adjustment in adjustments { logger.notice("request adjusted: \(adjustment)", metadata: ["model": "\(model)"]) }
        guard configurations[model] != nil else { throw .unknownModel(model, known: modelNames) }
        if let reason = noWorkerReason(model: model) { throw reason }
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queues[model, default: []].append(Job(request: request, cancellation: cancellation, onText: onText, continuation: continuation))
                dispatch(model: model)
            }
        } onCancel: {
            cancellation.cancel()
            Task { await self.dropCancelledJobs(model: model) }
        }
        return try result.get()
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

    private func noWorkerReason(model: String) -> LLMError? {
        let ofModel = workers.values.filter { $0.model == model }
        if ofModel.contains(where: \.isLive) { return nil }
        for worker in ofModel {
            if case .failed(let reason) = worker.state { return .workerFailed(model: model, reason: reason) }
        }
        return .noWorkers(model: model)
    }

    private func dispatch(model: String) {
        while let job = queues[model]?.first,
              let worker = workers.values.filter({ $0.model == model && $0.state == .idle && !$0.retiring }).min(by: { $0.id < $1.id }),
              let runtime = worker.runtime {
            queues[model]?.removeFirst()
            if job.cancellation.isCancelled {
                job.continuation.resume(returning: .failure(.cancelled))
                continue
            }
            workers[worker.id]?.state = .inferencing
            workers[worker.id]?.running = job.cancellation
            emit(.workerBusy(model: model, worker: worker.id))
            let id = worker.id
            Task {
                let result = await runtime.generate(job.request, cancellation: job.cancellation, onText: job.onText)
                self.finished(worker: id, model: model, job: job, result: result)
            }
        }
    }

    /// Frees the worker before the caller hears of the result, so that a caller reacting to
    /// it finds the worker available again.
    private func finished(worker id: Int, model: String, job: Job, result: Result<LLMCompletion, LLMError>) {
        if let worker = workers[id] {
            workers[id]?.state = .idle
            workers[id]?.running = nil
            if worker.retiring {
                remove(id)
            } else {
                emit(.workerFree(model: model, worker: id))
            }
        }
        if case .failure(let error) = result, error != .cancelled {
            logger.warning("LLM inference failed", metadata: ["model": "\(model)", "worker": "\(id)", "error": "\(error)"])
        }
        job.continuation.resume(returning: result)
        dispatch(model: model)
    }

    private func dropCancelledJobs(model: String) {
        guard let queue = queues[model] else { return }
        for job in queue where job.cancellation.isCancelled { job.continuation.resume(returning: .failure(.cancelled)) }
        queues[model] = queue.filter { !$0.cancellation.isCancelled }
    }

    private func failQueueIfNoWorkers(model: String) {
        guard let reason = noWorkerReason(model: model) else { return }
        for job in queues.removeValue(forKey: model) ?? [] { job.continuation.resume(returning: .failure(reason)) }
    }

    /// Fails queued jobs, cancels running ones, stops every worker and frees every model; returns
    /// when all workers have stopped.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        for model in Array(queues.keys) {
            for job in queues.removeValue(forKey: model) ?? [] { job.continuation.resume(returning: .failure(.shutDown)) }
        }
        for id in Array(workers.keys) {
            if workers[id]?.state == .inferencing {
                workers[id]?.retiring = true
                workers[id]?.running?.cancel()
            } else {
                remove(id)
            }
        }
        if !workers.isEmpty { await withCheckedContinuation { drained.append($0) } }
        hub.finish()
    }
}
