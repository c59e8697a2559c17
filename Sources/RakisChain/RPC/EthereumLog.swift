public import BigInt
public import RakisEthereum

/// A log entry as `eth_getLogs` returns it.
public struct EthereumLog: Sendable, Hashable {
    public var address: EthereumAddress
    public var topics: [[UInt8]]
    public var data: [UInt8]
    public var blockNumber: UInt64
    public var blockHash: [UInt8]
    public var transactionHash: [UInt8]
    public var logIndex: UInt64
}

/// What `eth_getTransactionReceipt` says of a mined transaction.
public struct TransactionReceipt: Sendable, Hashable {
    public var transactionHash: [UInt8]
    public var blockNumber: UInt64
    /// Whether it succeeded (status 1) or reverted (0).
    public var succeeded: Bool
    public var gasUsed: UInt64
    public var contractAddress: EthereumAddress?
    public var logs: [EthereumLog]
}

/// The parts of a block that the node reads.
public struct ChainBlock: Sendable, Hashable {
    public var number: UInt64
    public var hash: [UInt8]
    public var timestamp: UInt64
    public var baseFeePerGas: BigUInt?
}
