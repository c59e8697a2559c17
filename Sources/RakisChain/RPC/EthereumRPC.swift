public import BigInt
import RakisCore
public import RakisEthereum

/// The standard methods the node uses, typed: what works here works against geth, anvil or a
/// public RPC endpoint.
public struct EthereumRPC: Sendable {
    public let client: JSONRPCClient
    private var url: String { client.url }

    public init(client: JSONRPCClient) { self.client = client }

    /// Connects to `url` and, with `expectedChainId`, refuses a node on another chain.
    public static func connect(url: String, expectedChainId: UInt64? = nil, timeout: Duration = .seconds(10)) async throws(ChainRPCError) -> (EthereumRPC, chainId: UInt64) {
        let rpc = EthereumRPC(client: JSONRPCClient(url: url, timeout: timeout))
        let chainId = try await rpc.chainId()
        if let expectedChainId, expectedChainId != chainId { throw .wrongChain(url: url, expected: expectedChainId, found: chainId) }
        return (rpc, chainId)
    }

    public func chainId() async throws(ChainRPCError) -> UInt64 {
        try Quantity.uint64(try await client.call("eth_chainId"), "eth_chainId", url: url)
    }

    public func blockNumber() async throws(ChainRPCError) -> UInt64 {
        try Quantity.uint64(try await client.call("eth_blockNumber"), "eth_blockNumber", url: url)
    }

    /// The block `number`, or nil when the node has none by that number yet.
    public func block(_ number: UInt64) async throws(ChainRPCError) -> ChainBlock? {
        let block = try await client.call("eth_getBlockByNumber", [Quantity.encode(number), .bool(false)])
        if case .null = block { return nil }
        let baseFee: BigUInt? = if let fee = block["baseFeePerGas"] { try Quantity.big(fee, "baseFeePerGas", url: url) } else { nil }
        return ChainBlock(
            number: try Quantity.uint64(block["number"], "a block's number", url: url),
            hash: try Quantity.bytes(block["hash"], "a block's hash", url: url),
            timestamp: try Quantity.uint64(block["timestamp"], "a block's timestamp", url: url),
            baseFeePerGas: baseFee)
    }

    /// The logs of `address` in blocks `from`...`to` whose first topics match `topics` (nil: any).
    public func logs(address: EthereumAddress, topics: [[UInt8]?], from: UInt64, to: UInt64) async throws(ChainRPCError) -> [EthereumLog] {
        let filter: JSONValue = .object([
            "address": .string(address.checksummed), "fromBlock": Quantity.encode(from), "toBlock": Quantity.encode(to),
            "topics": .array(topics.map { $0.map(Quantity.data) ?? .null }),
        ])
        guard case .array(let entries) = try await client.call("eth_getLogs", [filter]) else {
            throw .malformedResponse(url: url, reason: "eth_getLogs did not answer with a list")
        }
        var logs: [EthereumLog] = []
        for entry in entries { logs.append(try log(entry)) }
        return logs
    }

    /// `eth_call`: what `data` sent to `to` returns, without a transaction. A revert is `.rpc`.
    public func call(to: EthereumAddress, data: [UInt8], from: EthereumAddress? = nil) async throws(ChainRPCError) -> [UInt8] {
        var call: [String: JSONValue] = ["to": .string(to.checksummed), "data": Quantity.data(data)]
        if let from { call["from"] = .string(from.checksummed) }
        return try Quantity.bytes(try await client.call("eth_call", [.object(call), .string("latest")]), "eth_call's result", url: url)
    }

    public func estimateGas(from: EthereumAddress, to: EthereumAddress?, data: [UInt8], value: BigUInt = 0) async throws(ChainRPCError) -> UInt64 {
        var call: [String: JSONValue] = ["from": .string(from.checksummed), "data": Quantity.data(data), "value": Quantity.encode(value)]
        if let to { call["to"] = .string(to.checksummed) }
        return try Quantity.uint64(try await client.call("eth_estimateGas", [.object(call)]), "eth_estimateGas", url: url)
    }

    /// The next nonce of `address`, counting its pending transactions.
    public func transactionCount(_ address: EthereumAddress) async throws(ChainRPCError) -> UInt64 {
        try Quantity.uint64(try await client.call("eth_getTransactionCount", [.string(address.checksummed), .string("pending")]), "a nonce", url: url)
    }

    /// Sends a signed transaction; returns its hash.
    public func sendRawTransaction(_ raw: [UInt8]) async throws(ChainRPCError) -> [UInt8] {
        try Quantity.bytes(try await client.call("eth_sendRawTransaction", [Quantity.data(raw)]), "a transaction hash", url: url)
    }

    /// The receipt of a mined transaction; nil while it is pending or unknown.
    public func receipt(_ hash: [UInt8]) async throws(ChainRPCError) -> TransactionReceipt? {
        let receipt = try await client.call("eth_getTransactionReceipt", [Quantity.data(hash)])
        if case .null = receipt { return nil }
        guard case .array(let entries)? = receipt["logs"] else { throw .malformedResponse(url: url, reason: "a receipt without logs") }
        var logs: [EthereumLog] = []
        for entry in entries { logs.append(try log(entry)) }
        let created: EthereumAddress? = switch receipt["contractAddress"] {
        case .string(let text)?: try? EthereumAddress(text)
        default: nil
        }
        return TransactionReceipt(
            transactionHash: try Quantity.bytes(receipt["transactionHash"], "a receipt's transaction hash", url: url),
            blockNumber: try Quantity.uint64(receipt["blockNumber"], "a receipt's block number", url: url),
            succeeded: try Quantity.uint64(receipt["status"], "a receipt's status", url: url) == 1,
            gasUsed: try Quantity.uint64(receipt["gasUsed"], "a receipt's gasUsed", url: url),
            contractAddress: created, logs: logs)
    }

    public func gasPrice() async throws(ChainRPCError) -> BigUInt {
        try Quantity.big(try await client.call("eth_gasPrice"), "eth_gasPrice", url: url)
    }

    public func maxPriorityFeePerGas() async throws(ChainRPCError) -> BigUInt {
        try Quantity.big(try await client.call("eth_maxPriorityFeePerGas"), "eth_maxPriorityFeePerGas", url: url)
    }

    private func log(_ entry: JSONValue) throws(ChainRPCError) -> EthereumLog {
        guard let addressText = entry["address"]?.stringValue, let address = try? EthereumAddress(addressText) else {
            throw .malformedResponse(url: url, reason: "a log without a valid address")
        }
        guard case .array(let topicValues)? = entry["topics"] else { throw .malformedResponse(url: url, reason: "a log without topics") }
        var topics: [[UInt8]] = []
        for topic in topicValues { topics.append(try Quantity.bytes(topic, "a log topic", url: url)) }
        return EthereumLog(
            address: address, topics: topics, data: try Quantity.bytes(entry["data"], "a log's data", url: url),
            blockNumber: try Quantity.uint64(entry["blockNumber"], "a log's block number", url: url),
            blockHash: try Quantity.bytes(entry["blockHash"], "a log's block hash", url: url),
            transactionHash: try Quantity.bytes(entry["transactionHash"], "a log's transaction hash", url: url),
            logIndex: try Quantity.uint64(entry["logIndex"], "a log's index", url: url))
    }
}
