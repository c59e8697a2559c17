import Logging
import RakisCore

/// The worker pool both engines run on: named models, workers per model scaled up and down at run
/// time, a FIFO job queue per model, one shared model part per model (loaded by the first worker
/// that needs it, released when its last worker goes), worker states and events. Each worker runs
/// one job at a time; a failing job or worker reports its failure and the pool keeps serving.
actor WorkerPool<Backend: WorkerBackend> {
    struct Worker {
        let id: Int
        let model: String
        var state: WorkerState
        var retiring = false
        var runtime: Backend.Runtime?
        var running: CancellationFlag?

        var isLive: Bool { !state.isFailed && !retiring }
    }

    struct PendingJob {
        let job: Backend.Job
        let cancellation: CancellationFlag
        let continuation: CheckedContinuation<Result<Backend.Output, Backend.Failure>, Never>
    }

    enum ModelSlot {
        case loading([CheckedContinuation<Result<Backend.Model, Backend.Failure>, Never>])
        case loaded(Backend.Model)
    }

    let backend: Backend
    let logger: Logger
    var workers: [Int: Worker] = [:]
    var nextWorkerId = 0
    var queues: [String: [PendingJob]] = [:]
    var models: [String: ModelSlot] = [:]
    /// Models that have had workers: a job for one of them without workers is "no workers", for
    /// any other "unknown model".
    var scaledModels: Set<String> = []
    let hub = EventHub<WorkerEvent>()
    var drained: [CheckedContinuation<Void, Never>] = []
    var isShutDown = false

    init(backend: Backend, logger: Logger) {
        self.backend = backend
        self.logger = logger
    }

    // MARK: Observing

    /// Every event from now on, in order.
    func events() -> AsyncStream<WorkerEvent> { hub.subscribe() }

    func status() -> [WorkerStatus] {
        workers.values.sorted { $0.id < $1.id }.map { WorkerStatus(id: $0.id, model: $0.model, state: $0.state, retiring: $0.retiring) }
    }

    /// Loaded, non-retiring workers of `model`, and how many of them are idle.
    func availability(model: String) -> WorkerAvailability {
        let loaded = workers.values.filter { $0.model == model && !$0.retiring && $0.state.isLoaded }
        return WorkerAvailability(model: model, count: loaded.count, free: loaded.filter { $0.state == .idle }.count)
    }

    func availability(models: [String]) -> [WorkerAvailability] { models.map { availability(model: $0) } }

    /// Whether `model` has ever been given workers.
    func knows(_ model: String) -> Bool { scaledModels.contains(model) }

    func emit(_ event: WorkerEvent) {
        hub.publish(event)
    }

    // MARK: Scaling

    /// Sets the number of workers of `model`. Scaling up starts workers (the first loads the
    /// model's shared part); scaling down stops idle and loading workers first, and a busy one
    /// after its current job. Failed workers are cleared on every call.
    func scale(model: String, count: Int) {
        guard !isShutDown else { return }
        scaledModels.insert(model)
        for failed in workers.values where failed.model == model && failed.state.isFailed { remove(failed.id) }
        var live = workers.values.filter { $0.model == model && $0.isLive }
        let target = max(0, count)
        while live.count < target { live.append(startWorker(model: model)) }
        if live.count > target {
            let busyLast = live.sorted { ($0.state == .busy ? 1 : 0, -$0.id) < ($1.state == .busy ? 1 : 0, -$1.id) }
            for worker in busyLast.prefix(live.count - target) {
                if worker.state == .busy {
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

    /// Why a job for `model` cannot be taken now; nil when a live worker exists.
    func refusal(model: String) -> WorkerPoolRefusal? {
        let ofModel = workers.values.filter { $0.model == model }
        if ofModel.contains(where: \.isLive) { return nil }
        for worker in ofModel {
            if case .failed(let reason) = worker.state { return .workerFailed(model: model, reason: reason) }
        }
        return .noWorkers(model: model)
    }
}
