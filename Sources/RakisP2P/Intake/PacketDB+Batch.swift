import Foundation
import GRDB
import Logging
import Synchronization
import RakisCore

/// Processing a batch: check (parse, time window, signature) on intake's threads, then
/// deduplicate, store with the peer-table updates, prune, publish.
extension PacketDB {
    /// The batch's packets that parse, lie in the accepted time window and carry a valid
    /// signature, in the batch's order. Exact copies of a packet verified lately, or of another
    /// in the batch, are checked once; a copy of an earlier packet of the batch is marked so, and
    /// is not looked for in the store.
    func check(_ batch: [Incoming]) async -> CheckedBatch {
        statistics.batches += 1
        let now = clock.now()
        let window = now.addingTimeInterval(-Double(settings.maxPacketAgeMs) / 1000)...now.addingTimeInterval(Double(settings.maxPacketClockSkewMs) / 1000)
        var outcomes = [IntakeCheck?](repeating: nil, count: batch.count)
        var jobs: [IntakeJob] = []
        var keys: [CopyKey] = []
        // The first item of the batch with each key; a later one is a copy and takes its outcome.
        // (`updateValue` looks the key up once for a new key, the common case.)
        var firstWithKey: [CopyKey: Int] = Dictionary(minimumCapacity: batch.count)
        var copyOf = [Int](repeating: -1, count: batch.count)
        // The job whose result each item takes, when it was not known already.
        var owners = [Int](repeating: -1, count: batch.count)
        for index in batch.indices {
            let key = batch[index].content.key
            if let first = firstWithKey.updateValue(index, forKey: key) {
                firstWithKey[key] = first
                copyOf[index] = first
            } else if case .verified(let packet, _) = batch[index].content {
                outcomes[index] = window.contains(packet.createdAt) ? .verified(packet) : .outsideTimeWindow
                recentlyVerified.insert(packet, forKey: key, bytes: key.bytes.count)
            } else if let known = recentlyVerified[key] {
                outcomes[index] = window.contains(known.createdAt) ? .verified(known) : .outsideTimeWindow
            } else {
                owners[index] = jobs.count
                jobs.append(batch[index].content)
                keys.append(key)
            }
        }
        let limits = PacketLimits(maxBytes: settings.maxPacketBytes)
        let results = await workers.map(jobs) { $0.check(limits: limits, window: window) }
        for (job, result) in results.enumerated() {
            switch result {
            case .verified(let packet):
                recentlyVerified.insert(packet, forKey: keys[job], bytes: keys[job].bytes.count)
                statistics.signaturesChecked += 1
            case .invalidSignature: statistics.signaturesChecked += 1
            case .malformed, .outsideTimeWindow: break
            }
        }
        func outcome(_ index: Int) -> IntakeCheck { outcomes[index] ?? results[owners[index]] }
        return tally(batch, outcomes: batch.indices.map { copyOf[$0] < 0 ? outcome($0) : outcome(copyOf[$0]) }, copyOf: copyOf)
    }

    /// The verified packets of a checked batch, in order; the rest counted and logged.
    private func tally(_ batch: [Incoming], outcomes: [IntakeCheck], copyOf: [Int]) -> CheckedBatch {
        var checked = CheckedBatch()
        checked.verified.reserveCapacity(batch.count)
        checked.firsts.reserveCapacity(batch.count)
        var malformedInBatch = 0, outside = 0, invalid = 0
        for (index, outcome) in outcomes.enumerated() {
            let item = batch[index]
            switch outcome {
            case .verified(let packet):
                let received = ReceivedPacket(transmitted: packet, receivedTime: item.receivedTime, deliveredThrough: item.deliveredThrough)
                checked.verified.append(received)
                if copyOf[index] < 0 { checked.firsts.append(received) }
            case .malformed(let error):
                malformedInBatch += 1
                logger.debug("dropped a malformed packet", metadata: ["transport": "\(item.deliveredThrough)", "error": "\(error)"])
            case .outsideTimeWindow: outside += 1
            case .invalidSignature: invalid += 1
            }
        }
        for _ in 0..<malformedInBatch { malformed.increment() }
        statistics.invalidSignatures += invalid
        if invalid > 0 { logger.debug("dropped packets with invalid signatures", metadata: ["count": "\(invalid)"]) }
        if outside > 0 {
            statistics.outsideTimeWindow += outside
            logger.info("refused packets created outside the accepted time window (replays or wrong clocks)", metadata: [
                "count": "\(outside)", "maxPacketAgeMs": "\(settings.maxPacketAgeMs)", "maxPacketClockSkewMs": "\(settings.maxPacketClockSkewMs)",
            ])
        }
        return checked
    }

