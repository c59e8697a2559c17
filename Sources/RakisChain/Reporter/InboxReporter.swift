public import BigInt
public import Foundation
public import Logging
public import RakisCore
public import RakisEthereum

/// Sends `fulfill` for a chain request from one wallet: checks with `eth_call` that nobody
/// fulfilled it and that the attestations meet the threshold, then sends an EIP-1559
/// transaction (nonce from the node, gas estimate plus a fifth, fees from the base fee) and
/// follows it to its receipt. One reporter per wallet, so that its nonces never collide.
public actor InboxReporter {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// Another node's fulfilment landed first; nothing was sent.
        case alreadyFulfilled
        /// Fewer attestations than the inbox needs; nothing was sent.
        case belowThreshold(have: Int, need: Int)
        case mined(transactionHash: [UInt8], gasUsed: UInt64)
        /// Mined but reverted (another fulfilment landed in between, say).
        case reverted(transactionHash: [UInt8])

        public var description: String {
            switch self {
            case .alreadyFulfilled: "alreadyFulfilled"
            case .belowThreshold(let have, let need): "belowThreshold (\(have) of \(need) attestations)"
            case .mined(let hash, let gas): "mined 0x\(Hex.encode(hash)) (gas \(gas))"
            case .reverted(let hash): "reverted 0x\(Hex.encode(hash))"
            }
        }
    }

    private let rpc: EthereumRPC
    private let chainId: UInt64
    private let wallet: NodeWallet
    private let clock: any NodeClock
    private let logger: Logger

    public init(rpc: EthereumRPC, chainId: UInt64, wallet: NodeWallet, clock: any NodeClock = SystemClock(), logger: Logger) {
        self.rpc = rpc
        self.chainId = chainId
        self.wallet = wallet
        self.clock = clock
        self.logger = logger
    }

    public func report(
        inbox: EthereumAddress, id: BigUInt, output: String, validInferenceJointHash: [UInt8], attestations: [ChainAttestation],
        receiptTimeout: Duration = .seconds(120)
    ) async throws -> Outcome {
        if InboxCalls.word(try await rpc.call(to: inbox, data: InboxCalls.fulfilled(id: id))) == 1 { return .alreadyFulfilled }
        let need = Int(InboxCalls.word(try await rpc.call(to: inbox, data: InboxCalls.threshold(id: id))) ?? 1)
        guard attestations.count >= need else { return .belowThreshold(have: attestations.count, need: need) }
        let data = try InboxCalls.fulfill(id: id, output: output, validInferenceJointHash: validInferenceJointHash, attestations: attestations)
        let sender = TransactionSender(rpc: rpc, chainId: chainId, wallet: wallet, clock: clock)
        let hash = try await sender.send(to: inbox, data: data)
        logger.info("sent fulfill", metadata: ["inbox": "\(inbox.checksummed)", "id": "\(id)", "tx": "0x\(Hex.encode(hash))"])
        let receipt = try await sender.receipt(of: hash, timeout: receiptTimeout)
        return receipt.succeeded ? .mined(transactionHash: hash, gasUsed: receipt.gasUsed) : .reverted(transactionHash: hash)
    }
}
