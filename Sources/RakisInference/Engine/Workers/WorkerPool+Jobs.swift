import Logging

/// Jobs: they wait in a FIFO queue per model and go to the model's free worker with the lowest id.
extension WorkerPool {
    /// Runs `job` on the next free worker of `model`. Fails at once when the model has no live
    /// workers. Cancelling the calling task sets the job's cancellation flag (a running job that
    /// reads it stops early) and drops it from the queue.
    func submit(_ job: Backend.Job, model: String) async -> Result<Backend.Output, Backend.Failure> {
        guard !isShutDown else { return .failure(backend.failure(.shutDown)) }
        if let refusal = refusal(model: model) { return .failure(backend.failure(refusal)) }
        let cancellation = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queues[model, default: []].append(PendingJob(job: job, cancellation: cancellation, continuation: continuation))
                dispatch(model: model)
            }
        } onCancel: {
            cancellation.cancel()
            Task { await self.dropCancelledJobs(model: model) }
        }
    }

    func dispatch(model: String) {
        while let pending = queues[model]?.first,
              let worker = workers.values.filter({ $0.model == model && $0.state == .idle && !$0.retiring }).min(by: { $0.id < $1.id }),
              let runtime = worker.runtime, case .loaded(let shared)? = models[model] {
            queues[model]?.removeFirst()
            if pending.cancellation.isCancelled {
                pending.continuation.resume(returning: .failure(backend.failure(.cancelled)))
                continue
            }
            workers[worker.id]?.state = .busy
            workers[worker.id]?.running = pending.cancellation
            emit(.workerBusy(model: model, worker: worker.id))
            let id = worker.id
            Task { [backend] in
                let result = await backend.run(pending.job, on: runtime, model: shared, cancellation: pending.cancellation)
                self.finished(worker: id, model: model, pending: pending, result: result)
            }
        }
    }

    /// Frees the worker before the caller hears of the result, so that a caller reacting to it
    /// finds the worker available again.
    private func finished(worker id: Int, model: String, pending: PendingJob, result: Result<Backend.Output, Backend.Failure>) {
        if let worker = workers[id] {
            workers[id]?.state = .idle
            workers[id]?.running = nil
            if worker.retiring {
                remove(id)
            } else {
                emit(.workerFree(model: model, worker: id))
            }
        }
        if case .failure(let error) = result, !backend.isCancellation(error) {
            logger.warning("\(backend.kind) job failed", metadata: ["model": "\(model)", "worker": "\(id)", "error": "\(backend.describe(error))"])
        }
        pending.continuation.resume(returning: result)
        dispatch(model: model)
    }

    private func dropCancelledJobs(model: String) {
        guard let queue = queues[model] else { return }
        for pending in queue where pending.cancellation.isCancelled {
            pending.continuation.resume(returning: .failure(backend.failure(.cancelled)))
        }
        queues[model] = queue.filter { !$0.cancellation.isCancelled }
    }

    func failQueueIfNoWorkers(model: String) {
        guard let refusal = refusal(model: model) else { return }
        for pending in queues.removeValue(forKey: model) ?? [] { pending.continuation.resume(returning: .failure(backend.failure(refusal))) }
    }

    /// Fails queued jobs, cancels running ones, stops every worker and frees every model; returns
    /// when all workers have stopped.
    func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        for model in Array(queues.keys) {
            for pending in queues.removeValue(forKey: model) ?? [] { pending.continuation.resume(returning: .failure(backend.failure(.shutDown))) }
        }
        for id in Array(workers.keys) {
            if workers[id]?.state == .busy {
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
