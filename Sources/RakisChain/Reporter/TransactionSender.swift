public import BigInt
import Foundation
public import RakisCore
public import RakisEthereum

/// Sends EIP-1559 transactions from one wallet and follows each to its receipt: the nonce from
/// the node (pending included), the gas estimate plus a fifth, twice the base fee plus the tip
/// the node suggests. A call that would revert fails at the estimate, with the contract's reason.
public struct TransactionSender: Sendable {
    public let rpc: EthereumRPC
    public let chainId: UInt64
    public let wallet: NodeWallet
    let clock: any NodeClock

    public init(rpc: EthereumRPC, chainId: UInt64, wallet: NodeWallet, clock: any NodeClock = SystemClock()) {
        self.rpc = rpc
        self.chainId = chainId
        self.wallet = wallet
        self.clock = clock
    }

    /// Sends `data` to `to` (nil: a contract creation) with `value`; returns the hash as soon as
    /// the node took it.
    public func send(to: EthereumAddress?, data: [UInt8], value: BigUInt = 0) async throws -> [UInt8] {
        var transaction = try await prepare(to: to, data: data, value: value)
        transaction.nonce = BigUInt(try await rpc.transactionCount(wallet.address))
        return try await submit(transaction)
    }

    /// The transaction with its gas and fees, nonce 0: the caller sets the nonce. Fails with the
    /// contract's reason when the call would revert.
    public func prepare(to: EthereumAddress?, data: [UInt8], value: BigUInt = 0) async throws(ChainRPCError) -> Transaction.EIP1559 {
        let gas = try await rpc.estimateGas(from: wallet.address, to: to, data: data, value: value)
        let tip = try await rpc.maxPriorityFeePerGas()
        var baseFee = try await rpc.block(try await rpc.blockNumber())?.baseFeePerGas
        if baseFee == nil { baseFee = try await rpc.gasPrice() }
        return Transaction.EIP1559(
            chainId: BigUInt(chainId), nonce: 0, maxPriorityFeePerGas: tip, maxFeePerGas: (baseFee ?? 0) * 2 + tip,
            gasLimit: BigUInt(gas + gas / 5), to: to, value: value, data: data)
    }

    /// Signs and sends `transaction`; returns its hash.
    public func submit(_ transaction: Transaction.EIP1559) async throws -> [UInt8] {
        try await rpc.sendRawTransaction(try Transaction.eip1559(transaction).signed(with: wallet.secretKey).raw)
    }

    /// The receipt of `hash`, asked for every second until it is mined or `timeout` passed.
    public func receipt(of hash: [UInt8], timeout: Duration = .seconds(120)) async throws -> TransactionReceipt {
        let deadline = clock.now().addingTimeInterval(timeout.seconds)
        while true {
            if let receipt = try await rpc.receipt(hash) { return receipt }
            guard clock.now() < deadline else { throw ChainRPCError.timedOut(url: rpc.client.url, seconds: Int(timeout.seconds)) }
            try await clock.sleep(for: .seconds(1))
        }
    }
}

extension Transaction.EIP1559 {
    /// The same transaction with both fees raised by an eighth (rounded up): more than the tenth
    /// that geth and most nodes require before they replace a pending transaction of one nonce.
    public var feeBumped: Transaction.EIP1559 {
        var bumped = self
        bumped.maxPriorityFeePerGas = (maxPriorityFeePerGas * 9 + 7) / 8
        bumped.maxFeePerGas = (maxFeePerGas * 9 + 7) / 8
        return bumped
    }

    /// A transaction that takes this one's nonce and does nothing (a plain transfer of 0 to
    /// `sender`), with bumped fees: sent when this one is no longer worth mining.
    public func cancellation(sender: EthereumAddress) -> Transaction.EIP1559 {
        var cancel = feeBumped
        cancel.to = sender
        cancel.value = 0
        cancel.data = []
        cancel.gasLimit = 21000
        cancel.accessList = []
        return cancel
    }
}
