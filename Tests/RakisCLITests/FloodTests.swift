import Foundation
import RakisCore
import RakisMesh
import RakisTestSupport
import Testing

/// Three `rakis run` nodes on a stock relay and the mesh, flooded with valid but useless packets
/// from many identities, over the mesh (as many connections as node 0 lets one address hold, each
/// under the node's rate) and through the relay. Disk and memory stay bounded (the packet store,
/// the peer table, orphan quorums and open requests at their caps; intake's backlog dropping
/// with a counter), the API keeps answering, and a real request sent during the flood completes
/// on every node. `make flood` runs it on release nodes (RAKIS_BINARY) with
/// RAKIS_FLOOD_PACKETS=1000000 and the default limits; the ordinary run floods 2,000 packets at
/// small limits, so that every bound is reached.
@Suite(.serialized) struct FloodTests {
    static let packets = Int(ProcessInfo.processInfo.environment["RAKIS_FLOOD_PACKETS"] ?? "") ?? 2_000
    /// The limits the ordinary run lowers so that a short flood reaches them; `make flood` keeps the defaults.
    static let limits: [String: Int] = packets >= 200_000 ? [:] : [
        "maxPacketDBSize": 1000, "maxPeerTableSize": 100, "maxOrphanQuorums": 50, "maxUnservedOpenRequests": 20,
    ]
    static var caps: Settings {
        var settings = Settings()
        if let value = limits["maxPacketDBSize"] { settings.maxPacketDBSize = value }
        if let value = limits["maxPeerTableSize"] { settings.maxPeerTableSize = value }
        if let value = limits["maxOrphanQuorums"] { settings.maxOrphanQuorums = value }
        if let value = limits["maxUnservedOpenRequests"] { settings.maxUnservedOpenRequests = value }
        return settings
    }

