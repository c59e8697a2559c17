import Foundation
import RakisCore
import RakisTestSupport
import Testing

/// `rakis run`, `rakis id --nostr` and `rakis devnet` on real transports: a relay on loopback
/// and the direct mesh.
@Suite struct NetworkCommandLineTests {
    let dataDir = RakisProcess.temporaryDataDirectory()

    @Test func runJoinsThroughTheRelayAndAThirdPartySeesItsBootPacket() async throws {
        let relay = try await NostrRelayFixture.start()
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let created = try await RakisProcess.run(["init", "--data-dir", dataDir])
        #expect(created.status == 0, "\(created.stderr)")
        let synthientId = try await RakisProcess.run(["id", "--data-dir", dataDir]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let nostrKey = try await RakisProcess.run(["id", "--data-dir", dataDir, "--nostr"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Hex.isLowercaseHex(nostrKey, byteCount: 32))
        #expect(created.stdout.contains(nostrKey))

        let (process, log) = try await RakisProcess.start(
            ["run", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--relay", url, "--topic", "cli-test", "--no-models"], until: "node started")
        #expect(log.text.contains("subscribed to Nostr relay"), "\(log.text)")

        // pynostr reads the node's boot packet from the relay, signed with the key `rakis id --nostr` shows.
        let read = try await runNostrPeer(["read", url, "2777", "cli-test", nostrKey, "1", "20"])
        let content = try #require(try JSONParser().parse(String(read.split(separator: "\n")[0]))["content"]?.stringValue)
        let envelope = try PacketEnvelope.decode(wire: Array(content.utf8))
        #expect(envelope.synthientId == synthientId)
        _ = try envelope.verify()

        try await RakisProcess.interrupt(process)
        #expect(process.terminationStatus == 0, "\(log.text)")
        #expect(log.text.contains("shut down cleanly"))
    }

    @Test func runWithNoNetworkStaysUpSaysSoJoinsWhenTheRelayAppearsAndCountsAnOutageAsAGap() async throws {
        #expect(try await RakisProcess.run(["init", "--data-dir", dataDir]).status == 0)
        let nostrKey = try await RakisProcess.run(["id", "--data-dir", dataDir, "--nostr"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let relayPort = LLMFixtures.freePort()
        let url = "ws://127.0.0.1:\(relayPort)"
        let (node, log, base) = try await RakisProcess.startNode(dataDir, ["--relay", url, "--topic", "offline-boot"], models: false)
        defer { node.terminate() }
        let down = try await HTTPExchange.send("GET", base + "/api/health")
        #expect(down.json?["status"] as? String == "disconnected", "\(down.text)")
        #expect(down.json?["connected"] as? Bool == false)
        let problem = down.json?["problem"] as? String ?? ""
        #expect(problem.contains("no transport connected") && problem.contains(url), "\(problem)")
        #expect(log.text.contains("no Nostr relay reachable yet"), "\(log.text)")

        // The relay comes up: the node connects on its own, and its boot packet, sent while it
        // was offline, reaches the relay, where a third-party client reads it.
        let relayStarting = Date()
        var relay = try await NostrRelayFixture.startStock(port: relayPort)
        defer { relay.kill() }
        func healthBecomes(_ status: String) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, node.isRunning {
                if try await HTTPExchange.send("GET", base + "/api/health").json?["status"] as? String == status { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }
        #expect(try await healthBecomes("ok"), "\(log.text)")
        // It heard nothing from before its first start until the relay came: the start's gap
        // went on until then, and the log says so.
        func gapEnd(_ health: HTTPExchange) throws -> Date {
            let gap = try #require(health.json?["lastListeningGap"] as? [String: Any], "\(health.text)")
            return try #require((gap["until"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }, "\(gap)")
        }
        let relayUp = Date()
        let heard = try await HTTPExchange.send("GET", base + "/api/health")
        #expect((heard.json?["lastListeningGap"] as? [String: Any])?["from"] == nil, "a first start: \(heard.text)")
        // ISO 8601 in whole seconds: a second's slack either way.
        #expect(try gapEnd(heard) >= relayStarting.addingTimeInterval(-1), "went on until the relay came: \(heard.text)")
        #expect(log.text.contains("no transport reaches anyone") && log.text.contains("a transport reaches others again"), "\(log.text)")
        #expect(try gapEnd(heard) <= relayUp.addingTimeInterval(1))
        let read = try await runNostrPeer(["read", url, "2777", "offline-boot", nostrKey, "1", "20"])
        let content = try #require(try JSONParser().parse(String(read.split(separator: "\n")[0]))["content"]?.stringValue)
        #expect(try PacketEnvelope.decode(wire: Array(content.utf8)).packet.type == .peerStatusUpdate)

        // The relay goes away while the node runs and comes back: that stretch is a gap too.
        let lost = Date()
        relay.kill()
        #expect(try await healthBecomes("disconnected"), "\(log.text)")
        relay = try await NostrRelayFixture.startStock(port: relayPort)
        #expect(try await healthBecomes("ok"), "\(log.text)")
        let outage = try #require(try await HTTPExchange.send("GET", base + "/api/health").json?["lastListeningGap"] as? [String: Any])
        let from = try #require((outage["from"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }, "\(outage)")
        #expect(from >= lost.addingTimeInterval(-1) && from < Date(), "\(outage)")
        let back = try await HTTPExchange.send("GET", base + "/api/health")
        #expect(try gapEnd(back) >= from, "\(outage)")
        try await RakisProcess.interrupt(node)
        #expect(node.terminationStatus == 0, "\(log.text)")
    }

    @Test func onlyMisconfigurationStopsTheStart() async throws {
        #expect(try await RakisProcess.run(["init", "--data-dir", dataDir]).status == 0)
        // A listen address that is taken.
        let taken = try await NostrRelayFixture.startStock()
        defer { taken.kill() }
        let inUse = try await RakisProcess.run(["run", "--data-dir", dataDir, "--no-models", "--no-http", "--no-relays", "--listen", "127.0.0.1:\(taken.port)"])
        #expect(inUse.status != 0)
        #expect(inUse.stderr.contains("cannot start the network") && inUse.stderr.contains("cannot listen on 127.0.0.1:\(taken.port)"), "\(inUse.stderr)")
        for (arguments, message) in [
            (["--relay", "http://example.org"], "ws:// or wss://"),
            (["--peer", "10.0.0.1:7400"], "ws:// or wss://"),
            (["--listen", "7400"], "HOST:PORT"),
            (["--listen", "0.0.0.0:99999"], "HOST:PORT"),
            (["--no-relays"], "--listen or --peer"),
            (["--offline", "--peer", "ws://127.0.0.1:1"], "--offline excludes"),
        ] {
            let bad = try await RakisProcess.run(["run", "--data-dir", dataDir] + arguments)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains(message), "\(arguments): \(bad.stderr)")
        }
    }

    /// Two `rakis run` processes on a relay with nostr-relay's own defaults (4,096 characters of
    /// content) reach consensus, reveals included, as the README shows.
    @Test func twoRunningNodesAgreeThroughAStockRelay() async throws {
        let relay = try await NostrRelayFixture.startStock()
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let second = RakisProcess.temporaryDataDirectory()
        let topic = "stock-\(UUID().uuidString.prefix(8))"
        let (first, firstLog, firstBase) = try await RakisProcess.startNode(dataDir, ["--relay", url, "--topic", topic])
        defer { first.terminate() }
        let (other, otherLog, otherBase) = try await RakisProcess.startNode(second, ["--relay", url, "--topic", topic])
        defer { other.terminate() }
        let submitted = try await RakisProcess.run([
            "submit", "--node", firstBase, "--data-dir", dataDir, "--prompt", "Name a planet.", "--quorum", "2", "--time", "20",
            "--max-tokens", "24", "--wait", "--json",
        ])
        #expect(submitted.status == 0, "\(submitted.stderr)\n\(firstLog.text)\n\(otherLog.text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any], "\(submitted.stdout)")
        #expect(object["status"] as? String == "completed", "\(submitted.stdout)")
        let requestId = try #require(object["requestId"] as? String)
        // The other node agrees, and no relay refused anything.
        let theirs = try await HTTPExchange.send("GET", otherBase + "/api/inferences/" + requestId)
        #expect(theirs.json?["status"] as? String == "completed", "\(theirs.text)")
        for log in [firstLog, otherLog] { #expect(!log.text.contains("refused"), "\(log.text)") }
        try await RakisProcess.interrupt(first)
        try await RakisProcess.interrupt(other)
    }

    @Test func twoRunningNodesFindEachOtherOnTheMesh() async throws {
        let second = RakisProcess.temporaryDataDirectory()
        for directory in [dataDir, second] { #expect(try await RakisProcess.run(["init", "--data-dir", directory]).status == 0) }
        let port = LLMFixtures.freePort()
        let (first, firstLog) = try await RakisProcess.start(["run", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--no-models", "--no-relays", "--listen", "127.0.0.1:\(port)"], until: "node started")
        #expect(firstLog.text.contains("mesh listening"), "\(firstLog.text)")
        let (other, otherLog) = try await RakisProcess.start(
            ["run", "--data-dir", second, "--http", "127.0.0.1:0", "--no-models", "--no-relays", "--listen", "127.0.0.1:0", "--peer", "ws://127.0.0.1:\(port)"], until: "node started")
        #expect(otherLog.text.contains("mesh peer connected"), "\(otherLog.text)")
        // The first node hears the newcomer's boot packet over the mesh.
        let deadline = ContinuousClock.now + .seconds(30)
        while !firstLog.text.contains("mesh peer connected"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try await RakisProcess.interrupt(other)
        try await RakisProcess.interrupt(first)
        #expect(first.terminationStatus == 0 && other.terminationStatus == 0)
        // Its own boot packet, the newcomer's, and whatever peer exchange followed.
        let stored = firstLog.text.split(separator: "packetsStored=").last.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect((stored ?? 0) >= 2, "\(firstLog.text)")
    }

    @Test func devnetReachesConsensusThroughARelay() async throws {
        let relay = try await NostrRelayFixture.start()
        defer { relay.kill() }
        // A window of 30 s: under the whole suite on a slow machine, two nodes once needed more than 8 s to answer.
        let result = try await RakisProcess.run([
            "devnet", "--nodes", "2", "--relay", NostrRelayFixture.url(relay), "--mesh", "--time", "30", "--max-tokens", "8", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("on relays \(NostrRelayFixture.url(relay)) and the mesh on loopback"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["agreed"] as? Bool == true)
    }
}
