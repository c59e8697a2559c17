public import Foundation
public import RakisCore
import RakisInference

/// What a request gets for each field its sender left out, the same for the API, the dashboard
/// and `rakis submit`.
public enum InferenceRequestDefaults {
    public static let quorum = 3
    public static let maxTimeMs = 20_000
    public static let secPercentage = 0.5
    /// Cluster radius in differing bits of the 384-bit binary embedding of all-MiniLM-L6-v2: the
    /// largest that kept wrong answers out of 99 % of simulated quorums with up to 40 % of the
    /// members wrong, when every node samples with the request's seed (docs/consensus-eval).
    public static let secDistance = 32.0
    public static let maxTokens = 48
    /// Greedy, where the default model is most often right (60 % of the evaluation set's factual
    /// questions, against 47 % at 0.3). Any temperature reaches consensus: every node samples with
    /// the request's seed (`ConsensusVersion`).
    public static let temperature = 0.0
    public static let embeddingModel = SentenceEmbeddingModel.defaultName
    public static let acceptedModels = [ModelLocator.defaultLLMName]

    /// A request from this node's own API or command line (`fromChain` "p2p", block 0).
    public static func payload(
        prompt: String, acceptedModels: [String]? = nil, temperature: Double? = nil, maxTokens: Int? = nil,
        quorum: Int? = nil, maxTimeMs: Int? = nil, secDistance: Double? = nil, secPercentage: Double? = nil,
        embeddingModel: String? = nil, committeeShare: Double? = nil, createdAt: Date
    ) -> InferenceRequestPayload {
        InferenceRequestPayload(
            fromChain: "p2p", blockNumber: 0, createdAt: createdAt, prompt: prompt, acceptedModels: acceptedModels ?? Self.acceptedModels,
            temperature: temperature ?? Self.temperature, maxTokens: maxTokens ?? Self.maxTokens,
            securityFrame: SecurityFrame(
                quorum: quorum ?? Self.quorum, maxTimeMs: maxTimeMs ?? Self.maxTimeMs, secDistance: secDistance ?? Self.secDistance,
                secPercentage: secPercentage ?? Self.secPercentage, embeddingModel: embeddingModel ?? Self.embeddingModel,
                committeeShare: committeeShare))
    }
}
