import Foundation
import HummingbirdWSClient
import Logging
import RakisCore
import RakisP2P
@testable import RakisMesh
import RakisTestSupport
import Testing

/// The mesh's bounds under a flood: packets counted one by one against the rate, connections per
/// address, bans of whole addresses, and forwarding that never trips a peer's limit.
extension MeshTransportTests {
    func packets(_ count: Int, from first: Int, by identity: NodeIdentity = .generate()) throws -> [MeshPacket] {
        try (0..<count).map { MeshPacket(hops: 2, envelope: String(decoding: try SamplePackets.commitEnvelope(first + $0, by: identity), as: UTF8.self)) }
    }

    @Test func aFrameOfManyPacketsCountsEachAgainstTheRate() async throws {
        let b = mesh(rate: 20)
        try await b.start()
        let address = try #require(await b.listenAddress())
        // 200 packets in one `packets` frame: one frame, but ten times the rate's burst of packets.
        await attack(address, identity: .generate(), frames: [MeshMessage.packets(try packets(200, from: 0)).text]) {
            await b.statistics().banned == 1
        }
        let stats = await b.statistics()
        #expect(stats.banned == 1, "\(stats)")
        #expect(stats.received == 0, "nothing of the frame was taken: \(stats)")
        await b.shutdown()
    }

    @Test func anAddressWhoseIdentitiesKeepGettingBannedIsKeptOff() async throws {
        // Bans that last the whole test: on a loaded machine the three rounds once took longer
        // than a minute, and the first ban ran out before the third.
        let b = mesh(rate: 20, banDuration: .seconds(600))
        try await b.start()
        let address = try #require(await b.listenAddress())
        let bystander = mesh(listen: false, peers: [address])
        try await bystander.start()
        #expect(await eventually { await b.connectedPeers().count == 1 })
        // Three fresh identities from 127.0.0.1, each banned for flooding: the third bans the address.
        // Each flood is one frame of more packets than the rate's burst (64), so it is over the
        // rate however slowly the node reads: 100 frames of one packet were read over more than
        // the 1.8 s they need to be, once, under the whole suite, and that identity was never banned.
        for round in 0..<3 {
            let flood = MeshMessage.packets(try packets(100, from: round * 100)).text
            // Connected until the node bans it: one that hung up before the node read its flood
            // would not be banned.
            await attack(address, identity: .generate(), frames: [flood]) { await b.statistics().banned > round }
        }
        let stats = await b.statistics()
        #expect(stats.banned == 3, "\(stats)")
        #expect(stats.addressBans == 1 && stats.bannedAddresses == 1, "\(stats)")
        // Every connection from the address went with it, and a new identity from it is refused
        // at the upgrade, before any handshake work.
        #expect(await eventually { await b.connectedPeers().isEmpty })
        let newcomer = mesh(listen: false, peers: [address])
        try await newcomer.start()
        #expect(await !newcomer.status().connected)
        #expect(await b.statistics().refusedConnections >= 1)
        for node in [newcomer, bystander, b] { await node.shutdown() }
    }

    @Test func connectionsFromOneAddressAreCapped() async throws {
        let b = mesh(exchange: false, connectionsPerAddress: 2)
        try await b.start()
        let address = try #require(await b.listenAddress())
        let dialers = (0..<3).map { _ in mesh(listen: false, peers: [address], exchange: false) }
        for dialer in dialers { try await dialer.start() }
        #expect(await eventually { await b.statistics().refusedConnections >= 1 })
        #expect(await b.connectedPeers().count == 2)
        for node in dialers + [b] { await node.shutdown() }
    }

    @Test func passingOnAFloodNeverGetsANodeBannedByItsPeers() async throws {
        // a → b; three senders give a packets as fast as a's limit allows each of them, which
        // together is far more than b's limit for a. a passes on only what b takes.
        let b = mesh(exchange: false, rate: 40)
        try await b.start()
        let a = mesh(peers: [try #require(await b.listenAddress())], exchange: false, rate: 40)
        try await a.start()
        #expect(await eventually { await b.connectedPeers().count == 1 })
        let inboxB = TransportInbox(b)
        let aAddress = try #require(await a.listenAddress())
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<3 {
                group.addTask {
                    let frames = ((try? self.packets(70, from: sender * 1000)) ?? []).map { MeshMessage.packet(hops: 3, envelope: $0.envelope).text }
                    // Connected until a has read every flood: what a peer sent just before hanging up
                    // is lost when the node has not read it yet.
                    await self.attack(aAddress, identity: .generate(), frames: frames) { await a.statistics().received >= 210 }
                }
            }
        }
        let statsA = await a.statistics()
        #expect(statsA.banned == 0 && statsA.received == 210, "\(statsA)")
        #expect(statsA.heldBackForwards > 0, "a held back what b would not take: \(statsA)")
        #expect(await b.statistics().violations == 0)
        #expect(await b.connectedPeers().count == 1, "b still has a")
        #expect(!inboxB.all.isEmpty)
        for node in [a, b] { await node.shutdown() }
    }
}
