import Foundation
import HummingbirdWSClient
import Logging
import RakisCore
import RakisP2P
@testable import RakisMesh
import RakisTestSupport
import Testing

/// The mesh transport between real WebSocket connections on loopback.
@Suite(.serialized) struct MeshTransportTests {
    func mesh(
        listen: Bool = true, port: Int = 0, peers: [String] = [], exchange: Bool = true, hopLimit: Int = 8, rate: Double = 500,
        identity: NodeIdentity = .generate(), handshakeTimeout: Duration = .seconds(10), bansBeforeAddressBan: Int = 3,
        connectionsPerAddress: Int = 8, fanout: Int = 3, askAgainAfter: Duration = .seconds(1), banDuration: Duration = .seconds(60)
    ) -> MeshTransport {
        var configuration = MeshConfiguration(
            listenHost: listen ? "127.0.0.1" : nil, listenPort: port, bootstrapPeers: peers, topic: "mesh-test", hopLimit: hopLimit,
            messagesPerSecond: rate, banDuration: banDuration)
        configuration.exchangePeers = exchange
        configuration.fanout = fanout
        configuration.askAgainAfter = askAgainAfter
        configuration.handshakeTimeout = handshakeTimeout
        configuration.bansBeforeAddressBan = bansBeforeAddressBan
        configuration.maxConnectionsPerAddress = connectionsPerAddress
        configuration.redialBackoff = ReconnectBackoff(base: .milliseconds(50), maximum: .milliseconds(500))
        return MeshTransport(identity: identity, configuration: configuration)
    }

    func started(_ transports: [MeshTransport]) async throws {
        for transport in transports { try await transport.start() }
    }

    @Test func twoNodesExchangePacketsBothWays() async throws {
        let a = mesh()
        try await a.start()
        let address = try #require(await a.listenAddress())
        let bIdentity = NodeIdentity.generate()
        let b = mesh(listen: false, peers: [address], identity: bIdentity)
        try await b.start()
        let inboxA = TransportInbox(a), inboxB = TransportInbox(b)
        #expect(await eventually { await a.connectedPeers() == [bIdentity.synthientId] })
        let fromA = try SamplePackets.commitEnvelope(1), fromB = try SamplePackets.commitEnvelope(2)
        try await a.broadcast(fromA)
        try await b.broadcast(fromB)
        #expect(await eventually { inboxB.contains(fromA) && inboxA.contains(fromB) })
        // Nothing comes back to its sender.
        #expect(!inboxA.contains(fromA) && !inboxB.contains(fromB))
        await a.shutdown()
        await b.shutdown()
    }

