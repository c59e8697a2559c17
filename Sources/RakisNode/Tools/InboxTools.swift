public import BigInt
import Foundation
import RakisChain
public import RakisCore
public import RakisEthereum

/// `rakis chain deploy|register|request|status|withdraw`: the inbox contract from the command
/// line, for operators and dApp developers, through the chain's standard JSON-RPC.
public struct InboxTools: Sendable {
    /// A mined transaction, as the command line prints it.
    public struct Mined: Sendable {
        public let transactionHash: String
        public let blockNumber: UInt64
        public let gasUsed: UInt64
    }

    /// A request as the inbox stores it.
    public struct RequestState: Sendable {
        public let requester: String
        /// In wei.
        public let reward: String
        public let fulfilled: Bool
        public let refunded: Bool
        public let outputHash: String
        public let validInferenceJointHash: String
    }

    /// A request's `InferenceFulfilled` log, with the transaction's receipt.
    public struct Fulfilment: Sendable {
        public let reporter: String
        public let signers: Int
        public let outputHash: String
        public let validInferenceJointHash: String
        public let output: String
        public let mined: Mined
    }

    let rpc: EthereumRPC
    public let chainId: UInt64

    /// Connects to the chain's node at `rpcURL` (refusing one on another chain than `chainId`, when given).
    public static func connect(rpcURL: String, chainId: UInt64? = nil) async throws -> InboxTools {
        let (rpc, found) = try await EthereumRPC.connect(url: rpcURL, expectedChainId: chainId)
        return InboxTools(rpc: rpc, chainId: found)
    }

    /// An amount of wei from the command line: decimal wei, or ether with the suffix `ether` (`0.5ether`).
    public static func wei(_ text: String) throws -> BigUInt {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.hasSuffix("ether") {
            let number = trimmed.dropLast(5)
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let whole = BigUInt(parts[0].isEmpty ? "0" : String(parts[0])), parts.count == 1 || (parts[1].count <= 18 && BigUInt(String(parts[1])) != nil)
            else { throw ChainToolError("\(text.debugDescription) is not an amount (wei, or ether as 0.5ether)") }
            let fraction = parts.count == 2 ? String(parts[1]).padding(toLength: 18, withPad: "0", startingAt: 0) : "0"
            return whole * BigUInt(10).power(18) + (BigUInt(fraction) ?? 0)
        }
        guard let amount = BigUInt(trimmed) else { throw ChainToolError("\(text.debugDescription) is not an amount (wei, or ether as 0.5ether)") }
        return amount
    }

    /// The inbox's number for a request: the number itself, or the last part of its `evm:` id.
    static func requestNumber(_ text: String) throws -> BigUInt {
        guard let number = BigUInt(text.split(separator: ":").last.map(String.init) ?? text) else {
            throw ChainToolError("\(text.debugDescription) is not a request number")
        }
        return number
    }

    public func deploy(from wallet: NodeWallet, minStake: String, unbondingSeconds: Int, fulfilmentWindowSeconds: Int, reporterShareBps: Int) async throws -> (inbox: String, Mined) {
        let minStake = try Self.wei(minStake)
        let unbondingSeconds = BigUInt(unbondingSeconds), fulfilmentWindowSeconds = BigUInt(fulfilmentWindowSeconds), reporterShareBps = BigUInt(reporterShareBps)
        guard let bytecode = Hex.decode(String(InboxBytecode.creation.dropFirst(2))) else { throw ChainToolError("the built-in inbox bytecode is not hex") }
        let constructor = try ABI.encode([.uint(minStake), .uint(unbondingSeconds), .uint(fulfilmentWindowSeconds), .uint(reporterShareBps)],
                                         as: Array(repeating: .uint(bits: 256), count: 4))
        let receipt = try await mined(from: wallet, to: nil, data: bytecode + constructor)
        guard let inbox = receipt.1 else { throw ChainToolError("the deployment was mined without a contract address") }
        return (inbox.checksummed, receipt.0)
    }

    public func register(inbox: String, from wallet: NodeWallet, synthientId: String, stake: String) async throws -> Mined {
        let stake = try Self.wei(stake)
        guard let id = Hex.decode(synthientId), id.count == 32 else { throw ChainToolError("the synthientId is not 64 hex digits") }
        return try await mined(from: wallet, to: try EthereumAddress(inbox), data: ABI.selector("register(bytes32)") + id, value: stake).0
    }

    /// Makes a request with `payload`'s prompt, models and security frame; returns the network's id for it.
    public func request(inbox: String, from wallet: NodeWallet, payload: InferenceRequestPayload, reward: String) async throws -> (requestId: String, Mined) {
        let reward = try Self.wei(reward)
        let address = try EthereumAddress(inbox)
        let frame = payload.securityFrame
        let values: [ABIValue] = [
            .string(payload.prompt), .array(payload.acceptedModels.map(ABIValue.string)), .uint(BigUInt(frame.quorum)), .uint(BigUInt(frame.maxTimeMs)),
            .uint(BigUInt(Int(frame.secDistance))), .uint(BigUInt(Int((frame.secPercentage * 10000).rounded()))), .string(frame.embeddingModel),
            .uint(BigUInt(payload.maxTokens)), .uint(BigUInt(Int((payload.temperature * 1000).rounded()))),
        ]
        let (mined, _, logs) = try await minedWithLogs(from: wallet, to: address, data: try InboxCalls.requestInference(values), value: reward)
        guard let log = logs.first(where: { $0.topics.first == InboxEvents.inferenceRequested.topic }), log.topics.count > 1 else {
            throw ChainToolError("the request was mined without an InferenceRequested log")
        }
        return ("evm:\(chainId):\(address.checksummed.lowercased()):\(BigUInt(Data(log.topics[1])))", mined)
    }

