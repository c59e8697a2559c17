/// Why an embedding model could not be loaded or used. Each case names the file or model.
public enum EmbeddingError: Error, Equatable, Sendable, CustomStringConvertible {
    case modelFileMissing(String)
    case modelFileUnreadable(String, String)
    case modelFileCorrupt(String, String)
    case unknownModel(String)
    case noWorkers(model: String)
    case workerFailed(model: String, reason: String)
    case cancelled

    public var description: String {
        switch self {
        case .modelFileMissing(let path): "model file \(path) does not exist; run `make setup` to install the default models"
        case .modelFileUnreadable(let path, let reason): "cannot read model file \(path): \(reason)"
        case .modelFileCorrupt(let path, let reason): "model file \(path) is corrupt: \(reason)"
        case .unknownModel(let name): "no embedding model named \"\(name)\" is loaded"
        case .noWorkers(let model): "embedding model \(model) has no workers; scale it up first"
        case .workerFailed(let model, let reason): "an embedding worker of \(model) failed: \(reason)"
        case .cancelled: "the embedding job was cancelled"
        }
    }
}
