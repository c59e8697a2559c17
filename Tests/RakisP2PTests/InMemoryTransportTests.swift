import Foundation
import RakisCore
@testable import RakisNode
@testable import RakisP2P
import RakisTestSupport
import Testing

@Suite struct InMemoryTransportTests {
    func makeNode(on network: InMemoryNetwork, transports: Int = 1) throws -> RakisNode {
        let directory = DataDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("rakis-node-\(UUID().uuidString)").path)
        try directory.create()
        var settings = Settings()
        settings.receivePacketQueueDebounceMs = 10
        return try RakisNode(
            identity: .generate(), settings: settings, dataDirectory: directory,
            transports: (0..<transports).map { network.makeTransport(name: "memory\($0)") })
    }

    @Test func twoNodesExchangeSignedPackets() async throws {
        let network = InMemoryNetwork()
        let alice = try makeNode(on: network), bob = try makeNode(on: network)
        let (bobEvents, drain) = record(bob.p2p.packetDB.events.subscribe())
        try await alice.start()
        try await bob.start()

        let sent = try await alice.p2p.transmit(commit(1))
        #expect(try await eventually { try await bob.p2p.packetDB.store.contains(synthientId: sent.synthientId, signature: sent.signature) })
        // Each learned of the other from its boot packet.
        #expect(try await eventually { try await bob.p2p.packetDB.peers.peer(alice.identity.synthientId)?.seenOn == ["memory0"] })
        #expect(try await eventually { try await alice.p2p.packetDB.peers.peer(bob.identity.synthientId) != nil })

        await alice.shutdown()
        await bob.shutdown()
        await drain.value
        let commits = bobEvents.all.compactMap { event -> Delivered<InferenceCommit>? in
            if case .inferenceCommit(let c) = event { return c }
            return nil
        }
        #expect(commits.count == 1)
        #expect(commits.first?.synthientId == alice.identity.synthientId)
        #expect(commits.first?.isOwn == false)
    }

    @Test func redundantTransportsDeliverOnce() async throws {
        let network = InMemoryNetwork()
        let alice = try makeNode(on: network, transports: 2), bob = try makeNode(on: network, transports: 2)
        try await alice.start()
        try await bob.start()
        let sent = try await alice.p2p.transmit(commit(2))
        #expect(try await eventually { try await bob.p2p.packetDB.store.contains(synthientId: sent.synthientId, signature: sent.signature) })
        #expect(try await eventually { try await bob.p2p.packetDB.peers.peer(alice.identity.synthientId)?.seenOn.count == 2 })
        await bob.p2p.packetDB.flush()
        let stats = await bob.p2p.packetDB.statistics
        #expect(stats.duplicates >= 1, "the second copy was recognised")
        #expect(try await bob.p2p.packetDB.store.packets(forRequest: "req-2").count == 1)
        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func delayAndLossAreApplied() async throws {
        let network = InMemoryNetwork(conditions: .init(delay: .milliseconds(30), lossRate: 0.5), seed: 42)
        let alice = try makeNode(on: network), bob = try makeNode(on: network)
        try await alice.start()
        try await bob.start()
        for n in 0..<40 { try await alice.p2p.transmit(commit(n)) }
        #expect(await eventually { await network.delivered + network.dropped >= 42 })
        try await Task.sleep(for: .milliseconds(200))
        await bob.p2p.packetDB.flush()
        let received = try await bob.p2p.packetDB.store.count()
        let delivered = await network.delivered, dropped = await network.dropped
        #expect(dropped > 5 && delivered > 5, "about half of the deliveries are lost")
        // Bob stored every packet that reached him: his own boot plus what was delivered to him.
        #expect(received > 1 && received < 42, "some of alice's packets arrived and some were lost")
        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func malformedBytesAreDroppedAndCounted() async throws {
        let network = InMemoryNetwork()
        let node = try makeNode(on: network)
        try await node.start()
        let attacker = network.makeTransport(name: "attacker")
        try await attacker.start()
        try await attacker.broadcast(Array("{not json".utf8))
        try await attacker.broadcast([0xFF, 0xFE])
        #expect(await eventually { node.p2p.malformedPackets == 2 })
        await attacker.shutdown()
        await node.shutdown()
    }

    @Test func broadcastBeforeStartOrAfterShutdownFails() async throws {
        let network = InMemoryNetwork()
        let transport = network.makeTransport()
        await #expect(throws: TransportError.notStarted(transport: "memory")) { try await transport.broadcast([1]) }
        try await transport.start()
        await transport.shutdown()
        await #expect(throws: TransportError.shutDown(transport: "memory")) { try await transport.broadcast([1]) }
    }
}
