public import Foundation

/// `p2pInferenceRequest`: a request sent by a peer.
public struct P2PInferenceRequest: Codable, Sendable, Hashable {
    public var requestId: String
    public var payload: InferenceRequestPayload
    public var createdAt: Date

    public init(requestId: String, payload: InferenceRequestPayload, createdAt: Date) {
        self.requestId = requestId
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// What is asked of the network: a prompt, the models allowed to answer it, and the security frame.
public struct InferenceRequestPayload: Codable, Sendable, Hashable {
    public var fromChain: String
    public var blockNumber: Int
    public var createdAt: Date
    public var prompt: String
    public var acceptedModels: [String]
    public var temperature: Double
    public var maxTokens: Int
    public var securityFrame: SecurityFrame

    public init(
        fromChain: String, blockNumber: Int, createdAt: Date, prompt: String, acceptedModels: [String],
        temperature: Double, maxTokens: Int, securityFrame: SecurityFrame
    ) {
        self.fromChain = fromChain
        self.blockNumber = blockNumber
        self.createdAt = createdAt
        self.prompt = prompt
        self.acceptedModels = acceptedModels
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.securityFrame = securityFrame
    }

    /// The request stops taking commits at `createdAt + maxTimeMs`.
    public var endingAt: Date { createdAt.addingTimeInterval(Double(securityFrame.maxTimeMs) / 1000) }
}

/// The security frame: how many commits make a quorum, how long the request lives, and how
/// tightly the revealed embeddings must cluster for consensus.
public struct SecurityFrame: Codable, Sendable, Hashable {
    /// Commits needed before reveals are requested.
    public var quorum: Int
    /// Request lifetime in milliseconds.
    public var maxTimeMs: Int
    /// Cluster radius, in differing bits of the binary embedding (Hamming distance).
    public var secDistance: Double
    /// Share of the quorum that must sit inside one cluster, in (0, 1].
    public var secPercentage: Double
    public var embeddingModel: String
    /// The share of all nodes that may answer (`Committee`); absent: every node, as in the
    /// reference.
    public var committeeShare: Double?

    public init(quorum: Int, maxTimeMs: Int, secDistance: Double, secPercentage: Double, embeddingModel: String, committeeShare: Double? = nil) {
        self.quorum = quorum
        self.maxTimeMs = maxTimeMs
        self.secDistance = secDistance
        self.secPercentage = secPercentage
        self.embeddingModel = embeddingModel
        self.committeeShare = committeeShare
    }
}
