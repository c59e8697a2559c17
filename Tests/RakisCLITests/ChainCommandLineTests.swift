import Foundation
import RakisTestSupport
import Testing

/// `rakis run --chain`: the binary watches an inbox on a chain that speaks only standard
/// JSON-RPC (the test chain) and takes the requests made there.
@Suite struct ChainCommandLineTests {
    let dataDir = RakisProcess.temporaryDataDirectory()

    @Test func runWatchesAnInboxAndFilesTheRequestsMadeThere() async throws {
        let chain = try await TestChain.start(chainId: 1337)
        defer { chain.stop() }
        let inbox = try await chain.deployInbox()
        try await chain.requestInference(inbox: inbox, prompt: "Made on chain.", maxTimeMs: 600_000)
        let (process, log, base) = try await RakisProcess.startNode(
            dataDir, ["--offline", "--chain", "test=\(chain.url)@\(inbox.checksummed)"], models: false)
        let requestId = "evm:1337:\(inbox.checksummed.lowercased()):1"
        // Two confirmations by default: the request is taken once two blocks are on top of it.
        try await Task.sleep(for: .seconds(3))
        #expect(!log.text.contains("inference request on chain"), "not before its confirmations")
        try await chain.mine(2)
        #expect(await eventually { log.text.contains("inference request on chain") && log.text.contains(requestId) }, "\(log.text.suffix(3000))")
        // Found (logged) first, then filed.
        let path = base + "/api/inferences/\(requestId)"
        #expect(await eventually { (try? await HTTPExchange.send("GET", path).status) == 200 })
        let detail = try await HTTPExchange.send("GET", path)
        #expect(detail.status == 200, "\(detail.text)")
        #expect((detail.json?["request"] as? [String: Any])?["prompt"] as? String == "Made on chain.", "\(detail.text)")
        #expect((detail.json?["chainAttestations"] as? [Any])?.isEmpty == true, "none before a consensus: \(detail.text)")
        try await RakisProcess.terminate(process)
        #expect(process.terminationStatus == 0, "\(log.text.suffix(2000))")
    }

    @Test func aNodeOnAnotherChainThanTheConfiguredIdIsRefusedAtStart() async throws {
        let chain = try await TestChain.start(chainId: 1337)
        defer { chain.stop() }
        #expect(try await RakisProcess.run(["init", "--data-dir", dataDir]).status == 0)
        let inbox = "0x" + String(repeating: "12", count: 20)
        let chains = #"[{"name": "mainnet", "rpcURL": "\#(chain.url)", "inbox": "\#(inbox)", "chainId": 1}]"#
        let result = try await RakisProcess.run(["run", "--data-dir", dataDir, "--offline", "--set", "chains=\(chains)"])
        #expect(result.status != 0, "\(result.stderr.suffix(1000))")
        #expect(result.stderr.contains("cannot watch chain mainnet") && result.stderr.contains("is on chain id 1337, not 1"), "\(result.stderr.suffix(1000))")
    }

    @Test func aChainNodeThatIsDownLeavesTheNodeRunningAndSaysSo() async throws {
        let port = LLMFixtures.freePort()
        let inbox = "0x" + String(repeating: "12", count: 20)
        let (process, log, base) = try await RakisProcess.startNode(dataDir, ["--offline", "--chain", "down=http://127.0.0.1:\(port)@\(inbox)"], models: false)
        #expect(await eventually { log.text.contains("cannot read the chain; retrying") }, "\(log.text.suffix(2000))")
        #expect(log.text.contains("is it running"), "the reason says what to check")
        #expect(try await HTTPExchange.send("GET", base + "/api/health").status == 200)
        try await RakisProcess.terminate(process)
        #expect(process.terminationStatus == 0)
    }
}
