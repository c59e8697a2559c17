import RakisInference

/// One worker of either engine, as the API, the dashboard, `/metrics` and the command line show it.
public struct WorkerSnapshot: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case llm, embedding

        /// The states a worker of this kind can be in, as `state` names them.
        public var states: [String] {
            switch self {
            case .llm: ["loading", "idle", "inferencing", "failed"]
            case .embedding: ["loading", "idle", "busy", "failed"]
            }
        }
    }

    public let kind: Kind
    public let id: Int
    public let model: String
    /// `loading`, `idle`, `inferencing` (LLM) or `busy` (embedding), or `failed`.
    public let state: String
    /// Load progress in [0, 1]; 1 once loaded.
    public let progress: Double
    /// Told to stop; finishes its current job first.
    public let retiring: Bool
    public let failure: String?

    public var isFailed: Bool { state == "failed" }
    /// Loaded and able to take work (now or once its job is done).
    public var isLoaded: Bool { !isFailed && state != "loading" }

    /// The API names the busy state after the work: an LLM worker is `inferencing`.
    init(_ worker: WorkerStatus, kind: Kind) {
        let (state, progress, failure): (String, Double, String?) = switch worker.state {
        case .loading(let fraction): ("loading", fraction, nil)
        case .idle: ("idle", 1, nil)
        case .busy: (kind == .llm ? "inferencing" : "busy", 1, nil)
        case .failed(let reason): ("failed", 0, reason)
        }
        self.init(kind: kind, id: worker.id, model: worker.model, state: state, progress: progress, retiring: worker.retiring, failure: failure)
    }

    init(kind: Kind, id: Int, model: String, state: String, progress: Double, retiring: Bool, failure: String?) {
        self.kind = kind
        self.id = id
        self.model = model
        self.state = state
        self.progress = progress
        self.retiring = retiring
        self.failure = failure
    }
}
