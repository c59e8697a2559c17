public import BigInt
public import RakisEthereum

/// An inference request made on chain, as every watcher of that chain derives it from the
/// `InferenceRequested` log: the same fields on every node, so that the network agrees on it.
public struct ChainInferenceRequest: Sendable, Hashable {
    public var chainId: UInt64
    public var inbox: EthereumAddress
    /// The inbox's own number for the request.
    public var id: BigUInt
    public var requester: EthereumAddress
    public var reward: BigUInt
    public var prompt: String
    public var acceptedModels: [String]
    public var quorum: Int
    public var maxTimeMs: Int
    public var secDistance: Int
    public var secPercentageBps: Int
    public var embeddingModel: String
    public var maxTokens: Int
    public var temperatureMilli: Int
    public var blockNumber: UInt64
    public var blockHash: [UInt8]
    /// The block's timestamp, in seconds: the request's `createdAt` on every node.
    public var blockTime: UInt64
    public var transactionHash: [UInt8]
    public var logIndex: UInt64

    /// The network's id of the request: `evm:<chainId>:<inbox>:<id>`, the same on every node.
    public var requestId: String { "evm:\(chainId):\(inbox.checksummed.lowercased()):\(id)" }
}
