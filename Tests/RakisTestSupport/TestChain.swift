public import BigInt
import Foundation
public import RakisChain
import RakisCore
public import RakisEthereum
import Testing

/// The test chain (scripts/test-chain.py) with the transactions the tests send through it,
/// signed by RakisEthereum from its funded accounts.
public struct TestChain: Sendable {
    public let server: ServerProcess
    public let rpc: EthereumRPC
    public let chainId: UInt64
    public var url: String { server.baseURL.absoluteString }

    public static func start(chainId: UInt64? = nil) async throws -> TestChain {
        let server = try await ServerProcess.evmChain(chainId: chainId)
        do {
            let (rpc, found) = try await EthereumRPC.connect(url: server.baseURL.absoluteString)
            return TestChain(server: server, rpc: rpc, chainId: found)
        } catch {
            server.stop()
            throw error
        }
    }

    public func stop() { server.stop() }

    /// The inbox's creation bytecode as the node deploys it (the committed artifact's, by the compile check).
    public static func inboxBytecode() throws -> [UInt8] {
        try #require(Hex.decode(String(InboxBytecode.creation.dropFirst(2))))
    }

    /// Signs and sends an EIP-1559 transaction from the funded account `key`; returns its receipt.
    public func send(key: UInt8, to: EthereumAddress?, data: [UInt8], value: BigUInt = 0) async throws -> TransactionReceipt {
        let sender = TransactionSender(rpc: rpc, chainId: chainId, wallet: try NodeWallet(secretKey: testChainKey(key)))
        let hash = try await sender.send(to: to, data: data, value: value)
        return try #require(try await rpc.receipt(hash), "the test chain mines every transaction at once")
    }

    public func deployInbox(minStake: BigUInt = BigUInt(10).power(18)) async throws -> EthereumAddress {
        let constructor = try ABI.encode([.uint(minStake), .uint(3600), .uint(600), .uint(1000)], as: Array(repeating: .uint(bits: 256), count: 4))
        let receipt = try await send(key: 1, to: nil, data: try Self.inboxBytecode() + constructor)
        #expect(receipt.succeeded)
        return try #require(receipt.contractAddress)
    }

    public static func requestValues(prompt: String, quorum: Int = 3, maxTimeMs: Int = 20000) -> [ABIValue] {
        [.string(prompt), .array([.string("gemma-3-270m-q4_k_m")]), .uint(BigUInt(quorum)), .uint(BigUInt(maxTimeMs)), .uint(12), .uint(6000),
         .string("all-MiniLM-L6-v2@recipe2"), .uint(8), .uint(0)]
    }

    @discardableResult
    public func requestInference(
        inbox: EthereumAddress, prompt: String, quorum: Int = 3, maxTimeMs: Int = 20000, key: UInt8 = 2, reward: BigUInt = 5
    ) async throws -> TransactionReceipt {
        let receipt = try await send(
            key: key, to: inbox, data: try InboxCalls.requestInference(Self.requestValues(prompt: prompt, quorum: quorum, maxTimeMs: maxTimeMs)), value: reward)
        #expect(receipt.succeeded)
        return receipt
    }

    public func mine(_ blocks: Int) async throws {
        _ = try await rpc.client.call("evm_mine", [.string("0x" + String(blocks, radix: 16))])
    }
}
