public import RakisInference

extension WorkerView {
    static func stateName(_ state: LLMEngine.WorkerState) -> String {
        switch state {
        case .loading: "loading"
        case .idle: "idle"
        case .inferencing: "inferencing"
        case .failed: "failed"
        }
    }

    static func stateName(_ worker: EmbeddingEngine.WorkerStatus) -> String {
        switch worker.state {
        case .loading: "loading"
        case .loaded: worker.busy ? "busy" : "idle"
        case .failed: "failed"
        }
    }

    public init(_ worker: LLMEngine.WorkerStatus) {
        let (progress, failure): (Double, String?) = switch worker.state {
        case .loading(let fraction): (fraction, nil)
        case .failed(let reason): (0, reason)
        case .idle, .inferencing: (1, nil)
        }
        self.init(id: worker.id, model: worker.model, state: Self.stateName(worker.state), progress: progress, retiring: worker.retiring, failure: failure)
    }

    public init(_ worker: EmbeddingEngine.WorkerStatus) {
        let (progress, failure): (Double, String?) = switch worker.state {
        case .loading(let fraction): (fraction, nil)
        case .failed(let reason): (0, reason)
        case .loaded: (1, nil)
        }
        self.init(id: worker.id, model: worker.model, state: Self.stateName(worker), progress: progress, retiring: worker.retiring, failure: failure)
    }
}
