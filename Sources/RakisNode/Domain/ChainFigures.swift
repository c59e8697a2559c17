public import RakisCore

/// One watched chain's figures: the watcher's view of the chain, the requests found there, and
/// this node's reports (fulfils sent, won, lost, gas).
public struct ChainFigures: Sendable, Equatable {
    public let watcher: ChainWatcherStatus
    /// EIP-55.
    public let inbox: String
    public let requestsSeen: Int
    public let reports: ChainReportFigures
}

/// What this node knows of a request made on chain (`evm:<chainId>:<inbox>:<id>`).
public struct ChainRequestDetail: Sendable {
    public let chainId: UInt64
    /// Lower case, as in the request id.
    public let inbox: String
    /// The inbox's number for the request, in decimal.
    public let id: String
    /// Whether this node watches that inbox on that chain.
    public let watched: Bool
    /// Where the request was made, once this node's watcher found it; nil for a request that came
    /// only from peers, which this node has not confirmed on chain.
    public let found: FoundChainRequest?
    /// The verified attestations, by signer address.
    public let attestations: [ChainAttestation]
    /// The transactions this node sent to fulfil it, oldest first.
    public let transactions: [ReportedTransaction]
    /// How it was fulfilled on chain, by whichever node, once this node's watcher read it.
    public let fulfilment: ChainFulfilment?

    public var confirmed: Bool { found != nil }
}
