import Foundation
import RakisTestSupport
import Testing

/// `rakis devnet --chain`: the README's demo of layer 5, and the test chain it starts, which
/// never outlives it.
@Suite struct DevnetChainCommandLineTests {
    @Test func aRequestMadeOnChainIsAgreedOnAndFulfilledOnChain() async throws {
        // 40 s: under the whole suite on a slow machine, one of three nodes once missed a 20-s window.
        let result = try await RakisProcess.run(["devnet", "--chain", "--nodes", "3", "--time", "40", "--max-tokens", "8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("test chain (eth-tester on py-evm)") && result.stderr.contains("registered 3 node wallets"), "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let requests = try #require(object["requests"] as? [[String: Any]])
        let request = try #require(requests.first)
        #expect((request["requestId"] as? String)?.hasPrefix("evm:1337:") == true)
        #expect(request["agreed"] as? Bool == true)
        let fulfilment = try #require(request["fulfilment"] as? [String: Any])
        #expect(fulfilment["matchesConsensus"] as? Bool == true, "the inbox stored the network's output and joint hash")
        #expect((fulfilment["signers"] as? Int ?? 0) >= 2 && (fulfilment["gasUsed"] as? Int ?? 0) > 100_000)
        // The signers and the reporter share the 0.01 ether reward, to the wei.
        let credits = try #require(object["credits"] as? [[String: Any]])
        let total = credits.compactMap { ($0["wei"] as? String).flatMap { UInt64($0) } }.reduce(0, +)
        #expect(credits.count == 3 && total == 10_000_000_000_000_000, "\(credits)")
    }

    @Test func aKilledDevnetTakesItsTestChainWithIt() async throws {
        let (process, log) = try await RakisProcess.start(["devnet", "--chain", "--nodes", "1", "--time", "30"], until: "made on chain")
        #expect(process.isRunning && log.text.contains("made on chain"), "\(log.text)")
        let children = try await runToEnd("/usr/bin/pgrep", ["-P", "\(process.processIdentifier)", "-f", "test-chain.py"])
        let chain = try #require(Int32(children.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "the chain runs as a child: \(children.stdout)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(await eventually { kill(chain, 0) != 0 }, "the test chain ends once its parent is gone")
    }
}