    /// The inbox's record of request `id` (its number in the inbox, or the network's `evm:` id).
    public func status(inbox: String, id text: String) async throws -> RequestState {
        let id = try Self.requestNumber(text)
        let data = try await rpc.call(to: try EthereumAddress(inbox), data: ABI.selector("requests(uint256)") + ABI.encode([.uint(id)], as: [.uint(bits: 256)]))
        let fields = try ABI.decode([.address, .uint(bits: 256), .uint(bits: 256), .uint(bits: 256), .uint(bits: 256), .bool, .bool, .fixedBytes(32), .fixedBytes(32)], from: data)
        guard case .address(let requester) = fields[0], case .uint(let reward) = fields[1], case .bool(let fulfilled) = fields[5],
              case .bool(let refunded) = fields[6], case .fixedBytes(let output) = fields[7], case .fixedBytes(let joint) = fields[8] else {
            throw ChainToolError("the inbox answered requests(\(id)) with unexpected fields")
        }
        guard requester.bytes != [UInt8](repeating: 0, count: 20) else { throw ChainToolError("the inbox has no request \(id)") }
        return RequestState(
            requester: requester.checksummed, reward: String(reward), fulfilled: fulfilled, refunded: refunded, outputHash: "0x" + Hex.encode(output),
            validInferenceJointHash: "0x" + Hex.encode(joint))
    }

    /// How the request `id` was fulfilled, from its `InferenceFulfilled` log; nil while it is not.
    /// `fromBlock`: the block the request was made in (nothing before it can fulfil it).
    public func fulfilment(inbox: String, id: String, fromBlock: UInt64 = 0) async throws -> Fulfilment? {
        let number = try Self.requestNumber(id)
        let event = InboxEvents.inferenceFulfilled
        let topic = try ABI.encode([.uint(number)], as: [.uint(bits: 256)])
        let logs = try await rpc.logs(address: try EthereumAddress(inbox), topics: [event.topic, topic], from: fromBlock, to: try await rpc.blockNumber())
        guard let log = logs.last else { return nil }
        let (found, output) = try InboxEvents.fulfilmentAndOutput(from: log, chainId: chainId)
        guard let receipt = try await rpc.receipt(log.transactionHash) else { return nil }
        return Fulfilment(
            reporter: found.reporter, signers: found.signers, outputHash: found.outputHash, validInferenceJointHash: found.validInferenceJointHash,
            output: output, mined: Mined(transactionHash: found.transactionHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed))
    }

    /// What `address` may withdraw from the inbox (rewards, refunds, bounties), in wei.
    public func credit(inbox: String, address: String) async throws -> String {
        let data = try await rpc.call(
            to: try EthereumAddress(inbox), data: ABI.selector("credits(address)") + ABI.encode([.address(try EthereumAddress(address))], as: [.address]))
        return (InboxCalls.word(data) ?? 0).description
    }

    /// Sends `amount` to `to` (a plain transfer, to fund a node's wallet).
    public func transfer(from wallet: NodeWallet, to: String, amount: String) async throws -> Mined {
        try await mined(from: wallet, to: try EthereumAddress(to), data: [], value: try Self.wei(amount)).0
    }

    /// Returns an unfulfilled request's reward to its requester (as a credit), once its
    /// fulfilment window has passed; anyone may send it.
    public func refund(inbox: String, from wallet: NodeWallet, id: String) async throws -> Mined {
        let number = try Self.requestNumber(id)
        return try await mined(from: wallet, to: try EthereumAddress(inbox), data: ABI.selector("refund(uint256)") + ABI.encode([.uint(number)], as: [.uint(bits: 256)])).0
    }

    public func withdraw(inbox: String, from wallet: NodeWallet) async throws -> Mined {
        try await mined(from: wallet, to: try EthereumAddress(inbox), data: ABI.selector("withdraw()")).0
    }

    private func mined(from wallet: NodeWallet, to: EthereumAddress?, data: [UInt8], value: BigUInt = 0) async throws -> (Mined, EthereumAddress?) {
        let (mined, created, _) = try await minedWithLogs(from: wallet, to: to, data: data, value: value)
        return (mined, created)
    }

    private func minedWithLogs(from wallet: NodeWallet, to: EthereumAddress?, data: [UInt8], value: BigUInt) async throws -> (Mined, EthereumAddress?, [EthereumLog]) {
        let sender = TransactionSender(rpc: rpc, chainId: chainId, wallet: wallet)
        let receipt = try await sender.receipt(of: try await sender.send(to: to, data: data, value: value))
        guard receipt.succeeded else { throw ChainToolError("the transaction 0x\(Hex.encode(receipt.transactionHash)) was mined but reverted") }
        return (Mined(transactionHash: "0x" + Hex.encode(receipt.transactionHash), blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed),
                receipt.contractAddress, receipt.logs)
    }
}

public struct ChainToolError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
