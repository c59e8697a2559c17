public import BigInt
import Foundation
public import Logging
public import RakisCore
public import RakisEthereum

/// Sends `fulfill` for chain requests from one wallet on one chain: checks with `eth_call` that
/// nobody fulfilled the request and that the attestations meet the threshold, sends an EIP-1559
/// transaction and follows it to its receipt (`PendingFulfill`: a fee bump when it waits too
/// long, a cancellation once another node's fulfilment landed), recording every transaction in
/// `chain.sqlite`. One reporter per wallet and chain hands out the nonces, so that two reports at
/// once never take the same one.
public actor InboxReporter {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// Another node's fulfilment landed first; nothing was sent.
        case alreadyFulfilled
        /// Fewer attestations than the inbox needs; nothing was sent.
        case belowThreshold(have: Int, need: Int)
        case mined(transactionHash: [UInt8], gasUsed: UInt64)
        /// Mined but reverted (another fulfilment landed in between, say).
        case reverted(transactionHash: [UInt8], gasUsed: UInt64)
        /// Another node's fulfilment landed while this one waited; it was replaced by a
        /// cancellation, which was mined.
        case cancelled(transactionHash: [UInt8], gasUsed: UInt64)

        public var description: String {
            switch self {
            case .alreadyFulfilled: "alreadyFulfilled"
            case .belowThreshold(let have, let need): "belowThreshold (\(have) of \(need) attestations)"
            case .mined(let hash, let gas): "mined 0x\(Hex.encode(hash)) (gas \(gas))"
            case .reverted(let hash, let gas): "reverted 0x\(Hex.encode(hash)) (gas \(gas))"
            case .cancelled(let hash, let gas): "cancelled by 0x\(Hex.encode(hash)) (gas \(gas))"
            }
        }
    }

    public struct Timing: Sendable {
        /// How often a pending transaction's receipt is asked for.
        public var receiptPoll: Duration
        /// How long a transaction may wait for a receipt before it is replaced with higher fees.
        public var bumpAfter: Duration
        /// How long after the first send the reporter stops following (the transaction stays pending).
        public var giveUpAfter: Duration

        public init(receiptPoll: Duration = .seconds(1), bumpAfter: Duration = .seconds(30), giveUpAfter: Duration = .seconds(600)) {
            self.receiptPoll = receiptPoll
            self.bumpAfter = bumpAfter
            self.giveUpAfter = giveUpAfter
        }
    }

    private let sender: TransactionSender
    private let store: ChainWatchStore?
    private let clock: any NodeClock
    private let timing: Timing
    private let logger: Logger
    private var nonces = NonceCounter()
    /// Whether a new transaction is being numbered and sent now, and who waits to be next.
    private var sendingNew = false
    private var waitingToSend: [CheckedContinuation<Void, Never>] = []

    public init(
        rpc: EthereumRPC, chainId: UInt64, wallet: NodeWallet, store: ChainWatchStore? = nil, clock: any NodeClock = SystemClock(),
        timing: Timing = Timing(), logger: Logger
    ) {
        sender = TransactionSender(rpc: rpc, chainId: chainId, wallet: wallet, clock: clock)
        self.store = store
        self.clock = clock
        self.timing = timing
        self.logger = logger
    }

    public func report(
        requestId: String, inbox: EthereumAddress, id: BigUInt, output: String, validInferenceJointHash: [UInt8], attestations: [ChainAttestation]
    ) async throws -> Outcome {
        let rpc = sender.rpc
        if try await isFulfilled(inbox: inbox, id: id) { return .alreadyFulfilled }
        let need = Int(InboxCalls.word(try await rpc.call(to: inbox, data: InboxCalls.threshold(id: id))) ?? 1)
        guard attestations.count >= need else { return .belowThreshold(have: attestations.count, need: need) }
        let data = try InboxCalls.fulfill(id: id, output: output, validInferenceJointHash: validInferenceJointHash, attestations: attestations)
        var transaction = try await sender.prepare(to: inbox, data: data)
        let hash = try await sendNew(&transaction, kind: .fulfill, requestId: requestId)
        logger.info("sent fulfill", metadata: ["requestId": "\(requestId)", "tx": "0x\(Hex.encode(hash))", "nonce": "\(transaction.nonce)"])
        return try await follow(transaction, hash: hash, kind: .fulfill, requestId: requestId, inbox: inbox, id: id)
    }

    /// Sends `slash` with two attestations by one wallet for one request over different answers
    /// (its stake, half of it credited to this wallet); throws the inbox's reason when it refuses
    /// at the estimate (`nothing to slash` once another node's proof landed), with nothing sent.
    public func slash(_ first: ChainAttestation, _ second: ChainAttestation, inbox: EthereumAddress) async throws -> Outcome {
        var transaction = try await sender.prepare(to: inbox, data: try InboxCalls.slash(first, second))
        let hash = try await sendNew(&transaction, kind: .slash, requestId: first.requestId)
        logger.notice("sent slash", metadata: ["requestId": "\(first.requestId)", "wallet": "\(first.address)", "tx": "0x\(Hex.encode(hash))"])
        return try await follow(transaction, hash: hash, kind: .slash, requestId: first.requestId, inbox: inbox, id: 0)
    }

    /// Records the receipts of transactions sent before a restart that have one by now; returns
    /// how many were settled. Those still without one stay pending.
    public func reconcile(_ transactions: [ReportedTransaction]) async throws -> Int {
        var settled = 0
        for transaction in transactions {
            guard let hash = Hex.decode(String(transaction.transactionHash.dropFirst(2))), let receipt = try await sender.rpc.receipt(hash) else { continue }
            try await store?.settle(hash: transaction.transactionHash, succeeded: receipt.succeeded, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber)
            settled += 1
        }
        return settled
    }

    /// Numbers `transaction` with the next nonce and sends it, one new transaction at a time, so
    /// that they reach the node in nonce order: a node that mines each transaction as it comes
    /// (eth-tester, a dev chain) refuses nonce 2 before nonce 1, as some providers do.
    private func sendNew(_ transaction: inout Transaction.EIP1559, kind: PendingFulfill.Kind, requestId: String) async throws -> [UInt8] {
        if sendingNew {
            await withCheckedContinuation { waitingToSend.append($0) }
        }
        sendingNew = true
        defer {
            if waitingToSend.isEmpty { sendingNew = false } else { waitingToSend.removeFirst().resume() }
        }
        transaction.nonce = BigUInt(try await reserveNonce())
        return try await send(transaction, kind: kind, requestId: requestId)
    }

    private func reserveNonce() async throws -> UInt64 {
        let pending = try await sender.rpc.transactionCount(sender.wallet.address)
        return nonces.take(pendingOnChain: pending)
    }

    private func send(_ transaction: Transaction.EIP1559, kind: PendingFulfill.Kind, requestId: String) async throws -> [UInt8] {
        let hash: [UInt8]
        do { hash = try await sender.submit(transaction) } catch {
            nonces.sendFailed()
            throw error
        }
        do {
            try await store?.recordSent(ReportedTransaction(
                transactionHash: "0x" + Hex.encode(hash), requestId: requestId, chainId: sender.chainId, wallet: sender.wallet.address.checksummed,
                nonce: UInt64(transaction.nonce), kind: kind, maxFeePerGas: transaction.maxFeePerGas.description, sentAt: clock.now()))
        } catch {
            logger.error("cannot record a sent transaction", metadata: ["tx": "0x\(Hex.encode(hash))", "error": "\(error)"])
        }
        return hash
    }

    /// Waits for a receipt of any transaction sent at this nonce; replaces the newest when
    /// `PendingFulfill` says so.
    private func follow(
        _ first: Transaction.EIP1559, hash: [UInt8], kind: PendingFulfill.Kind, requestId: String, inbox: EthereumAddress, id: BigUInt
    ) async throws -> Outcome {
        var pending = PendingFulfill(hash: hash, kind: kind, sentAt: clock.now(), bumpAfter: timing.bumpAfter.seconds, giveUpAfter: timing.giveUpAfter.seconds)
        var newest = first
        while true {
            for candidate in pending.hashes {
                guard let receipt = try? await sender.rpc.receipt(candidate) else { continue }
                return try await settle(receipt, pending: pending)
            }
            let now = clock.now()
            if pending.hasExpired(at: now) {
                throw ChainRPCError.timedOut(url: sender.rpc.client.url, seconds: Int(timing.giveUpAfter.seconds))
            }
            if pending.isDueForReplacement(at: now) {
                let fulfilled = pending.kind == .fulfill ? ((try? await isFulfilled(inbox: inbox, id: id)) ?? false) : false
                let replacement = pending.replacement(fulfilledElsewhere: fulfilled)
                let next = replacement == .cancel ? newest.cancellation(sender: sender.wallet.address) : newest.feeBumped
                let kind: PendingFulfill.Kind = replacement == .cancel ? .cancel : pending.kind
                do {
                    let replacing = try await send(next, kind: kind, requestId: requestId)
                    try? await store?.supersede(nonce: UInt64(next.nonce), wallet: sender.wallet.address.checksummed, chainId: sender.chainId, except: "0x" + Hex.encode(replacing))
                    pending.replaced(by: replacing, kind: kind, at: clock.now())
                    newest = next
                    logger.notice(replacement == .cancel ? "cancelled a fulfill: another node's landed" : "raised the fees of a pending fulfill", metadata: [
                        "requestId": "\(requestId)", "tx": "0x\(Hex.encode(replacing))", "maxFeePerGas": "\(next.maxFeePerGas)",
                    ])
                } catch {
                    // Most often one of the sent transactions was mined meanwhile ("nonce too low"):
                    // the next look for receipts finds it.
                    logger.notice("cannot replace a pending fulfill", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
                    pending.replacementFailed(at: clock.now())
                }
            }
            try await clock.sleep(for: timing.receiptPoll)
        }
    }

    private func settle(_ receipt: TransactionReceipt, pending: PendingFulfill) async throws -> Outcome {
        let hash = "0x" + Hex.encode(receipt.transactionHash)
        do {
            try await store?.settle(hash: hash, succeeded: receipt.succeeded, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber)
        } catch {
            logger.error("cannot record a receipt", metadata: ["tx": "\(hash)", "error": "\(error)"])
        }
        if pending.kind(of: receipt.transactionHash) == .cancel { return .cancelled(transactionHash: receipt.transactionHash, gasUsed: receipt.gasUsed) }
        return receipt.succeeded
            ? .mined(transactionHash: receipt.transactionHash, gasUsed: receipt.gasUsed)
            : .reverted(transactionHash: receipt.transactionHash, gasUsed: receipt.gasUsed)
    }

    private func isFulfilled(inbox: EthereumAddress, id: BigUInt) async throws -> Bool {
        InboxCalls.word(try await sender.rpc.call(to: inbox, data: InboxCalls.fulfilled(id: id))) == 1
    }
}
