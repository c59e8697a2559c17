import Foundation
import RakisCore
import RakisTestSupport
import Testing

/// `rakis wallet` and `rakis chain bind`, and a running peer that keeps the identity it verified.
@Suite struct WalletCommandLineTests {
    let dataDir = RakisProcess.temporaryDataDirectory()

    func keyFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-key-\(UUID().uuidString)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func walletKeysAreCheckedAndNothingIsOverwrittenOnAnError() async throws {
        #expect(try await RakisProcess.run(["init", "--data-dir", dataDir]).status == 0)
        let keyPath = dataDir + "/identity.key"
        let none = try await RakisProcess.run(["wallet", "address", "--data-dir", dataDir])
        #expect(none.status != 0 && none.stderr.contains("no wallet"), "\(none.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        for (key, message) in [
            ("not a key", "64 hex digits"),
            (String(repeating: "0", count: 64), "zero"),
            ("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "group order"),
            ("0x" + String(repeating: "1", count: 62), "64 hex digits"),
        ] {
            let result = try await RakisProcess.run(["wallet", "import", "--data-dir", dataDir, "--key-file", try keyFile(key)])
            #expect(result.status != 0 && result.stderr.contains(message), "\(key): \(result.stderr)")
        }
        let wrongPassword = try await RakisProcess.run(
            ["wallet", "import", "--data-dir", dataDir, "--key-file", try keyFile(String(repeating: "1", count: 64))], password: "wrong password!")
        #expect(wrongPassword.status != 0 && wrongPassword.stderr.contains("password"), "\(wrongPassword.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) == before, "a failed import changed the key file")

        // The same key eth-account made its vectors with gives the same address.
        let vectors = try JSONSerialization.jsonObject(with: Data(contentsOf: LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/ethereum-vectors.json"))) as? [String: Any]
        let personal = try #require((vectors?["personal"] as? [[String: Any]])?.first)
        let key = try #require(personal["secretKey"] as? String), address = try #require(personal["address"] as? String)
        let imported = try await RakisProcess.run(["wallet", "import", "--data-dir", dataDir, "--key-file", try keyFile("0x" + key + "\n")])
        #expect(imported.status == 0 && imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == address, "\(imported.stderr)")
        let again = try await RakisProcess.run(["wallet", "new", "--data-dir", dataDir])
        #expect(again.status != 0 && again.stderr.contains("--replace"))
        let shown = try await RakisProcess.run(["wallet", "address", "--data-dir", dataDir])
        #expect(shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == address)
        let replaced = try await RakisProcess.run(["wallet", "new", "--data-dir", dataDir, "--replace"])
        #expect(replaced.status == 0 && replaced.stdout.hasPrefix("0x") && !replaced.stdout.contains(address))
    }

    @Test func aBoundIdentityVerifiesElsewhereAndAPeerKeepsIt() async throws {
        let second = RakisProcess.temporaryDataDirectory()
        for directory in [dataDir, second] { #expect(try await RakisProcess.run(["init", "--data-dir", directory]).status == 0) }
        #expect(try await RakisProcess.run(["wallet", "new", "--data-dir", dataDir]).status == 0)
        let bound = try await RakisProcess.run(["chain", "bind", "--data-dir", dataDir, "--chain", "Sepolia", "--signed-with", "MetaMask"])
        #expect(bound.status == 0, "\(bound.stderr)")
        let identity = try #require(try JSONSerialization.jsonObject(with: Data(bound.stdout.utf8)) as? [String: String])
        let synthientId = try await RakisProcess.run(["id", "--data-dir", dataDir]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // eth-account recovers the same address from the signature over the synthientId's text.
        let signature = try #require(identity["synthientIdSignature"]), address = try #require(identity["address"])
        let verdict = try await EthereumReference.check([
            "personal": [["message": Hex.encode(Array(synthientId.utf8)), "signature": String(signature.dropFirst(2)), "address": address]],
        ])
        #expect(verdict.status == 0, "\(verdict.stdout)\(verdict.stderr)")

        // A running node announces it; its peer keeps it, and serves it.
        let port = LLMFixtures.freePort()
        let (first, firstLog, _) = try await RakisProcess.startNode(dataDir, ["--no-relays", "--listen", "127.0.0.1:\(port)"], models: false)
        defer { first.terminate() }
        let (other, _, otherBase) = try await RakisProcess.startNode(second, ["--no-relays", "--peer", "ws://127.0.0.1:\(port)"], models: false)
        defer { other.terminate() }
        #expect(firstLog.text.contains("announced chain identities"), "\(firstLog.text)")
        var kept: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while kept.isEmpty, ContinuousClock.now < deadline {
            let peers = try await HTTPExchange.send("GET", otherBase + "/api/peers").json?["peers"] as? [[String: Any]] ?? []
            kept = peers.first { $0["synthientId"] as? String == synthientId }?["chainIdentities"] as? [[String: Any]] ?? []
            if kept.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(kept.count == 1 && kept.first?["address"] as? String == address && kept.first?["chain"] as? String == "Sepolia")

        // Bound on another chain while the node runs: announced at once, and kept.
        #expect(try await RakisProcess.run(["chain", "bind", "--data-dir", dataDir, "--chain", "Holesky"]).status == 0)
        let later = ContinuousClock.now + .seconds(30)
        while kept.count < 2, ContinuousClock.now < later {
            let peers = try await HTTPExchange.send("GET", otherBase + "/api/peers").json?["peers"] as? [[String: Any]] ?? []
            kept = peers.first { $0["synthientId"] as? String == synthientId }?["chainIdentities"] as? [[String: Any]] ?? []
            if kept.count < 2 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(Set(kept.compactMap { $0["chain"] as? String }) == ["Sepolia", "Holesky"], "\(firstLog.text)")
        try await RakisProcess.interrupt(first)
        try await RakisProcess.interrupt(other)
    }
}
