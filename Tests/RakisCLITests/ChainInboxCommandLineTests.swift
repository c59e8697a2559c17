import Foundation
import RakisTestSupport
import Testing

/// `rakis chain deploy|register|request|status|withdraw` against the test chain, with the node's
/// wallet (the test chain's funded key 3, imported).
@Suite struct ChainInboxCommandLineTests {
    let dataDir = RakisProcess.temporaryDataDirectory()

    @Test func anOperatorDeploysRegistersRequestsAndReadsTheInbox() async throws {
        let chain = try await TestChain.start(chainId: 1337)
        defer { chain.stop() }
        #expect(try await RakisProcess.run(["init", "--data-dir", dataDir]).status == 0)
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-key-\(UUID().uuidString)")
        try Data((String(repeating: "0", count: 63) + "3").utf8).write(to: keyFile)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        #expect(try await RakisProcess.run(["wallet", "import", "--data-dir", dataDir, "--key-file", keyFile.path]).status == 0)

        let deployed = try await RakisProcess.run(["chain", "deploy", "--data-dir", dataDir, "--rpc", chain.url, "--min-stake", "1ether"])
        #expect(deployed.status == 0, "\(deployed.stderr)")
        let inbox = try #require(deployed.stdout.split(separator: "\n").last.map(String.init))
        #expect(inbox.hasPrefix("0x") && inbox.count == 42, "\(deployed.stdout)")

        let registered = try await RakisProcess.run(["chain", "register", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox, "--stake", "1ether"])
        #expect(registered.status == 0 && registered.stdout.hasPrefix("registered: transaction 0x"), "\(registered.stdout)\(registered.stderr)")
        let tooLittle = try await RakisProcess.run(["chain", "register", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox, "--stake", "0.1ether"])
        #expect(tooLittle.status == 0, "topping up a bonded stake is allowed: \(tooLittle.stderr)")

        let requested = try await RakisProcess.run([
            "chain", "request", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox, "--prompt", "Name a planet.", "--reward", "0.001ether",
            "--quorum", "1", "--time", "30",
        ])
        #expect(requested.status == 0, "\(requested.stderr)")
        #expect(requested.stdout.contains("evm:1337:\(inbox.lowercased()):1"), "\(requested.stdout)")

        let status = try await RakisProcess.run(["chain", "status", "--rpc", chain.url, "--inbox", inbox, "evm:1337:\(inbox.lowercased()):1"])
        #expect(status.status == 0 && status.stdout.contains("status     open") && status.stdout.contains("reward     1000000000000000 wei"), "\(status.stdout)\(status.stderr)")

        let nothing = try await RakisProcess.run(["chain", "withdraw", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox])
        #expect(nothing.status != 0 && nothing.stderr.contains("nothing to withdraw"), "the contract's reason: \(nothing.stderr)")

        // Nobody answers: once the window and the fulfilment window (an hour) have passed, anyone
        // may refund it, and the requester withdraws the reward.
        let early = try await RakisProcess.run(["chain", "refund", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox, "1"])
        #expect(early.status != 0 && early.stderr.contains("not expired yet"), "\(early.stderr)")
        _ = try await chain.rpc.client.call("evm_increaseTime", [.number(3700)])
        try await chain.mine(1)
        let refunded = try await RakisProcess.run(["chain", "refund", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox, "1"])
        #expect(refunded.status == 0 && refunded.stdout.hasPrefix("refunded: transaction 0x"), "\(refunded.stdout)\(refunded.stderr)")
        let after = try await RakisProcess.run(["chain", "status", "--rpc", chain.url, "--inbox", inbox, "1"])
        #expect(after.stdout.contains("status     refunded"), "\(after.stdout)")
        let withdrawn = try await RakisProcess.run(["chain", "withdraw", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox])
        #expect(withdrawn.status == 0 && withdrawn.stdout.hasPrefix("withdrawn: transaction 0x"), "the refund is the requester's: \(withdrawn.stderr)")
        let wrongChain = try await RakisProcess.run(["chain", "status", "--rpc", chain.url, "--chain-id", "1", "--inbox", inbox, "1"])
        #expect(wrongChain.status != 0 && wrongChain.stderr.contains("is on chain id 1337, not 1"), "\(wrongChain.stderr)")
        let badAmount = try await RakisProcess.run(["chain", "register", "--data-dir", dataDir, "--rpc", chain.url, "--inbox", inbox, "--stake", "lots"])
        #expect(badAmount.status != 0 && badAmount.stderr.contains("is not an amount"), "\(badAmount.stderr)")
    }
}
