import Foundation
import Logging
import RakisCoordination
import RakisCore
import RakisInference
@testable import RakisNode
import RakisP2P
import RakisNostr
import RakisMesh
import RakisTestSupport
import Testing

/// Real nodes reaching consensus over real transports: a Nostr relay (`nostr-relay` on
/// loopback), the direct mesh, and both at once.
@Suite(.serialized) struct NetworkDevnetTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-nostr-devnet-\(UUID().uuidString)")
    /// The protocol's windows pass in virtual time; the transports keep their own real timers.
    let clock = TestClock()

    func nostr(_ relays: [String], settings: Settings) -> NostrTransport {
        var configuration = NostrTransportConfiguration(settings: settings, relays: relays)
        configuration.backoff = ReconnectBackoff(base: .milliseconds(100), maximum: .seconds(1))
        return NostrTransport(keys: .generate(), configuration: configuration)
    }

    /// Node `index` listens on `ports[index]` and dials every other port.
    func mesh(_ index: Int, ports: [Int], settings: Settings) -> MeshTransport {
        var configuration = MeshConfiguration(
            settings: settings, listenHost: "127.0.0.1", listenPort: ports[index],
            bootstrapPeers: ports.enumerated().filter { $0.offset != index }.map { "ws://127.0.0.1:\($0.element)" })
        configuration.redialBackoff = ReconnectBackoff(base: .milliseconds(100), maximum: .seconds(1))
        return MeshTransport(identity: .generate(), configuration: configuration)
    }

    func devnet(nodes: Int, settings: Settings, transports: @escaping @Sendable (Int) throws -> [any P2PTransport]) async throws -> LocalDevnet {
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: settings, transports: transports, clock: clock) { _ in models }
        try await devnet.start(nodes: nodes)
        try await devnet.waitUntilReady()
        return devnet
    }

    var settings: Settings {
        var settings = DevnetTests.settings
        settings.topic = "rakis-test-\(UUID().uuidString.prefix(8))"
        return settings
    }

    /// Two nodes on `transports` alone agree on a request, each having seen the other only there.
    func twoNodesAgree(settings: Settings, over transport: String, _ transports: @escaping @Sendable (Int) throws -> [any P2PTransport]) async throws {
        let devnet = try await devnet(nodes: 2, settings: settings, transports: transports)
        let requestId = try await devnet.members[0].node.submit(DevnetTests.payload(quorum: 2, createdAt: clock.now()))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 2)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed)
        #expect(report.nodes.allSatisfy { $0.status == .completed && $0.consensus?.details.valid.count == 2 })
        let peer = try await devnet.members[1].node.p2p.packetDB.peers.peer(devnet.members[0].identity.synthientId)
        #expect(peer?.seenOn == [transport])
        await devnet.shutdown()
    }

    /// On a relay with nostr-relay's own defaults: reveals must fit 4,096 characters of content.
    @Test func twoNodesAgreeOverAStockRelayAlone() async throws {
        let relay = try await NostrRelayFixture.startStock()
        defer { relay.kill() }
        let settings = settings
        let url = NostrRelayFixture.url(relay)
        try await twoNodesAgree(settings: settings, over: "nostr") { [self] _ in [nostr([url], settings: settings)] }
    }

    @Test func twoNodesAgreeOverTheMeshAlone() async throws {
        let settings = settings
        let ports = [LLMFixtures.freePort(), LLMFixtures.freePort()]
        try await twoNodesAgree(settings: settings, over: "mesh") { [self] index in [mesh(index, ports: ports, settings: settings)] }
    }

    @Test func relayAndMeshAtOnceDeliverEveryPacketButEachIsProcessedOnce() async throws {
        let relay = try await NostrRelayFixture.start()
        defer { relay.kill() }
        let settings = settings
        let url = NostrRelayFixture.url(relay)
        let ports = [LLMFixtures.freePort(), LLMFixtures.freePort()]
        let devnet = try await devnet(nodes: 2, settings: settings) { [self] index in
            [nostr([url], settings: settings), mesh(index, ports: ports, settings: settings)]
        }
        let requestId = try await devnet.members[0].node.submit(DevnetTests.payload(quorum: 2, createdAt: clock.now()))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 2)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        #expect(try await devnet.report(requestId: requestId).agreed)
        for (index, member) in await devnet.members.enumerated() {
            let other = await devnet.members[1 - index].identity.synthientId
            let db = member.node.p2p.packetDB
            let fromOther = try await db.store.lastPackets(count: 10_000).filter { $0.synthientId == other }
            // Each of the other node's packets is stored once, though both transports brought it.
            #expect(Set(fromOther.map(\.signature)).count == fromOther.count)
            // Those about the request were sent once both transports were up, so each came twice.
            let aboutRequest = fromOther.filter { $0.requestId == requestId }
            #expect(!aboutRequest.isEmpty)
            #expect(await db.statistics.duplicates >= aboutRequest.count)
            #expect(try await db.peers.peer(other)?.seenOn.sorted() == ["mesh", "nostr"])
            // One commit each in the quorum: nothing was counted twice.
            #expect(try await member.node.stores.quorums.commits(requestId: requestId).count == 2)
        }
        await devnet.shutdown()
    }

    @Test func aRequestCompletesThoughTheRelayIsKilledAndRestartedMidway() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-relay-\(UUID().uuidString)")
        let port = LLMFixtures.freePort()
        var relay = try await NostrRelayFixture.start(port: port, directory: folder)
        let settings = settings
        let url = NostrRelayFixture.url(relay)
        let devnet = try await devnet(nodes: 2, settings: settings) { _ in [nostr([url], settings: settings)] }
        let requestId = try await devnet.members[0].node.submit(DevnetTests.payload(quorum: 2, createdAt: clock.now()))
        // Down while the nodes infer and commit, back before the reveals are due.
        try await Task.sleep(for: .seconds(1))
        relay.kill()
        try await Task.sleep(for: .seconds(4))
        relay = try await NostrRelayFixture.start(port: port, directory: folder)
        defer { relay.kill() }
        // Both nodes hear the relay again before the window is moved on: a node that noticed the
        // outage end only after virtual time passed would count the window as one it may have
        // missed packets of, and rightly leave the request to others (on a fast machine the
        // reconnection's backoff outlasted the test's next step).
        let members = await devnet.members
        #expect(try await eventually { await members.allSatisfy { $0.node.lastListeningGap?.from != nil } })
        try await devnet.endRequest(requestId, on: clock, afterCommits: 2)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed)
        #expect(report.nodes.allSatisfy { $0.status == .completed })
        await devnet.shutdown()
    }
}
