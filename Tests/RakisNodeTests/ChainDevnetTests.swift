import Foundation
import RakisCore
import RakisEthereum
import RakisInference
@testable import RakisNode
import RakisTestSupport
import Testing

/// Layer 5 end to end: three nodes watch an inbox on the test chain (a real EVM behind standard
/// JSON-RPC); a request made on chain is found by each, agreed on by the network under the id
/// every watcher derives, and a peer's invented chain request is refused by the watchers.
@Suite(.serialized) struct ChainDevnetTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-chain-devnet-\(UUID().uuidString)")
    let clock = TestClock()

    @Test func aRequestMadeOnChainReachesConsensusAndAnInventedOneIsRefused() async throws {
        let chain = try await TestChain.start(chainId: 1337)
        defer { chain.stop() }
        let inbox = try await chain.deployInbox()
        try await chain.requestInference(inbox: inbox, prompt: "Name one colour of the sky.", quorum: 3, maxTimeMs: 20000)
        var settings = DevnetTests.settings
        settings.chains = [ChainSetting(name: "test", rpcURL: chain.url, inbox: inbox.checksummed, confirmations: 0, pollMs: 500)]
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, threadsPerLLMWorker: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: settings, clock: clock) { _ in models }
        defer { try? FileManager.default.removeItem(at: root) }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()

        // Node 1 sends a chain request that was never made on chain.
        let invented = "evm:1337:\(inbox.checksummed.lowercased()):2"
        let payload = DevnetTests.payload(quorum: 3, createdAt: clock.now())
        try await devnet.members[0].node.p2p.transmit(.p2pInferenceRequest(P2PInferenceRequest(requestId: invented, payload: payload, createdAt: clock.now())))

        let requestId = "evm:1337:\(inbox.checksummed.lowercased()):1"
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed, "every node completes with the same joint hash and output")
        for node in report.nodes { #expect(node.status == .completed) }
        let stored = try #require(try await devnet.members[2].node.stores.inferences.request(requestId))
        #expect(stored.payload.prompt == "Name one colour of the sky.")
        #expect(stored.payload.fromChain == "evm:1337")
        #expect(stored.payload.securityFrame.secPercentage == 0.6)

        // By now the invented request would have been filed everywhere had it been accepted.
        for index in 1...2 { #expect(try await devnet.members[index].node.stores.inferences.request(invented) == nil, "node \(index + 1)") }
        await devnet.shutdown()
    }
}
