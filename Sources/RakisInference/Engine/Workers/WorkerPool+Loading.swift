import Logging

/// Loading: a worker loads the model's shared part (or waits for another worker loading it), then
/// gets its own part; a model's shared part is released when its last worker goes.
extension WorkerPool {
    func load(worker id: Int, model: String) async {
        let runtime: Result<Backend.Runtime, Backend.Failure>
        switch await sharedModel(model, reportingTo: id) {
        case .success(let shared): runtime = await backend.makeRuntime(shared, name: "rakis-\(backend.threadPrefix)-\(model)-\(id)")
        case .failure(let error): runtime = .failure(error)
        }
        guard workers[id] != nil else {
            if case .success(let runtime) = runtime { backend.stop(runtime) }
            releaseModelIfUnused(model)
            return
        }
        switch runtime {
        case .success(let runtime):
            workers[id]?.runtime = runtime
            workers[id]?.state = .idle
            emit(.workerLoaded(model: model, worker: id, totalWorkers: availability(model: model).count))
            logger.info("\(backend.kind) worker loaded", metadata: ["model": "\(model)", "worker": "\(id)"])
            dispatch(model: model)
        case .failure(let error):
            let reason = backend.describe(error)
            workers[id]?.state = .failed(reason)
            emit(.workerFailed(model: model, worker: id, reason: reason))
            logger.error("\(backend.kind) worker failed to load", metadata: ["model": "\(model)", "worker": "\(id)", "error": "\(reason)"])
            failQueueIfNoWorkers(model: model)
            releaseModelIfUnused(model)
        }
    }

    /// The model's shared part, loaded by the first worker that needs it; the others wait for it.
    private func sharedModel(_ model: String, reportingTo worker: Int) async -> Result<Backend.Model, Backend.Failure> {
        switch models[model] {
        case .loaded(let shared):
            return .success(shared)
        case .loading(var waiting):
            return await withCheckedContinuation { continuation in
                waiting.append(continuation)
                models[model] = .loading(waiting)
            }
        case nil:
            models[model] = .loading([])
            let (progress, reporter) = AsyncStream.makeStream(of: Double.self, bufferingPolicy: .bufferingNewest(1))
            // Progress comes through a stream that ends when loading does, so every progress
            // event is handled before the worker is marked loaded.
            async let result: Result<Backend.Model, Backend.Failure> = { [backend] in
                let loaded = await backend.loadModel(model) { reporter.yield($0) }
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
            case .success(let shared): models[model] = .loaded(shared)
            case .failure: models[model] = nil
            }
            for continuation in waiting { continuation.resume(returning: loaded) }
            return loaded
        }
    }

    func remove(_ id: Int) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        if let runtime = worker.runtime { backend.stop(runtime) }
        emit(.workerStopped(model: worker.model, worker: id))
        releaseModelIfUnused(worker.model)
        if workers.isEmpty {
            for waiter in drained { waiter.resume() }
            drained = []
        }
    }

    /// Frees a model's shared part once no worker of it is left.
    private func releaseModelIfUnused(_ model: String) {
        let inUse = workers.values.contains { worker in
            guard worker.model == model else { return false }
            if case .loading = worker.state { return true }
            return worker.runtime != nil
        }
        guard !inUse, case .loaded(let shared)? = models[model] else { return }
        models[model] = nil
        Task { [backend] in await backend.release(shared) }
    }
}
