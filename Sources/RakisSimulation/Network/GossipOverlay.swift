import RakisCore

/// A sparse mesh among the simulated nodes, as bootstrap and peer exchange build one: each node
/// dials its successor (so that the mesh is connected) and random others until it has dialed
/// half its degree; connections go both ways.
struct GossipOverlay: Sendable {
    let peers: [[Int]]
    let peerSets: [Set<Int>]
    /// Peers a node pushes a packet it passes on to; the rest are announced to.
    let fanout: Int

    init(nodes: Int, degree: Int, fanout: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed ^ 0x6F76_6572_6C61_7900)
        var sets = Array(repeating: Set<Int>(), count: nodes)
        func link(_ a: Int, _ b: Int) {
            sets[a].insert(b)
            sets[b].insert(a)
        }
        let dials = max(1, min(nodes - 1, degree / 2))
        for node in 0..<nodes where nodes > 1 {
            link(node, (node + 1) % nodes)
            var dialed = 1
            var attempts = 0
            while dialed < dials, attempts < dials * 8 {
                attempts += 1
                let other = Int(random.next() % UInt64(nodes))
                guard other != node, !sets[node].contains(other) else { continue }
                link(node, other)
                dialed += 1
            }
        }
        peerSets = sets
        peers = sets.map { $0.sorted() }
        self.fanout = fanout
    }
}

/// What one packet's spread over the overlay cost: frames that carried it whole (the signer's,
/// pushes, answers to asks), announcements of its id, and asks.
struct GossipCost: Sendable {
    var packetFrames = 0
    var announcements = 0
    var asks = 0
}
