/// What a worker of either engine is doing.
public enum WorkerState: Sendable, Equatable {
    case loading(progress: Double)
    case idle
    /// Running a job: an inference, or an embedding.
    case busy
    case failed(String)

    public var isFailed: Bool {
        if case .failed = self { return true }
        return false
    }

    /// Loaded: idle or busy.
    public var isLoaded: Bool { self == .idle || self == .busy }
}

public struct WorkerStatus: Sendable, Equatable {
    public let id: Int
    public let model: String
    public let state: WorkerState
    /// Told to stop; finishes its current job first.
    public let retiring: Bool
}

/// Loaded workers of a model (`count`) and how many of them are idle (`free`).
public struct WorkerAvailability: Sendable, Equatable {
    public let model: String
    public let count: Int
    public let free: Int

    public init(model: String, count: Int, free: Int) {
        self.model = model
        self.count = count
        self.free = free
    }
}

/// What happens to the workers of either engine, in order.
public enum WorkerEvent: Sendable, Equatable {
    case workerLoading(model: String, worker: Int, progress: Double)
    /// `totalWorkers`: the model's loaded workers, this one included.
    case workerLoaded(model: String, worker: Int, totalWorkers: Int)
    case workerFailed(model: String, worker: Int, reason: String)
    case workerBusy(model: String, worker: Int)
    case workerFree(model: String, worker: Int)
    case workerStopped(model: String, worker: Int)
}
