/// A broadcast spread over a sparse mesh as the mesh transport spreads it: the signer sends to
/// every peer; a node that gets the packet first pushes it to `fanout` peers that neither signed
/// it nor are the signer's peers, and announces its id to the others (in batches, on average half
/// the 20-ms batching later); a peer the announcement reaches before the packet asks for it and
/// gets it from the announcer. A lost answer leaves the packet to the next announcement.
extension SimulatedNetwork {
    static let announceDelayMs: Int64 = 10
    /// An id in an `ihave` frame: 64 hex digits, quotes and a comma.
    static let announcementBytes = 67

    mutating func gossipDeliveries(of packet: SimulatedPacket, from source: Int, at now: Int64, over overlay: GossipOverlay) -> [(receiver: Int, at: Int64)] {
        traffic[source].packetsSent += 1
        var arrived = [Int64?](repeating: nil, count: nodes)
        var cameFrom = [Int](repeating: -1, count: nodes)
        var asked = [Bool](repeating: false, count: nodes)
        var frontier = EventQueue<GossipStep>()
        frontier.schedule(.arrive(node: source, from: source), at: now)
        while let (time, step) = frontier.next() {
            switch step {
            case .arrive(let node, let from):
                guard arrived[node] == nil else { continue }
                arrived[node] = time
                cameFrom[node] = from
                spread(packet, at: node, time: time, source: source, cameFrom: from, overlay: overlay, frontier: &frontier)
            case .announced(let from, let to):
                guard arrived[to] == nil, !asked[to] else { continue }
                asked[to] = true
                traffic[to].asksSent += 1
                let askArrives = time + latency()
                if isLost(to, from, at: time) { asked[to] = false; continue }
                traffic[from].framesSent += 1
                traffic[from].bytesSent += packet.wireBytes
                if isLost(from, to, at: askArrives) {
                    traffic[to].packetsLost += 1
                    asked[to] = false
                    continue
                }
                traffic[to].packetsReceived += 1
                traffic[to].bytesReceived += packet.wireBytes
                frontier.schedule(.arrive(node: to, from: from), at: askArrives + latency())
            }
        }
        return arrived.enumerated().compactMap { node, at in at.map { (node, $0) } }
    }

    private mutating func spread(
        _ packet: SimulatedPacket, at node: Int, time: Int64, source: Int, cameFrom: Int, overlay: GossipOverlay, frontier: inout EventQueue<GossipStep>
    ) {
        var targets = overlay.peers[node].filter { $0 != cameFrom && $0 != source }
        var pushes = targets.count
        if node != source {
            if overlay.peerSets[node].contains(source) { targets.removeAll { overlay.peerSets[source].contains($0) } }
            for i in targets.indices.dropLast() {
                targets.swapAt(i, i + Int(unit() * Double(targets.count - i)))
            }
            pushes = min(overlay.fanout, targets.count)
        }
        for (k, peer) in targets.enumerated() {
            if k < pushes {
                traffic[node].framesSent += 1
                traffic[node].bytesSent += packet.wireBytes
                if isLost(node, peer, at: time) { traffic[peer].packetsLost += 1; continue }
                traffic[peer].packetsReceived += 1
                traffic[peer].bytesReceived += packet.wireBytes
                frontier.schedule(.arrive(node: peer, from: node), at: time + latency())
            } else {
                traffic[node].announcementsSent += 1
                traffic[node].bytesSent += Self.announcementBytes
                if isLost(node, peer, at: time) { continue }
                frontier.schedule(.announced(from: node, to: peer), at: time + Self.announceDelayMs + latency())
            }
        }
    }

    private mutating func isLost(_ a: Int, _ b: Int, at time: Int64) -> Bool {
        isCut(a, b, at: time) || (model.loss > 0 && unit() < model.loss)
    }
}

/// One step of a packet's spread: it reaches a node, or an announcement of it does.
enum GossipStep {
    case arrive(node: Int, from: Int)
    case announced(from: Int, to: Int)
}
