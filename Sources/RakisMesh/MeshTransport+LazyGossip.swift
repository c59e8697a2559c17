import RakisCore

/// Passing packets on: pushed at once to a few peers, announced by id to the rest, sent to those
/// that ask; and the peers a packet's signer reached itself are left out altogether.
extension MeshTransport {
    /// Pushes `packet` to up to `fanout` peers and announces it to the others, leaving out the
    /// peer it came from, its signer, and the signer's neighbors: the signer sends its packets to
    /// every peer it has, so in a full mesh nobody passes anything on.
    func passOn(_ packet: MeshPacket, id packetId: String, origin: String, cameFrom session: UInt64?) {
        packetCache.insert(packet, forKey: packetId, bytes: packet.envelope.utf8.count)
        var covered: Set<String> = [origin]
        if let (originSession, _) = connections.first(where: { $0.value.synthientId == origin }),
           let theirs = gossip.neighbors[originSession] {
            covered.formUnion(theirs)
        }
        var pushed = 0
        for key in connections.keys.shuffled() where key != session {
            guard let target = connections[key], !covered.contains(target.synthientId) else { continue }
            if pushed < configuration.fanout {
                if connections[key]?.forwardBudget.take() == true {
                    send(packet, to: target.outgoing)
                    pushed += 1
                    continue
                }
                // A peer whose budget is spent is told instead, so that passing on a flood never
                // gets this node banned by its peers; it asks when it has room.
                counters.heldBackForwards += 1
            }
            gossip.announce(packetId, to: key)
            counters.announced += 1
        }
        counters.forwarded += pushed
        if !gossip.announcements.isEmpty { scheduleGossip(at: .now + configuration.announceDelay) }
    }

    /// A peer announced packets: ask it for those this node has neither seen nor asked for.
    func offered(_ ids: [String], session id: UInt64) {
        guard let connection = connections[id] else { return }
        var ask: [String] = []
        let now = ContinuousClock.now
        for packetId in ids {
            if seen.contains(packetId) {
                gossip.peerHas(packetId, session: id)
            } else if gossip.offered(packetId, by: id, now: now) {
                ask.append(packetId)
            }
        }
        guard !ask.isEmpty else { return }
        send(MeshMessage.iwant(ask).text, to: connection.outgoing)
        counters.requested += ask.count
        if let due = gossip.nextRetry { scheduleGossip(at: due) }
    }

    /// A peer asks for packets: those still cached go in as few frames as fit, within its
    /// forwarding budget; the rest it will ask another peer for.
    func serve(_ ids: [String], session id: UInt64) {
        let packets = ids.compactMap { packetCache[$0] }
        guard !packets.isEmpty, let granted = connections[id]?.forwardBudget.take(upTo: packets.count),
              let connection = connections[id] else { return }
        counters.heldBackForwards += packets.count - granted
        for frame in MeshCatchUpLog.frames(Array(packets.prefix(granted)), maxBytes: configuration.maxFrameBytes - 4_096) {
            send(frame.text, to: connection.outgoing)
        }
        counters.served += granted
    }

    func neighbors(_ ids: [String], session id: UInt64) {
        guard connections[id] != nil else { return }
        gossip.setNeighbors(ids, of: id)
    }

    /// Something changed in this node's connections: its peers hear of it at the next flush.
    func connectionsChanged() {
        scheduleGossip(at: .now + configuration.announceDelay)
    }

    /// Runs `flushGossip` at `due` at the latest (an earlier timer stays).
    func scheduleGossip(at due: ContinuousClock.Instant) {
        guard !isShutDown else { return }
        if let scheduled = gossipDue, scheduled <= due { return }
        gossipTimer?.cancel()
        gossipDue = due
        gossipTimer = Task { [weak self] in
            try? await Task.sleep(until: due, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.flushGossip()
        }
    }

    /// Sends the announcements gathered since the last flush, asks again where answers are
    /// overdue, and tells peers of changed neighbors.
    func flushGossip() {
        gossipDue = nil
        gossipTimer = nil
        for (session, ids) in gossip.takeAnnouncements() {
            guard let connection = connections[session] else { continue }
            for start in stride(from: 0, to: ids.count, by: MeshMessage.maxIdsPerFrame) {
                send(MeshMessage.ihave(Array(ids[start..<min(ids.count, start + MeshMessage.maxIdsPerFrame)])).text, to: connection.outgoing)
            }
        }
        let broken = gossip.brokenPromises
        for (session, ids) in gossip.retries(now: .now) {
            guard let connection = connections[session] else { continue }
            send(MeshMessage.iwant(ids).text, to: connection.outgoing)
            counters.requested += ids.count
        }
        counters.brokenPromises += gossip.brokenPromises - broken
        tellNeighbors()
        if let due = gossip.nextRetry { scheduleGossip(at: due) }
    }

    /// Every peer learns whom this node is connected to when that changed, a new peer always.
    private func tellNeighbors() {
        let current = Set(connections.values.map(\.synthientId))
        if current != neighborsTold.ids { neighborsTold = (current, []) }
        let frame = MeshMessage.neighbors(current.sorted()).text
        for (session, connection) in connections where !neighborsTold.sessions.contains(session) {
            send(frame, to: connection.outgoing)
            neighborsTold.sessions.insert(session)
        }
    }
}
