import RakisInference

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

    init(_ worker: LLMEngine.WorkerStatus) {
        var progress = 1.0
        var failure: String?
        switch worker.state {
        case .loading(let fraction): progress = fraction
        case .failed(let reason): failure = reason; progress = 0
        case .idle, .inferencing: break
        }
        self.init(id: worker.id, model: worker.model, state: Self.stateName(worker.state), progress: progress, retiring: worker.retiring, failure: failure)
    }

    init(_ worker: EmbeddingEngine.WorkerStatus) {
        var progress = 1.0
        var failure: String?
        switch worker.state {
        case .loading(let fraction): progress = fraction
        case .failed(let reason): failure = reason; progress = 0
        case .loaded: break
        }
        self.init(id: worker.id, model: worker.model, state: Self.stateName(worker), progress: progress, retiring: worker.retiring, failure: failure)
    }
}
