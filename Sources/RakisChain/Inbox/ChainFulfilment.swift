/// A request's fulfilment as its `InferenceFulfilled` log records it, whoever sent it.
public struct ChainFulfilment: Sendable, Equatable {
    /// The network's id, `evm:<chainId>:<inbox>:<id>`.
    public var requestId: String
    /// EIP-55: the wallet that sent the fulfil.
    public var reporter: String
    /// `0x` and 64 hex digits: keccak256 of the output the inbox stored.
    public var outputHash: String
    public var validInferenceJointHash: String
    /// How many attestations the fulfil carried.
    public var signers: Int
    public var blockNumber: UInt64
    public var transactionHash: String

    public init(
        requestId: String, reporter: String, outputHash: String, validInferenceJointHash: String, signers: Int, blockNumber: UInt64,
        transactionHash: String
    ) {
        self.requestId = requestId
        self.reporter = reporter
        self.outputHash = outputHash
        self.validInferenceJointHash = validInferenceJointHash
        self.signers = signers
        self.blockNumber = blockNumber
        self.transactionHash = transactionHash
    }
}
