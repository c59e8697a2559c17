import BigInt
import Foundation
import RakisChain
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// The JSON-RPC client against a real EVM behind standard JSON-RPC (Tests/Fixtures/evm-rpc.py),
/// with transactions signed by RakisEthereum: deploying the inbox, calling it, reading its logs.
@Suite struct EthereumRPCTests {
    static var inbox: [String: Any] {
        get throws {
            let url = LLMFixtures.packageRoot.appendingPathComponent("contracts/RakisInbox.json")
            return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
    }

    static func bytecode() throws -> [UInt8] {
        let text = try #require(try inbox["bytecode"] as? String)
        return try #require(Hex.decode(String(text.dropFirst(2))))
    }

    /// Signs and sends an EIP-1559 transaction from the funded account `key`, and returns its receipt.
    func send(_ rpc: EthereumRPC, chainId: UInt64, key: UInt8, to: EthereumAddress?, data: [UInt8], value: BigUInt = 0) async throws -> TransactionReceipt {
        let wallet = try NodeWallet(secretKey: testChainKey(key))
        let nonce = try await rpc.transactionCount(wallet.address)
        let gas = try await rpc.estimateGas(from: wallet.address, to: to, data: data, value: value)
        let tip = try await rpc.maxPriorityFeePerGas()
        let fee = try await rpc.gasPrice() * 2 + tip
        let transaction = Transaction.eip1559(.init(
            chainId: BigUInt(chainId), nonce: BigUInt(nonce), maxPriorityFeePerGas: tip, maxFeePerGas: fee, gasLimit: BigUInt(gas * 12 / 10),
            to: to, value: value, data: data))
        let hash = try await rpc.sendRawTransaction(try transaction.signed(with: wallet.secretKey).raw)
        return try #require(try await rpc.receipt(hash), "the test chain mines every transaction at once")
    }

    @Test func deploysTheInboxAndReadsARequestBackFromItsLogs() async throws {
        let chain = try await ServerProcess.evmChain(chainId: 1337)
        defer { chain.stop() }
        let (rpc, chainId) = try await EthereumRPC.connect(url: chain.baseURL.absoluteString, expectedChainId: 1337)
        #expect(chainId == 1337)
        let bytecode = try Self.bytecode()
        let constructor = try ABI.encode([.uint(BigUInt(10).power(18)), .uint(3600), .uint(600), .uint(1000)], as: Array(repeating: .uint(bits: 256), count: 4))
        let deployed = try await send(rpc, chainId: chainId, key: 1, to: nil, data: bytecode + constructor)
        #expect(deployed.succeeded)
        let inbox = try #require(deployed.contractAddress)

        let next = try await rpc.call(to: inbox, data: ABI.selector("nextRequestId()"))
        #expect(try ABI.decode([.uint(bits: 256)], from: next) == [.uint(1)])

        let types: [ABIType] = [.string, .array(.string, length: nil), .uint(bits: 16), .uint(bits: 32), .uint(bits: 16), .uint(bits: 16), .string, .uint(bits: 16), .uint(bits: 16)]
        let values: [ABIValue] = [.string("Name a colour."), .array([.string("gemma-3-270m-q4_k_m")]), .uint(3), .uint(20000), .uint(12), .uint(6000), .string("all-MiniLM-L6-v2"), .uint(8), .uint(0)]
        let signature = "requestInference(" + types.map(\.description).joined(separator: ",") + ")"
        let requested = try await send(rpc, chainId: chainId, key: 2, to: inbox, data: ABI.selector(signature) + ABI.encode(values, as: types), value: 5)
        #expect(requested.succeeded)

        let event = ABIEvent(name: "InferenceRequested", parameters: [
            .init("requestId", .uint(bits: 256), indexed: true), .init("requester", .address, indexed: true), .init("reward", .uint(bits: 256)),
            .init("prompt", .string), .init("acceptedModels", .array(.string, length: nil)), .init("quorum", .uint(bits: 16)),
            .init("maxTimeMs", .uint(bits: 32)), .init("secDistance", .uint(bits: 16)), .init("secPercentageBps", .uint(bits: 16)),
            .init("embeddingModel", .string), .init("maxTokens", .uint(bits: 16)), .init("temperatureMilli", .uint(bits: 16)),
        ])
        let head = try await rpc.blockNumber()
        let logs = try await rpc.logs(address: inbox, topics: [event.topic], from: 0, to: head)
        #expect(logs.count == 1)
        let log = try #require(logs.first)
        #expect(log.blockNumber == requested.blockNumber)
        let decoded = try event.decode(topics: log.topics, data: log.data)
        #expect(decoded[0] == .uint(1))
        #expect(decoded[1] == .address(try NodeWallet(secretKey: testChainKey(2)).address))
        #expect(decoded[2] == .uint(5))
        #expect(decoded[3] == .string("Name a colour."))
        #expect(Array(decoded[5...]) == Array(values[2...]))
        let block = try #require(try await rpc.block(log.blockNumber))
        #expect(block.hash == log.blockHash && block.timestamp > 0)
        #expect(try await rpc.logs(address: inbox, topics: [event.topic], from: head + 1, to: head + 1).isEmpty)
    }

    @Test func refusesANodeOnAnotherChainAndReportsRevertsAndBatches() async throws {
        let chain = try await ServerProcess.evmChain(chainId: 31337)
        defer { chain.stop() }
        let url = chain.baseURL.absoluteString
        await #expect(throws: ChainRPCError.wrongChain(url: url, expected: 1, found: 31337)) {
            _ = try await EthereumRPC.connect(url: url, expectedChainId: 1)
        }
        let client = JSONRPCClient(url: url)
        let answers = try await client.batch([("eth_chainId", []), ("eth_noSuchMethod", []), ("eth_blockNumber", [])])
        #expect(try answers[0].get() == .string("0x7a69"))
        guard case .failure(.rpc(let method, let code, _)) = answers[1] else { Issue.record("got \(answers[1])"); return }
        #expect(method == "eth_noSuchMethod" && code == -32601)
        #expect(try answers[2].get() == .string("0x0"))
        // A call into an account with no code returns nothing; a call that reverts is code 3.
        let (rpc, chainId) = try await EthereumRPC.connect(url: url)
        let bytecode = try Self.bytecode()
        let constructor = try ABI.encode([.uint(1), .uint(1), .uint(1), .uint(1)], as: Array(repeating: .uint(bits: 256), count: 4))
        let inbox = try #require(try await send(rpc, chainId: chainId, key: 1, to: nil, data: bytecode + constructor).contractAddress)
        await #expect {
            _ = try await rpc.call(to: inbox, data: ABI.selector("withdraw()"), from: try NodeWallet(secretKey: testChainKey(3)).address)
        } throws: { error in
            guard case ChainRPCError.rpc(_, 3, let message) = error else { return false }
            return message.contains("nothing to withdraw")
        }
    }

    @Test(arguments: ["garbage", "http500"])
    func aBrokenNodeIsAClearError(mode: String) async throws {
        let chain = try await ServerProcess.evmChain(mode: mode)
        defer { chain.stop() }
        let url = chain.baseURL.absoluteString
        let error = await #expect(throws: ChainRPCError.self) { _ = try await EthereumRPC.connect(url: url) }
        switch (mode, error) {
        case ("garbage", .malformedResponse(_, let reason)?): #expect(reason.contains("not JSON"))
        case ("http500", .httpStatus(_, 500, let body)?): #expect(body == "internal error")
        default: Issue.record("\(mode): \(String(describing: error))")
        }
    }

    @Test func aNodeThatIsDownIsUnreachable() async throws {
        let url = "http://127.0.0.1:\(LLMFixtures.freePort())"
        let error = await #expect(throws: ChainRPCError.self) { _ = try await EthereumRPC.connect(url: url, timeout: .seconds(3)) }
        guard case .unreachable(let where_, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(where_ == url)
        #expect(error?.description.contains("is it running") == true)
    }
}
