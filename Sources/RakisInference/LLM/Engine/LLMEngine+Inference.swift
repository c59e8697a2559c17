import Foundation
import Logging
import RakisCore

/// Inference: jobs wait in a FIFO queue per model and go to the first free worker.
extension LLMEngine {
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

    func noWorkerReason(model: String) -> LLMError? {
        let ofModel = workers.values.filter { $0.model == model }
        if ofModel.contains(where: \.isLive) { return nil }
        for worker in ofModel {
            if case .failed(let reason) = worker.state { return .workerFailed(model: model, reason: reason) }
        }
        return .noWorkers(model: model)
    }

    func dispatch(model: String) {
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
    func finished(worker id: Int, model: String, job: Job, result: Result<LLMCompletion, LLMError>) {
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

    func dropCancelledJobs(model: String) {
        guard let queue = queues[model] else { return }
        for job in queue where job.cancellation.isCancelled { job.continuation.resume(returning: .failure(.cancelled)) }
        queues[model] = queue.filter { !$0.cancellation.isCancelled }
    }

    func failQueueIfNoWorkers(model: String) {
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
