import BigInt
import Foundation
import RakisChain
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// The JSON-RPC client against a real EVM behind standard JSON-RPC (scripts/test-chain.py),
/// with transactions signed by RakisEthereum: deploying the inbox, calling it, reading its logs.
@Suite struct EthereumRPCTests {
    @Test func deploysTheInboxAndReadsARequestBackFromItsLogs() async throws {
        let chain = try await TestChain.start(chainId: 1337)
        defer { chain.stop() }
        let (rpc, chainId) = try await EthereumRPC.connect(url: chain.url, expectedChainId: 1337)
        #expect(chainId == 1337)
        let inbox = try await chain.deployInbox()

        let next = try await rpc.call(to: inbox, data: ABI.selector("nextRequestId()"))
        #expect(try ABI.decode([.uint(bits: 256)], from: next) == [.uint(1)])

        let values = TestChain.requestValues(prompt: "Name a colour.")
        let requested = try await chain.requestInference(inbox: inbox, prompt: "Name a colour.")
        let event = InboxEvents.inferenceRequested
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
        let chain = try await TestChain.start(chainId: 31337)
        defer { chain.stop() }
        let url = chain.url
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
        let inbox = try await chain.deployInbox()
        await #expect {
            _ = try await chain.rpc.call(to: inbox, data: ABI.selector("withdraw()"), from: try NodeWallet(secretKey: testChainKey(3)).address)
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
