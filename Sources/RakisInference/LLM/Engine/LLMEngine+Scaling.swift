import Foundation
import Logging
import RakisCore

/// Scaling: workers start on their own threads and load their model (shared by the model's
/// workers), or retire after their current job.
extension LLMEngine {
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

    func startWorker(model: String) -> Worker {
        let worker = Worker(id: nextWorkerId, model: model, state: .loading(progress: 0))
        nextWorkerId += 1
        workers[worker.id] = worker
        emit(.workerLoading(model: model, worker: worker.id, progress: 0))
        Task { await self.load(worker: worker.id, model: model) }
        return worker
    }

    func load(worker id: Int, model: String) async {
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
    func handle(for model: String, reportingTo worker: Int) async -> Result<any LLMModelHandle, LLMError> {
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

    func remove(_ id: Int) {
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
    func releaseModelIfUnused(_ model: String) {
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
}