    @Test func aFloodStaysBoundedTheAPIAnswersAndARealRequestCompletes() async throws {
        let extra = Self.limits.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        let network = try await ThreeNodeRelayNetwork(extra: extra, mesh: true)
        defer { print("flood: the nodes' logs: \(network.saveLogs(network.topic).joined(separator: ", "))") }
        do {
            try await check(network)
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
    }

    private func check(_ network: ThreeNodeRelayNetwork) async throws {
        let meshConnections = { @Sendable () async -> Int in
            ((try? await network.stats(0))?["transportCounters"] as? [String: [String: Int]])?["mesh"]?["connections"] ?? 0
        }
        #expect(await eventually(timeout: .seconds(30)) { await meshConnections() >= 2 }, "nodes 1 and 2 reached node 0 by the mesh")
        let before = network.resources(0)
        let tally = FloodTally()
        let relayShare = min(Self.packets / 10, 5_000)
        // Two seats more than one address may hold: node 0 must refuse some, whichever way the
        // honest nodes' own connections to it were dialed (its outgoing ones count for nothing).
        let seats = Settings().meshMaxConnectionsPerAddress + 2
        let meshFlooder = MeshFlooder(
            address: try #require(network.meshAddress(0)), topic: network.topic, connections: seats, perSecond: 400, packetsPerIdentity: 10)
        let relayFlooder = RelayFlooder(relay: NostrRelayFixture.url(network.relay), topic: network.topic, keys: 4, packetsPerIdentity: 10)
        let started = ContinuousClock.now
        let finished = SharedFlag()
        async let watched = Self.watch(network, since: started, until: finished, tally: tally)
        async let meshAttempts = meshFlooder.run(total: Self.packets - relayShare, from: 0, tally: tally)
        async let relaySent: Void = relayFlooder.run(total: relayShare, from: Self.packets, tally: tally)
        // A real request, sent once the flood is under way.
        try await Task.sleep(for: .seconds(3))
        let requestId = try await network.submit(to: 1, prompt: "Name a colour.", seconds: 15)
        // Read while the flood goes on, before the nodes prune the request (they keep the newest
        // maxStoredRequests ended ones, and the flood ends hundreds of its own). A node that files
        // it late, behind the flood, is given two minutes to know of it.
        for index in 0..<3 {
            _ = await eventually(timeout: .seconds(120)) { (try? await network.detail(index, requestId))?["status"] != nil }
        }
        let outcome = try await ChaosTests.outcomes(of: [requestId], on: network)
        let duringFlood = tally.mesh + tally.relay
        let attempts = await meshAttempts
        try await relaySent
        finished.set()
        let (probes, curve) = try await watched
        let floodSeconds = Double((ContinuousClock.now - started).components.seconds)
        let stats = try await network.stats(0)
        let after = network.resources(0)
        let mesh = (stats["transportCounters"] as? [String: [String: Int]])?["mesh"] ?? [:]
        print("flood: \(tally.mesh) packets over the mesh, \(tally.relay) through the relay in \(Int(floodSeconds)) s; node 0 mesh \(mesh.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        print("flood: node 0 intake dropped \(stats["packetsDroppedOverBacklog"] ?? 0), stored \(stats["totalPackets"] ?? 0) packets, \(stats["totalPeers"] ?? 0) peers (\(stats["peersPruned"] ?? 0) pruned), \(stats["unservedRequestsOverLimit"] ?? 0) unserved requests over the limit, \(stats["packetsForUnknownRequests"] ?? 0) packets for unknown requests; API \(probes.summary); request (read after \(duringFlood) flood packets): \(outcome.summary)")
        print("flood: node 0 rss \(before.residentKB / 1024) MB → \(after.residentKB / 1024) MB, sqlite \(before.sqliteBytes / 1024) KB → \(after.sqliteBytes / 1024) KB, fds \(before.descriptors) → \(after.descriptors); rss curve (s: MB) \(curve.map { "\($0.seconds): \($0.residentKB / 1024)" }.joined(separator: ", "))")
        print("flood: the flood's \(meshFlooder.connections) mesh peers connected \(attempts.connected) times; node 0 refused \(attempts.refused) attempts")
        if outcome.completed < 3 {
            for index in 0..<3 { print("flood: node \(index) on the request: \(try await network.detail(index, requestId) ?? [:])") }
        }

        #expect(outcome.completed == 3, "the real request completes on every node: \(outcome.summary)")
        #expect(probes.failures == 0, "the API answered every probe: \(probes.summary)")
        #expect(mesh["refusedConnections", default: 0] >= 1, "node 0 refused the flood's connections beyond its share per address")
        #expect(mesh["violations", default: 0] == 0, "the flood stayed within the protocol")
        try await bounds(stats, network: network)
        let warm = curve[max(0, curve.count / 3)].residentKB
        #expect(Double(after.residentKB) < 1.25 * Double(max(warm, before.residentKB)) + 51_200, "resident memory \(curve.map(\.residentKB))")
    }

    /// The caps hold on disk.
    private func bounds(_ stats: [String: Any], network: ThreeNodeRelayNetwork) async throws {
        let caps = Self.caps
        let packets = try #require(stats["totalPackets"] as? Int)
        #expect(packets <= caps.maxPacketDBSize + caps.packetDBPruneHysteresis + caps.maxReceivedPacketQueueSize, "packets stored: \(packets)")
        let peers = try #require(stats["totalPeers"] as? Int)
        #expect(peers <= caps.maxPeerTableSize + max(10, caps.maxPeerTableSize / 10) + 1_000, "peers: \(peers)")
        if Self.packets < 200_000 {
            #expect(stats["peersPruned"] as? Int ?? 0 > 0, "the flood's identities outnumber the peer table")
            #expect(stats["unservedRequestsOverLimit"] as? Int ?? 0 > 0, "the flood's requests outnumber maxUnservedOpenRequests")
            #expect(stats["packetsForUnknownRequests"] as? Int ?? 0 > 0, "the flood's reveals for invented requests are not filed")
        }
        let orphans = try await network.sqlite(0, "coordination.sqlite", """
            SELECT COUNT(*) FROM quorum WHERE requestId NOT IN (SELECT requestId FROM inferenceRequest)
            """)
        #expect(orphans <= caps.maxOrphanQuorums + max(1, caps.maxOrphanQuorums / 10), "orphan quorums: \(orphans)")
    }
}

extension FloodTests {
    /// Asks every node's API every 2 s, and samples node 0's resident memory, until `finished`.
    /// Progress goes to the output every 30 s, for the long `make flood`.
    static func watch(
        _ network: ThreeNodeRelayNetwork, since started: ContinuousClock.Instant, until finished: SharedFlag, tally: FloodTally
    ) async throws -> (ApiProbes, [(seconds: Int, residentKB: Int)]) {
        var probes = ApiProbes()
        var curve: [(seconds: Int, residentKB: Int)] = []
        while !finished.isSet {
            try await probes.probe(network)
            let seconds = Int((ContinuousClock.now - started).components.seconds)
            let resources = network.resources(0)
            curve.append((seconds, resources.residentKB))
            if curve.count % 15 == 0 {
                print("flood: \(seconds) s: sent \(tally.mesh) over the mesh, \(tally.relay) through the relay; node 0 rss \(resources.residentKB / 1024) MB, sqlite \(resources.sqliteBytes / 1024) KB; API \(probes.summary)")
            }
            try await Task.sleep(for: .seconds(2))
        }
        return (probes, curve)
    }
}

/// `GET /api/stats` on every node during the flood: answers, failures, and the slowest answer.
struct ApiProbes {
    var answers = 0
    var failures = 0
    var slowest: Duration = .zero

    mutating func probe(_ network: ThreeNodeRelayNetwork) async throws {
        for index in 0..<3 {
            let start = ContinuousClock.now
            if (try? await network.stats(index))?["totalPackets"] != nil { answers += 1 } else { failures += 1 }
            slowest = max(slowest, ContinuousClock.now - start)
        }
    }

    var summary: String { "\(answers) answers, \(failures) failures, slowest \(slowest.formatted(.units(allowed: [.milliseconds])))" }
}
