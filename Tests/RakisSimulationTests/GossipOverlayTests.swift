import RakisCore
import Testing

@testable import RakisSimulation

/// Spreading a broadcast over a sparse mesh: every node gets it once, pushes and announcements
/// cost what the mesh transport's rules say, and a signer's own peers are never told again.
struct GossipOverlayTests {
    @Test func theOverlayIsConnectedAndAboutTheDegreeAsked() {
        let overlay = GossipOverlay(nodes: 200, degree: 8, fanout: 3, seed: 4)
        var reached: Set<Int> = [0]
        var frontier = [0]
        while let node = frontier.popLast() {
            for peer in overlay.peers[node] where reached.insert(peer).inserted { frontier.append(peer) }
        }
        #expect(reached.count == 200)
        let mean = Double(overlay.peers.map(\.count).reduce(0, +)) / 200
        #expect((7...9).contains(mean), "mean degree \(mean)")
        #expect(overlay.peers.enumerated().allSatisfy { node, peers in peers.allSatisfy { overlay.peerSets[$0].contains(node) } })
    }

    @Test func aBroadcastReachesEveryNodeOnceAndCostsLessThanFlooding() {
        var model = NetworkModel(medianLatencyMs: 50, latencySpread: 0.3)
        model.meshDegree = 8
        var network = SimulatedNetwork(model: model, nodes: 300, seed: 2)
        let arrivals = network.broadcast(of: SimulationPartsTests.packet(from: 5), from: 5, at: 1_000)
        #expect(Set(arrivals.map(\.receiver)).count == 300 && arrivals.count == 300)
        #expect(arrivals.first { $0.receiver == 5 }?.at == 1_000)
        let frames = network.traffic.map(\.framesSent).reduce(0, +)
        let announcements = network.traffic.map(\.announcementsSent).reduce(0, +)
        let asks = network.traffic.map(\.asksSent).reduce(0, +)
        // Flooding to every peer would send each node's packet to all of its ~8 peers: ~2,400 frames.
        #expect(frames < 300 * 5, "\(frames) frames")
        #expect(frames >= 299, "every node but the signer got it whole once at least")
        #expect(asks <= announcements && asks > 0)
        // The signer's peers got it from the signer; none of them is pushed or announced it again
        // by a node that is also the signer's peer.
        #expect(network.traffic[5].framesSent == network.overlay!.peers[5].count)
    }

    @Test func withoutAMeshEveryNodeGetsItStraightFromTheSigner() {
        var network = SimulatedNetwork(model: NetworkModel(), nodes: 10, seed: 2)
        _ = network.broadcast(of: SimulationPartsTests.packet(from: 0), from: 0, at: 0)
        #expect(network.traffic.map(\.framesSent).reduce(0, +) == 9)
        #expect(network.traffic.map(\.announcementsSent).reduce(0, +) == 0)
    }
}
