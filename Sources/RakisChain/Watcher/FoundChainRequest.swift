/// A request as the watcher recorded it in `chain.sqlite`: where and by whom it was made.
public struct FoundChainRequest: Sendable, Equatable {
    public var requestId: String
    public var chainId: UInt64
    /// EIP-55.
    public var inbox: String
    public var blockNumber: UInt64
    /// The `requestInference` transaction.
    public var transactionHash: String
    /// nil for requests recorded before the node kept them.
    public var requester: String?
    /// Wei, in decimal.
    public var reward: String?
}
