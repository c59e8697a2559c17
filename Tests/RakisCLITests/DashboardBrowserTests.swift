import Foundation
import RakisTestSupport
import Testing

/// The dashboard in a real browser: Debian's Chromium, headless, on a two-node mesh network.
@Suite(.serialized) struct DashboardBrowserTests {
    /// Where the screenshot goes; the README shows it.
    static let screenshot = LLMFixtures.packageRoot.appendingPathComponent("docs/dashboard.png")

    @Test func aPromptSentThroughTheFormReachesConsensusAndTheDetailShowsIt() async throws {
        let first = RakisProcess.temporaryDataDirectory(), second = RakisProcess.temporaryDataDirectory()
        let meshPort = LLMFixtures.freePort()
        // Node B has a wallet bound on a chain: node A's peer table shows the identity it verified.
        for arguments in [["init", "--data-dir", second], ["wallet", "new", "--data-dir", second], ["chain", "bind", "--data-dir", second, "--chain", "Sepolia"]] {
            let step = try await RakisProcess.run(arguments)
            #expect(step.status == 0, "\(arguments): \(step.stderr)")
        }
        let (nodeA, logA, base) = try await RakisProcess.startNode(
            first, ["--no-relays", "--listen", "127.0.0.1:\(meshPort)", "--topic", "dashboard-test"])
        let (nodeB, logB, _) = try await RakisProcess.startNode(
            second, ["--no-relays", "--listen", "127.0.0.1:0", "--peer", "ws://127.0.0.1:\(meshPort)", "--topic", "dashboard-test"])
        // A failed #require below leaves the function early: the nodes still stop.
        defer { for node in [nodeA, nodeB] where node.isRunning { node.terminate() } }
        #expect(await eventually {
            ((try? await HTTPExchange.send("GET", base + "/api/peers").json?["peers"] as? [Any]) ?? []).count >= 1
        }, "node A sees node B")

        try? FileManager.default.removeItem(at: Self.screenshot)
        let python = LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path
        let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/dashboard-browser.py").path
        let result = try await runToEnd(python, [script, base + "/", try RakisProcess.token(first), Self.screenshot.path, "Name one colour of the sky.", "2"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(3000))\nA:\n\(logA.text.suffix(3000))\nB:\n\(logB.text.suffix(2000))")
        let seen = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(seen?["ok"] as? Bool == true)
        #expect((seen?["consensus"] as? String)?.hasPrefix("reached: ") == true)

        // The browser's request is the one both nodes agreed on, as the API tells it.
        let requestId = try #require(seen?["requestId"] as? String)
        let detail = try #require(try await HTTPExchange.send("GET", base + "/api/inferences/\(requestId)").json)
        #expect(((detail["consensus"] as? [String: Any])?["valid"] as? [Any])?.count == 2)
        #expect(((detail["peerResults"] as? [[String: Any]]) ?? []).contains { $0["agreesWithUs"] as? Bool == true }, "\(detail)")

        let png = try Data(contentsOf: Self.screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG screenshot")
        #expect(png.count > 20_000)

        for node in [nodeA, nodeB] { try await RakisProcess.terminate(node) }
        #expect(nodeA.terminationStatus == 0 && nodeB.terminationStatus == 0)
    }
}
