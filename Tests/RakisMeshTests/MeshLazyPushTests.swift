import Foundation
import RakisCore
import RakisP2P
@testable import RakisMesh
import RakisTestSupport
import Testing

/// Gossip beyond the fan-out on real connections: a full mesh passes nothing on, a line pulls
/// what it is told of, and a peer that announces and never sends is routed around.
extension MeshTransportTests {
    /// Each node knows whom every peer is connected to, so that a packet straight from its
    /// signer is neither pushed nor announced further: N − 1 frames a packet (the goal of issue
    /// 21 is at most 2 × (N − 1); before lazy push it was N − 1 + (N − 1) × fan-out).
    @Test func aFullMeshSendsEachPacketOnceToEachPeerAndPassesNothingOn() async throws {
        let count = 6
        // Each node signs its packets with its mesh identity, as a node does.
        let identities = (0..<count).map { _ in NodeIdentity.generate() }
        let first = mesh(identity: identities[0])
        try await first.start()
        let address = try #require(await first.listenAddress())
        var nodes = [first]
        for k in 1..<count {
            let node = mesh(peers: [address], identity: identities[k])
            try await node.start()
            nodes.append(node)
        }
        let all = nodes
        #expect(await eventually {
            for node in all {
                let neighbors = await node.gossip.neighbors
                guard await node.statistics().peersWithKnownNeighbors == count - 1,
                      neighbors.values.allSatisfy({ $0.count == count - 1 }) else { return false }
            }
            return true
        }, "a full mesh in which every node knows its peers' neighbors")
        let inboxes = all.map(TransportInbox.init)
        var before: [MeshStatistics] = []
        for node in all { before.append(await node.statistics()) }
        let packets = try (0..<20).map { try SamplePackets.commitEnvelope($0, by: identities[$0 % 2 == 0 ? 0 : 3]) }
        for (n, packet) in packets.enumerated() { try await all[n % 2 == 0 ? 0 : 3].broadcast(packet) }
        #expect(await eventually {
            packets.enumerated().allSatisfy { n, packet in
                inboxes.enumerated().allSatisfy { k, inbox in k == (n % 2 == 0 ? 0 : 3) || inbox.contains(packet) }
            }
        })
        var frames = 0, forwarded = 0, announced = 0
        for (k, node) in all.enumerated() {
            let after = await node.statistics()
            frames += after.framesSent - before[k].framesSent
            forwarded += after.forwarded - before[k].forwarded
            announced += after.announced - before[k].announced
        }
        var detail: [String] = []
        for node in all { detail.append("\(await node.statistics().counters)") }
        #expect(forwarded == 0 && announced == 0, "forwarded \(forwarded), announced \(announced): \(detail)")
        #expect(frames <= packets.count * 2 * (count - 1), "\(frames) frames for \(packets.count) packets")
        #expect(inboxes.allSatisfy { inbox in Set(inbox.all.map(\.bytes)).count == inbox.all.count }, "each packet arrives once")
        for node in all { await node.shutdown() }
    }

    /// With no eager fan-out at all, a packet crosses a line by announcement and ask alone.
    @Test func aLineWithoutFanOutPullsWhatItIsToldOf() async throws {
        let a = mesh(exchange: false, fanout: 0)
        try await a.start()
        let b = mesh(peers: [try #require(await a.listenAddress())], exchange: false, fanout: 0)
        try await b.start()
        let c = mesh(peers: [try #require(await b.listenAddress())], exchange: false, fanout: 0)
        try await c.start()
        #expect(await eventually { await b.connectedPeers().count == 2 })
        let inboxC = TransportInbox(c)
        // The first packet may still reach c in b's answer to c's catch-up, which races it; the
        // second comes after both connections are settled.
        let first = try SamplePackets.commitEnvelope(1)
        try await a.broadcast(first)
        #expect(await eventually { inboxC.contains(first) })
        let (middleBefore, lastBefore) = (await b.statistics(), await c.statistics())
        let packet = try SamplePackets.commitEnvelope(2)
        try await a.broadcast(packet)
        #expect(await eventually { inboxC.contains(packet) })
        let (middle, last) = (await b.statistics(), await c.statistics())
        #expect(middle.forwarded == 0, "\(middle)")
        #expect(middle.announced - middleBefore.announced == 1 && middle.served - middleBefore.served == 1, "\(middle)")
        #expect(last.requested - lastBefore.requested == 1, "\(last)")
        for node in [a, b, c] { await node.shutdown() }
    }

    /// A peer that announces a packet and never sends it holds it up for `askAgainAfter`; then
    /// the next peer that announced it is asked, and the packet arrives.
    @Test func aPeerThatAnnouncesAndNeverSendsIsRoutedAround() async throws {
        let target = mesh(exchange: false, fanout: 0, askAgainAfter: .seconds(2))
        try await target.start()
        let targetAddress = try #require(await target.listenAddress())
        let honest = mesh(peers: [targetAddress], exchange: false, fanout: 0)
        try await honest.start()
        let signer = mesh(listen: false, peers: [try #require(await honest.listenAddress())], exchange: false, fanout: 0)
        try await signer.start()
        #expect(await eventually { await honest.connectedPeers().count == 2 })
        let inbox = TransportInbox(target)
        let packet = try SamplePackets.commitEnvelope(1)
        let packetId = MeshTransport.digest(String(decoding: packet, as: UTF8.self))
        await attack(targetAddress, identity: .generate(), frames: [MeshMessage.ihave([packetId]).text]) {
            await target.statistics().requested == 1
        }
        #expect(await target.statistics().requested == 1, "the liar was asked")
        try await signer.broadcast(packet)
        #expect(await eventually { inbox.contains(packet) })
        let stats = await target.statistics()
        #expect(stats.brokenPromises == 1 && stats.requested == 2, "\(stats)")
        for node in [target, honest, signer] { await node.shutdown() }
    }
}
