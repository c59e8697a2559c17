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

    struct Worker {
        let id: Int
        let model: String
        var state: WorkerState
        var retiring = false
        var runtime: (any LLMWorkerRuntime)?
        var running: CancellationFlag?

        var isLive: Bool { !state.isFailed && !retiring }
    }

    struct Job {
        let request: LLMRequest
        let cancellation: CancellationFlag
        let onText: @Sendable (String) -> Void
        let continuation: CheckedContinuation<Result<LLMCompletion, LLMError>, Never>
    }

    enum ModelSlot {
        case loading([CheckedContinuation<Result<any LLMModelHandle, LLMError>, Never>])
        case loaded(any LLMModelHandle)
    }

    var configurations: [String: LLMModelConfiguration] = [:]
    var workers: [Int: Worker] = [:]
    var nextWorkerId = 0
    var queues: [String: [Job]] = [:]
    var models: [String: ModelSlot] = [:]
    let hub = EventHub<Event>()
    var drained: [CheckedContinuation<Void, Never>] = []
    var isShutDown = false
    let logger: Logger

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

    func emit(_ event: Event) {
        hub.publish(event)
    }
}
