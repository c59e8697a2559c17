import BigInt
import Foundation
import Logging
import RakisChain
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// The watcher against the test chain: requests made on chain come out once each, in order,
/// across restarts, confirmations, a node that stops answering, and a start block.
@Suite struct ChainWatcherTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-chain-\(UUID().uuidString)")

    func watcher(_ chain: TestChain, inbox: EthereumAddress, confirmations: UInt64 = 0, maxRange: UInt64 = 2000, startBlock: UInt64 = 0, timeout: Duration = .seconds(10)) throws -> ChainWatcher {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return ChainWatcher(
            configuration: .init(
                name: "test", rpcURL: chain.url, inbox: inbox, confirmations: confirmations, pollInterval: .milliseconds(100), startBlock: startBlock,
                maxRange: maxRange, expectedChainId: chain.chainId),
            store: try ChainWatchStore(directory: directory), timeout: timeout, logger: Logger(label: "rakis.test.chain"))
    }

    @Test func requestsComeOutOnceEachAcrossARestart() async throws {
        let chain = try await TestChain.start(chainId: 1337)
        defer { chain.stop() }
        let inbox = try await chain.deployInbox()
        for n in 1...3 { try await chain.requestInference(inbox: inbox, prompt: "Prompt \(n)") }
        // Ranges of two blocks, so that one pass reads several ranges.
        let first = try watcher(chain, inbox: inbox, maxRange: 2)
        try await first.poll()
        try await first.poll()
        var seen: [ChainInferenceRequest] = []
        for await request in first.requests {
            seen.append(request)
            if seen.count == 3 { break }
        }
        #expect(seen.map(\.prompt) == ["Prompt 1", "Prompt 2", "Prompt 3"], "each once, in chain order, though polled twice")
        let request = try #require(seen.first)
        #expect(request.requestId == "evm:1337:\(inbox.checksummed.lowercased()):1")
        #expect(request.requester == (try NodeWallet(secretKey: testChainKey(2)).address))
        #expect(request.reward == 5 && request.quorum == 3 && request.maxTimeMs == 20000 && request.secPercentageBps == 6000)
        #expect(request.acceptedModels == ["gemma-3-270m-q4_k_m"] && request.embeddingModel == "all-MiniLM-L6-v2@recipe2" && request.maxTokens == 8)
        #expect(try await chain.rpc.block(request.blockNumber)?.timestamp == request.blockTime)

        // A new watcher on the same store (a restarted node) hands on only what came since.
        for n in 4...5 { try await chain.requestInference(inbox: inbox, prompt: "Prompt \(n)") }
        let second = try watcher(chain, inbox: inbox)
        try await second.poll()
        var later: [String] = []
        for await request in second.requests {
            later.append(request.prompt)
            if later.count == 2 { break }
        }
        #expect(later == ["Prompt 4", "Prompt 5"])
        #expect(try await ChainWatchStore(directory: directory).contains(requestId: "evm:1337:\(inbox.checksummed.lowercased()):5"))
    }

    @Test func aRequestWaitsForItsConfirmations() async throws {
        let chain = try await TestChain.start()
        defer { chain.stop() }
        let inbox = try await chain.deployInbox()
        let store = try { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true); return try ChainWatchStore(directory: directory) }()
        let watcher = try watcher(chain, inbox: inbox, confirmations: 2)
        let receipt = try await chain.requestInference(inbox: inbox, prompt: "Deep enough?")
        try await watcher.poll()
        #expect(try await store.cursor(chainId: chain.chainId, inbox: inbox)?.nextBlock ?? 0 <= receipt.blockNumber, "not read before two blocks are on it")
        try await chain.mine(2)
        try await watcher.poll()
        #expect(try await store.cursor(chainId: chain.chainId, inbox: inbox)?.nextBlock == receipt.blockNumber + 1)
        var iterator = watcher.requests.makeAsyncIterator()
        #expect(await iterator.next()?.prompt == "Deep enough?")
    }

    @Test func aNodeThatStopsAnsweringIsCaughtUpWithWhenItIsBack() async throws {
        let chain = try await TestChain.start()
        defer { chain.stop() }
        let inbox = try await chain.deployInbox()
        try await chain.requestInference(inbox: inbox, prompt: "Before")
        let watcher = try watcher(chain, inbox: inbox, timeout: .seconds(1))
        kill(chain.server.process.processIdentifier, SIGSTOP)
        await #expect(throws: ChainRPCError.timedOut(url: chain.url, seconds: 1)) { try await watcher.poll() }
        kill(chain.server.process.processIdentifier, SIGCONT)
        try await chain.requestInference(inbox: inbox, prompt: "After")
        try await watcher.poll()
        var prompts: [String] = []
        for await request in watcher.requests {
            prompts.append(request.prompt)
            if prompts.count == 2 { break }
        }
        #expect(prompts == ["Before", "After"])
    }

    @Test func twoChainsAtOnceKeepTheirOwnCursorsAndIds() async throws {
        let first = try await TestChain.start(chainId: 1337)
        defer { first.stop() }
        let second = try await TestChain.start(chainId: 31337)
        defer { second.stop() }
        let firstInbox = try await first.deployInbox()
        let secondInbox = try await second.deployInbox()
        try await first.requestInference(inbox: firstInbox, prompt: "On the first")
        for n in 1...2 { try await second.requestInference(inbox: secondInbox, prompt: "On the second \(n)") }
        // One store for both, as a node has.
        let a = try watcher(first, inbox: firstInbox), b = try watcher(second, inbox: secondInbox)
        try await a.poll()
        try await b.poll()
        var ids: [String] = []
        for await request in a.requests { ids.append(request.requestId); break }
        for await request in b.requests {
            ids.append(request.requestId)
            if ids.count == 3 { break }
        }
        #expect(ids == [
            "evm:1337:\(firstInbox.checksummed.lowercased()):1", "evm:31337:\(secondInbox.checksummed.lowercased()):1",
            "evm:31337:\(secondInbox.checksummed.lowercased()):2",
        ])
        let store = try ChainWatchStore(directory: directory)
        #expect(try await store.cursor(chainId: 1337, inbox: firstInbox) != store.cursor(chainId: 31337, inbox: secondInbox))
    }

    @Test func aRunningWatcherStoppedMidStreamResumesWithNothingLostOrDoubled() async throws {
        let chain = try await TestChain.start()
        defer { chain.stop() }
        let inbox = try await chain.deployInbox()
        let first = try watcher(chain, inbox: inbox)
        let running = Task { await first.run() }
        try await chain.requestInference(inbox: inbox, prompt: "One")
        var seen: [String] = []
        for await request in first.requests {
            seen.append(request.prompt)
            break
        }
        running.cancel()
        await running.value
        for n in ["Two", "Three"] { try await chain.requestInference(inbox: inbox, prompt: n) }
        let second = try watcher(chain, inbox: inbox)
        let resumed = Task { await second.run() }
        for await request in second.requests {
            seen.append(request.prompt)
            if seen.count == 3 { break }
        }
        resumed.cancel()
        await resumed.value
        #expect(seen == ["One", "Two", "Three"])
    }

    @Test func aWatcherRefusesAnotherChain() async throws {
        let chain = try await TestChain.start(chainId: 5)
        defer { chain.stop() }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let watcher = ChainWatcher(
            configuration: .init(name: "mainnet", rpcURL: chain.url, inbox: try EthereumAddress("0x" + String(repeating: "11", count: 20)), expectedChainId: 1),
            store: try ChainWatchStore(directory: directory), logger: Logger(label: "rakis.test.chain"))
        await #expect(throws: ChainRPCError.wrongChain(url: chain.url, expected: 1, found: 5)) { try await watcher.poll() }
    }
}
