/// Why a node cannot start or do what was asked; each says what to do about it.
public enum NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case storeUnavailable(path: String, reason: String)
    case modelMissing(String)
    case modelFailed(model: String, reason: String)
    case notRunning
    case invalidRequest(String)
    /// Scaling asked for a model this node was not started with.
    case unknownModel(kind: WorkerSnapshot.Kind, model: String, served: [String])
    case scalingFailed(model: String, reason: String)
    case invalidNetwork(String)
    case invalidChain(name: String, reason: String)

    public var description: String {
        switch self {
        case .storeUnavailable(let path, let reason): "cannot open the store \(path): \(reason)"
        case .modelMissing(let message): message
        case .modelFailed(let model, let reason): "model \(model) failed to load: \(reason)"
        case .notRunning: "the node is not running; start it first"
        case .invalidRequest(let problem): "invalid inference request: \(problem)"
        case .unknownModel(let kind, let model, let served):
            "this node has no \(kind == .llm ? "LLM" : "embedding model") \(model.debugDescription); it serves \(served.joined(separator: ", "))"
        case .scalingFailed(let model, let reason): "cannot scale \(model): \(reason)"
        case .invalidNetwork(let problem): "cannot join the network: \(problem)"
        case .invalidChain(let name, let reason): "cannot watch chain \(name): \(reason); check the chains setting"
        }
    }
}
