import Foundation
import Logging
import RakisCore
@testable import RakisNode
@testable import RakisP2P
import RakisTestSupport
import Synchronization
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
        let aliceProcess = try await alice.launched()
        let bobProcess = try await bob.launched()

        let sent = try await alice.p2p.transmit(commit(1))
        #expect(try await eventually { try await bob.p2p.packetDB.store.contains(synthientId: sent.synthientId, signature: sent.signature) })
        // Each learned of the other from its boot packet.
        #expect(try await eventually { try await bob.p2p.packetDB.peers.peer(alice.identity.synthientId)?.seenOn == ["memory0"] })
        #expect(try await eventually { try await alice.p2p.packetDB.peers.peer(bob.identity.synthientId) != nil })

        await aliceProcess.stop()
        await bobProcess.stop()
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
        let aliceProcess = try await alice.launched()
        let bobProcess = try await bob.launched()
        let sent = try await alice.p2p.transmit(commit(2))
        #expect(try await eventually { try await bob.p2p.packetDB.store.contains(synthientId: sent.synthientId, signature: sent.signature) })
        #expect(try await eventually { try await bob.p2p.packetDB.peers.peer(alice.identity.synthientId)?.seenOn.count == 2 })
        await bob.p2p.packetDB.flush()
        let stats = await bob.p2p.packetDB.statistics
        #expect(stats.duplicates >= 1, "the second copy was recognised")
        #expect(try await bob.p2p.packetDB.store.packets(forRequest: "req-2").count == 1)
        await aliceProcess.stop()
        await bobProcess.stop()
    }

    @Test func delayAndLossAreApplied() async throws {
        let network = InMemoryNetwork(conditions: .init(delay: .milliseconds(30), lossRate: 0.5), seed: 42)
        let alice = try makeNode(on: network), bob = try makeNode(on: network)
        let aliceProcess = try await alice.launched()
        let bobProcess = try await bob.launched()
        for n in 0..<40 { try await alice.p2p.transmit(commit(n)) }
        #expect(await eventually { await network.delivered + network.dropped >= 42 })
        try await Task.sleep(for: .milliseconds(200))
        await bob.p2p.packetDB.flush()
        let received = try await bob.p2p.packetDB.store.count()
        let delivered = await network.delivered, dropped = await network.dropped
        #expect(dropped > 5 && delivered > 5, "about half of the deliveries are lost")
        // Bob stored every packet that reached him: his own boot plus what was delivered to him.
        #expect(received > 1 && received < 42, "some of alice's packets arrived and some were lost")
        await aliceProcess.stop()
        await bobProcess.stop()
    }

    @Test func malformedBytesAreDroppedAndCounted() async throws {
        let network = InMemoryNetwork()
        let node = try makeNode(on: network)
        let nodeProcess = try await node.launched()
        let attacker = network.makeTransport(name: "attacker")
        try await attacker.start()
        try await attacker.broadcast(Array("{not json".utf8))
        try await attacker.broadcast([0xFF, 0xFE])
        #expect(await eventually { node.p2p.malformedPackets == 2 })
        await attacker.shutdown()
        await nodeProcess.stop()
    }

    @Test func aGracefulStopEndsTheNodeThenItsTransportsThenIntake() async throws {
        let network = InMemoryNetwork()
        let directory = DataDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("rakis-node-\(UUID().uuidString)").path)
        try directory.create()
        let probe = ShutdownProbe()
        let transport = ProbedTransport(base: network.makeTransport(), probe: probe)
        let node = try RakisNode(identity: .generate(), settings: Settings(), dataDirectory: directory, transports: [transport])
        probe.node.withLock { $0 = node }
        let process = try await node.launched()
        await process.stop()
        let seen = try #require(probe.seen.withLock { $0 })
        #expect(seen.nodeStopped, "the node had shut down (its stores closed) before its transport was stopped")
        #expect(seen.intakeOpen, "intake was still open when the transport stopped, to take what it delivered last")
        #expect(await node.p2p.packetDB.isShutDown, "intake stopped last")
    }

    @Test func aMisconfiguredTransportFailsTheStartWithItsReason() async throws {
        let directory = DataDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("rakis-node-\(UUID().uuidString)").path)
        try directory.create()
        let node = try RakisNode(identity: .generate(), settings: Settings(), dataDirectory: directory, transports: [MisconfiguredTransport()])
        let process = DevnetNodeProcess(node: node, logger: Logger(label: "rakis.test"))
        await #expect(throws: (any Error).self) { try await node.waitUntilStarted() }
        let failure = await process.failure()
        #expect("\(failure.map { "\($0)" } ?? "none")".contains("cannot start the network: transport broken is misconfigured: no such relay"))
    }

    @Test func statusChangesAreAnnouncedAndEndWithTheTransport() async throws {
        let transport = InMemoryNetwork().makeTransport()
        let changes = transport.statusChanges()
        #expect(await transport.status().connected == false)
        try await transport.start()
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next() != nil, "starting is a change")
        #expect(await transport.status().connected)
        await transport.shutdown()
        #expect(await iterator.next() == nil, "the changes end with the transport")
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

extension RakisNode {
    /// Runs the node's services in a group of their own, as `rakis run` does, until `stop()`.
    func launched() async throws -> DevnetNodeProcess {
        let process = DevnetNodeProcess(node: self, logger: logger)
        try await waitUntilStarted()
        return process
    }
}

/// What a node looked like when its transport was told to shut down.
final class ShutdownProbe: Sendable {
    struct Seen: Sendable {
        var nodeStopped: Bool
        var intakeOpen: Bool
    }
    let node = Mutex<RakisNode?>(nil)
    let seen = Mutex<Seen?>(nil)

    func look() async {
        guard let node = node.withLock({ $0 }) else { return }
        let stopped = (try? await node.stores.quorums.openQuorums()) == nil
        let intakeOpen = await !node.p2p.packetDB.isShutDown
        seen.withLock { $0 = Seen(nodeStopped: stopped, intakeOpen: intakeOpen) }
    }
}

/// An in-memory transport that shows the probe the node when it is shut down.
struct ProbedTransport: P2PTransport {
    let base: InMemoryTransport
    let probe: ShutdownProbe
    var name: String { base.name }
    var incoming: AsyncStream<TransportDelivery> { base.incoming }
    func start() async throws(TransportError) { try await base.start() }
    func status() async -> TransportStatus { await base.status() }
    func statusChanges() -> AsyncStream<Void> { base.statusChanges() }
    func broadcast(_ envelope: [UInt8]) async throws(TransportError) { try await base.broadcast(envelope) }
    func restart() async throws(TransportError) { try await base.restart() }
    func shutdown() async {
        await probe.look()
        await base.shutdown()
    }
}

/// A transport that cannot run as configured.
struct MisconfiguredTransport: P2PTransport {
    var name: String { "broken" }
    let incoming = AsyncStream<TransportDelivery> { $0.finish() }
    func start() async throws(TransportError) { throw .misconfigured(transport: "broken", reason: "no such relay") }
    func status() async -> TransportStatus { TransportStatus(name: name, connected: false, detail: "misconfigured") }
    func statusChanges() -> AsyncStream<Void> { AsyncStream { $0.finish() } }
    func broadcast(_ envelope: [UInt8]) async throws(TransportError) { throw .notStarted(transport: name) }
    func restart() async throws(TransportError) {}
    func shutdown() async {}
}
