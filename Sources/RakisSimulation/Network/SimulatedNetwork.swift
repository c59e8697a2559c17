import Foundation
import RakisCore

/// Links between the simulated nodes: when a packet sent at a time reaches each receiver, if at
/// all (latency drawn per delivery from a log-normal, independent loss, a partition between the
/// two halves of the nodes), and what every node sent and received.
struct SimulatedNetwork {
    let model: NetworkModel
    let nodes: Int
    private var random: SeededRandom
    var traffic: [Traffic]
    /// The sparse mesh broadcasts spread over, when the model has one.
    let overlay: GossipOverlay?
    /// Nodes that reach no one right now (`ChurnModel.outages`).
    var offline: Set<Int> = []

    struct Traffic: Sendable, Hashable {
        var packetsSent = 0
        var bytesSent = 0
        var packetsReceived = 0
        var bytesReceived = 0
        var packetsLost = 0
        /// Frames that carried a packet whole (to one peer each), asks for announced packets, and
        /// announcements of packet ids (`ihave` entries).
        var framesSent = 0
        var asksSent = 0
        var announcementsSent = 0
    }

    init(model: NetworkModel, nodes: Int, seed: UInt64) {
        self.model = model
        self.nodes = nodes
        random = SeededRandom(seed: seed ^ 0x6E65_7477_6F72_6B00)
        traffic = Array(repeating: Traffic(), count: nodes)
        overlay = model.meshDegree.map { GossipOverlay(nodes: nodes, degree: $0, fanout: model.fanout, seed: seed) }
    }

    /// A packet its signer sends to everyone: straight to each node, or by gossip over the mesh.
    mutating func broadcast(of packet: SimulatedPacket, from source: Int, at now: Int64) -> [(receiver: Int, at: Int64)] {
        if let overlay { return gossipDeliveries(of: packet, from: source, at: now, over: overlay) }
        return deliveries(of: packet, from: source, at: now, to: Array(0..<nodes))
    }

    /// The arrival time of `packet`, sent by `source` (its signer, or a node passing it on), at
    /// each receiver (the source itself at once, as its own intake sees its packets); lost
    /// deliveries are left out.
    mutating func deliveries(of packet: SimulatedPacket, from source: Int, at now: Int64, to receivers: [Int]) -> [(receiver: Int, at: Int64)] {
        traffic[source].packetsSent += 1
        var arrivals: [(receiver: Int, at: Int64)] = []
        arrivals.reserveCapacity(receivers.count)
        for receiver in receivers {
            if receiver == source {
                arrivals.append((receiver, now))
                continue
            }
            traffic[source].bytesSent += packet.wireBytes
            traffic[source].framesSent += 1
            if isCut(source, receiver, at: now) || (model.loss > 0 && unit() < model.loss) {
                traffic[receiver].packetsLost += 1
                continue
            }
            traffic[receiver].packetsReceived += 1
            traffic[receiver].bytesReceived += packet.wireBytes
            arrivals.append((receiver, now + latency()))
        }
        return arrivals
    }

    func isCut(_ a: Int, _ b: Int, at now: Int64) -> Bool {
        if offline.contains(a) || offline.contains(b) { return true }
        guard let partition = model.partition, partition.contains(Int(now)) else { return false }
        return (a < nodes / 2) != (b < nodes / 2)
    }

    /// Milliseconds, at least 1: the median times e^(σ·z), z standard normal (Box–Muller).
    mutating func latency() -> Int64 {
        guard model.latencySpread > 0 else { return max(1, Int64(model.medianLatencyMs.rounded())) }
        let u1 = max(unit(), .leastNonzeroMagnitude), u2 = unit()
        let z = (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
        return max(1, Int64((model.medianLatencyMs * Foundation.exp(model.latencySpread * z)).rounded()))
    }

    mutating func unit() -> Double { random.nextUnit() }
}