    @Test func aConnectionOutlivesItsHandshakeDeadline() async throws {
        let a = mesh(handshakeTimeout: .milliseconds(500))
        try await a.start()
        let b = mesh(listen: false, peers: [try #require(await a.listenAddress())], handshakeTimeout: .milliseconds(500))
        try await b.start()
        #expect(await eventually { await a.connectedPeers().count == 1 })
        // Well past the deadline, the first connection is still the one in use on both sides.
        try await Task.sleep(for: .seconds(2))
        #expect(await a.statistics().connectionsMade == 1)
        #expect(await b.statistics().connectionsMade == 1)
        #expect(await a.connectedPeers().count == 1)
        await a.shutdown()
        await b.shutdown()
    }

    @Test func packetsSentBeforeAnyPeerConnectedReachTheFirstOne() async throws {
        let a = mesh()
        try await a.start()
        let early = try SamplePackets.commitEnvelope(1)
        try await a.broadcast(early)
        let b = mesh(listen: false, peers: [try #require(await a.listenAddress())])
        let inbox = TransportInbox(b)
        try await b.start()
        #expect(await eventually { inbox.contains(early) })
        await a.shutdown()
        await b.shutdown()
    }

    @Test func aPeerThatConnectsLateIsCaughtUpOnWhatWasSentAndPassedOnBeforeIt() async throws {
        let hub = mesh(exchange: false)
        try await hub.start()
        let address = try #require(await hub.listenAddress())
        let early = mesh(listen: false, peers: [address], exchange: false)
        try await early.start()
        #expect(await eventually { await hub.connectedPeers().count == 1 })
        // Sent while a peer was connected, so nothing waited for the late one: only the catch-up brings them.
        let fromHub = try SamplePackets.commitEnvelope(1), fromEarly = try SamplePackets.commitEnvelope(2)
        try await hub.broadcast(fromHub)
        try await early.broadcast(fromEarly)
        // Directly, or through the catch-up when it was sent before the connection was up on its side (or both).
        #expect(await eventually { await hub.statistics().received >= 1 })
        let lateIdentity = NodeIdentity.generate()
        let late = mesh(listen: false, peers: [address], exchange: false, identity: lateIdentity)
        let inbox = TransportInbox(late)
        try await late.start()
        #expect(await eventually { inbox.contains(fromHub) && inbox.contains(fromEarly) })
        // Its own packets never come back to it.
        try await late.broadcast(try SamplePackets.commitEnvelope(3, by: lateIdentity))
        try await late.restart()
        #expect(await eventually {
            let caughtUp = await hub.statistics().caughtUp
            return await late.connectedPeers().count == 1 && caughtUp >= 4
        })
        #expect(inbox.all.count == 2)
        for node in [hub, early, late] { await node.shutdown() }
    }

    /// Two nodes dial each other at once (both keep one of the two connections) and one drops
    /// its connections midway, while both send all along and both cores are busy: each still
    /// gets every packet of the other.
    @Test func noPacketIsLostWhileConnectionsAreSetUpReplacedAndReestablishedUnderLoad() async throws {
        let burner = try CPUBurner()
        defer { burner.stop() }
        let ports = [LLMFixtures.freePort(), LLMFixtures.freePort()]
        let nodes = (0..<2).map { index in mesh(port: ports[index], peers: ["ws://127.0.0.1:\(ports[1 - index])"], exchange: false) }
        let inboxes = nodes.map { TransportInbox($0) }
        let sent = try (0..<2).map { index in try (0..<60).map { try SamplePackets.commitEnvelope(index * 1000 + $0) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<2 {
                group.addTask {
                    try await nodes[index].start()
                    for (n, packet) in sent[index].enumerated() {
                        try await nodes[index].broadcast(packet)
                        if index == 1, n == 30 { try await nodes[index].restart() }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await eventually { sent[1].allSatisfy(inboxes[0].contains) && sent[0].allSatisfy(inboxes[1].contains) },
                "received \(sent[1].filter(inboxes[0].contains).count) and \(sent[0].filter(inboxes[1].contains).count) of 60")
        for node in nodes { await node.shutdown() }
    }

    @Test func aNewcomerFindsTheRestFromOneBootstrapPeer() async throws {
        let first = mesh()
        try await first.start()
        let bootstrap = try #require(await first.listenAddress())
        let others = (0..<3).map { _ in mesh(peers: [bootstrap]) }
        try await started(others)
        // Every node ends up connected to every other, though each was told of one address.
        #expect(await eventually {
            for node in others where await node.connectedPeers().count < 3 { return false }
            return true
        })
        let newest = mesh(peers: [bootstrap])
        try await newest.start()
        #expect(await eventually { await newest.connectedPeers().count == 4 })
        for node in others + [first, newest] { await node.shutdown() }
    }

    @Test func aTenNodeLineDeliversEndToEndAndSurvivesLosingANodeWithASecondPath() async throws {
        // Node k dials node k-1 only (no address exchange), and node 5 also dials node 3.
        var built: [MeshTransport] = []
        var addresses: [String] = []
        for k in 0..<10 {
            var peers = k > 0 ? [addresses[k - 1]] : []
            if k == 5 { peers.append(addresses[3]) }
            let node = mesh(peers: peers, exchange: false, hopLimit: 12)
            try await node.start()
            built.append(node)
            addresses.append(try #require(await node.listenAddress()))
        }
        let nodes = built
        #expect(await eventually {
            let counts = (await nodes[9].connectedPeers().count, await nodes[5].connectedPeers().count)
            return counts == (1, 3)
        })
        #expect(await nodes[0].connectedPeers().count == 1, "a line, not a full mesh")
        let last = TransportInbox(nodes[9])
        let first = try SamplePackets.commitEnvelope(1)
        try await nodes[0].broadcast(first)
        #expect(await eventually { last.contains(first) })

        await nodes[4].shutdown()
        let second = try SamplePackets.commitEnvelope(2)
        try await nodes[0].broadcast(second)
        #expect(await eventually { last.contains(second) }, "3 → 5 carries it past the lost node 4")
        #expect(last.all.count == 2, "each packet arrives once")
        for (k, node) in nodes.enumerated() where k != 4 { await node.shutdown() }
    }

    @Test func startFailsOnlyOnMisconfigurationAndAnAbsentPeerIsDialedUntilItComes() async throws {
        let idle = mesh(listen: false)
        await #expect(throws: TransportError.self) { try await idle.start() }
        // A peer that is not there yet: start returns, says so, and keeps dialing.
        let port = LLMFixtures.freePort()
        let early = mesh(listen: false, peers: ["ws://127.0.0.1:\(port)"])
        try await early.start()
        let waiting = await early.status()
        #expect(!waiting.connected)
        #expect(waiting.detail.contains("no peer connected") && waiting.detail.contains("dialing ws://127.0.0.1:\(port)"), "\(waiting.detail)")
        let sentWhileAlone = try SamplePackets.commitEnvelope(1)
        try await early.broadcast(sentWhileAlone)
        let late = mesh(port: port)
        let inbox = TransportInbox(late)
        try await late.start()
        #expect(await eventually { await early.status().connected })
        #expect(await eventually { inbox.contains(sentWhileAlone) })
        await early.shutdown()
        await late.shutdown()
        // A port that is taken.
        let first = mesh()
        try await first.start()
        let taken = try #require(await first.listenAddress().flatMap { URL(string: $0)?.port })
        let second = mesh(port: taken)
        do {
            try await second.start()
            Issue.record("listened on a port in use")
        } catch {
            #expect("\(error)".contains("cannot listen") && "\(error)".contains("misconfigured"))
        }
        await first.shutdown()
        await second.shutdown()
    }
}
