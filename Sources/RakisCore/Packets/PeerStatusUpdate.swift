public import Foundation

/// `peerStatusUpdate`: liveness and statistics. The status fields sit flat beside `status`, as
/// in the reference: `{"type":"peerStatusUpdate","status":"boot","totalTokens":12,...}`.
public struct PeerStatusUpdate: Codable, Sendable, Hashable {
    public var status: Status
    public var createdAt: Date

    public init(status: Status, createdAt: Date) {
        self.status = status
        self.createdAt = createdAt
    }

    public enum Status: Sendable, Hashable {
        case boot(totalTokens: Int)
        case loadedWorker(modelName: String, totalWorkers: Int)
        case inferencing(modelName: String)
        case completedInference(tps: Double, modelName: String, totalTokens: Int)
        case computingBEmbeddingHash(embeddingModels: [String])
        case verifyingQuorum(requestId: String)

        public var name: String {
            switch self {
            case .boot: "boot"
            case .loadedWorker: "loaded_worker"
            case .inferencing: "inferencing"
            case .completedInference: "completed_inference"
            case .computingBEmbeddingHash: "computing_bEmbeddingHash"
            case .verifyingQuorum: "verifying quorum"
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case status, createdAt, totalTokens, modelName, totalWorkers, tps, embeddingModels, requestId
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        let name = try c.decode(String.self, forKey: .status)
        switch name {
        case "boot":
            status = .boot(totalTokens: try c.decode(Int.self, forKey: .totalTokens))
        case "loaded_worker":
            status = .loadedWorker(
                modelName: try c.decode(String.self, forKey: .modelName),
                totalWorkers: try c.decode(Int.self, forKey: .totalWorkers))
        case "inferencing":
            status = .inferencing(modelName: try c.decode(String.self, forKey: .modelName))
        case "completed_inference":
            status = .completedInference(
                tps: try c.decode(Double.self, forKey: .tps),
                modelName: try c.decode(String.self, forKey: .modelName),
                totalTokens: try c.decode(Int.self, forKey: .totalTokens))
        case "computing_bEmbeddingHash":
            status = .computingBEmbeddingHash(embeddingModels: try c.decode([String].self, forKey: .embeddingModels))
        case "verifying quorum":
            status = .verifyingQuorum(requestId: try c.decode(String.self, forKey: .requestId))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .status, in: c, debugDescription: "unknown peer status \"\(name)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(status.name, forKey: .status)
        switch status {
        case .boot(let totalTokens):
            try c.encode(totalTokens, forKey: .totalTokens)
        case .loadedWorker(let modelName, let totalWorkers):
            try c.encode(modelName, forKey: .modelName)
            try c.encode(totalWorkers, forKey: .totalWorkers)
        case .inferencing(let modelName):
            try c.encode(modelName, forKey: .modelName)
        case .completedInference(let tps, let modelName, let totalTokens):
            try c.encode(tps, forKey: .tps)
            try c.encode(modelName, forKey: .modelName)
            try c.encode(totalTokens, forKey: .totalTokens)
        case .computingBEmbeddingHash(let models):
            try c.encode(models, forKey: .embeddingModels)
        case .verifyingQuorum(let requestId):
            try c.encode(requestId, forKey: .requestId)
        }
    }
}