    /// Stores a checked batch, counts it and publishes what was new.
    func file(_ checked: CheckedBatch) async {
        guard !checked.verified.isEmpty else { return }
        guard let outcome = await store(checked) else { return }
        statistics.duplicates += checked.verified.count - outcome.inserted.count
        statistics.stored += outcome.inserted.count
        statistics.pruned += outcome.pruned
        if outcome.pruned > 0 { logger.debug("pruned old packets", metadata: ["count": "\(outcome.pruned)"]) }

        var hearts = 0
        var fed: [ReceivedPacket] = [], typed: [PacketEvent] = []
        fed.reserveCapacity(outcome.inserted.count)
        typed.reserveCapacity(outcome.inserted.count)
        for received in outcome.inserted {
            if received.type == .peerHeart {
                hearts += 1
                if hearts > settings.peerHeartLimit { continue }
            }
            fed.append(received)
            if let event = event(for: received, isOwn: false) { typed.append(event) }
        }
        // A batch's events go out together: each hub's subscribers are read once a batch.
        feed.publish(contentsOf: fed)
        events.publish(contentsOf: typed)

        let bootSeen = outcome.inserted.contains {
            guard $0.type == .peerStatusUpdate, case .peerStatusUpdate(let update) = $0.packet, case .boot = update.status else { return false }
            return true
        }
        if outcome.newPeers || bootSeen { await maybeTransmitPeerList() }
    }

    /// Stores the new packets and applies every verified copy to the peer table in one
    /// transaction, pruning the oldest packets when the store is over its size; nil when the
    /// write failed (logged and counted).
    func store(_ checked: CheckedBatch) async -> (inserted: [ReceivedPacket], newPeers: Bool, pruned: Int)? {
        let verified = checked.verified
        let timestamp = clock.now()
        let pruneThreshold = settings.maxPacketDBSize + settings.packetDBPruneHysteresis
        let keep = settings.maxPacketDBSize
        let keepPeers = settings.maxPeerTableSize
        let peers = self.peers
        do {
            let outcome = try await store.pool.write { [self] db in
                try withStoredIdentities(in: db) { identities in
                    let inserted = try PacketStore.insertNew(checked.firsts, identities: &identities, in: db)
                    // Every verified copy counts for the peer table, so a packet that also came
                    // through a second transport still adds that transport to the sender's seenOn.
                    let newPeers = try peers.apply(verified, now: timestamp, in: db)
                    // Rows are added only for new senders and by peer lists; other batches skip the count.
                    let mayHaveGrown = newPeers || verified.contains { $0.type == .knownPeers }
                    let prunedPeers = mayHaveGrown ? try peers.prune(keeping: keepPeers, in: db) : 0
                    let total = identities.count
                    let pruned = total > pruneThreshold ? try PacketStore.prune(oldest: total - keep, identities: &identities, in: db) : 0
                    return (inserted: inserted, newPeers: newPeers, pruned: pruned, prunedPeers: prunedPeers)
                }
            }
            statistics.prunedPeers += outcome.prunedPeers
            return (outcome.inserted, outcome.newPeers, outcome.pruned)
        } catch {
            statistics.storageFailures += 1
            logger.error("could not store a batch of received packets", metadata: ["count": "\(verified.count)", "error": "\(error)"])
            return nil
        }
    }

    func publish(_ received: ReceivedPacket, isOwn: Bool) {
        feed.publish(received)
        if let event = event(for: received, isOwn: isOwn) { events.publish(event) }
    }

    /// The packet as the typed event the layers above consume; nil where they consume none.
    func event(for received: ReceivedPacket, isOwn: Bool) -> PacketEvent? {
        func delivered<Body>(_ body: Body) -> Delivered<Body> {
            Delivered(
                body: body, synthientId: received.synthientId, signature: received.signature,
                receivedTime: received.receivedTime, deliveredThrough: received.deliveredThrough, isOwn: isOwn)
        }
        switch received.packet {
        case .p2pInferenceRequest(let p): return .p2pInferenceRequest(delivered(p))
        case .inferenceCommit(let p): return .inferenceCommit(delivered(p))
        case .inferenceRevealRequest(let p):
            guard p.quorum.contains(where: { $0.synthientId == identity.synthientId }) else { return nil }
            return .inferenceRevealRequest(delivered(p))
        case .inferenceReveal(let p): return .inferenceReveal(delivered(p))
        case .inferenceRevealRejected(let p): return .inferenceRevealRejected(delivered(p))
        case .inferenceQuorumComputed(let p):
            guard p.verifiedBy == received.synthientId else {
                logger.debug("dropped a consensus result relayed by a node other than its author")
                return nil
            }
            return .inferenceQuorumComputed(delivered(p))
        case .peerStatusUpdate(let p): return .peerStatusUpdate(delivered(p))
        case .peerHeart(let p): return .peerHeart(delivered(p))
        case .chainAttestation(let p): return .chainAttestation(delivered(p))
        case .knownPeers, .peerConnectedChain, .peerInfo: return nil
        }
    }
}
