import Foundation
import GRDB
import Logging
import RakisCore

/// Processing a batch: check the time window, verify, deduplicate, store with the peer-table
/// updates, prune, publish.
extension PacketDB {
    func ingest(_ received: [Incoming]) async {
        let items = withinTimeWindow(received)
        guard !items.isEmpty else { return }
        let known: [String: [UInt8]]
        do {
            known = try await store.pool.read { db in try PacketStore.storedBytes(for: items.map(\.envelope), in: db) }
        } catch {
            statistics.storageFailures += 1
            logger.error("could not look up received packets", metadata: ["error": "\(error)"])
            return
        }
        let (verified, invalid) = await Self.verify(items, known: known)
        statistics.invalidSignatures += invalid
        if invalid > 0 { logger.debug("dropped packets with invalid signatures", metadata: ["count": "\(invalid)"]) }

        var seen = Set<String>()
        let unique = verified.filter { seen.insert($0.synthientId + $0.signature).inserted }

        guard let outcome = await store(unique, verified: verified) else { return }
        statistics.duplicates += verified.count - outcome.inserted.count
        statistics.stored += outcome.inserted.count
        statistics.pruned += outcome.pruned
        if outcome.pruned > 0 { logger.debug("pruned old packets", metadata: ["count": "\(outcome.pruned)"]) }

        var hearts = 0
        for received in outcome.inserted {
            if case .peerHeart = received.packet {
                hearts += 1
                if hearts > settings.peerHeartLimit { continue }
            }
            publish(received, isOwn: false)
        }

        let bootSeen = outcome.inserted.contains {
            if case .peerStatusUpdate(let update) = $0.packet, case .boot = update.status { return true }
            return false
        }
        if outcome.newPeers || bootSeen { await maybeTransmitPeerList() }
    }

    /// The packets whose `createdAt` lies in the accepted window; the others are counted and
    /// logged once per batch. Checked first, before the store lookup and the signature checks
    /// (a replay flood costs no Ed25519 work), so a replay of a packet the store has pruned is
    /// refused as surely as a duplicate of one it still holds.
    func withinTimeWindow(_ packets: [Incoming]) -> [Incoming] {
        let now = clock.now()
        let oldest = now.addingTimeInterval(-Double(settings.maxPacketAgeMs) / 1000)
        let newest = now.addingTimeInterval(Double(settings.maxPacketClockSkewMs) / 1000)
        let kept = packets.filter { (oldest...newest).contains($0.envelope.packet.createdAt) }
        let refused = packets.count - kept.count
        if refused > 0 {
            statistics.outsideTimeWindow += refused
            logger.info("refused packets created outside the accepted time window (replays or wrong clocks)", metadata: [
                "count": "\(refused)", "maxPacketAgeMs": "\(settings.maxPacketAgeMs)", "maxPacketClockSkewMs": "\(settings.maxPacketClockSkewMs)",
            ])
        }
        return kept
    }

    /// Stores the new packets and applies every verified copy to the peer table in one
    /// transaction, pruning the oldest packets when the store is over its size; nil when the
    /// write failed (logged and counted).
    func store(_ unique: [ReceivedPacket], verified: [ReceivedPacket]) async -> (inserted: [ReceivedPacket], newPeers: Bool, pruned: Int)? {
        let timestamp = clock.now()
        let pruneThreshold = settings.maxPacketDBSize + settings.packetDBPruneHysteresis
        let keep = settings.maxPacketDBSize
        let keepPeers = settings.maxPeerTableSize
        let knownCount = storedCount
        let peers = self.peers
        do {
            let outcome = try await store.pool.write { db in
                let inserted = try PacketStore.insertNew(unique, in: db)
                // Every verified copy counts for the peer table, so a packet that also came
                // through a second transport still adds that transport to the sender's seenOn.
                let newPeers = try peers.apply(verified, now: timestamp, in: db)
                // Rows are added only for new senders and by peer lists; other batches skip the count.
                let mayHaveGrown = newPeers || verified.contains { if case .knownPeers = $0.packet { true } else { false } }
                let prunedPeers = mayHaveGrown ? try peers.prune(keeping: keepPeers, in: db) : 0
                var total = try knownCount.map { $0 + inserted.count } ?? StoredPacket.fetchCount(db)
                var pruned = 0
                if total > pruneThreshold {
                    pruned = try PacketStore.prune(keeping: keep, in: db)
                    total -= pruned
                }
                return (inserted: inserted, newPeers: newPeers, total: total, pruned: pruned, prunedPeers: prunedPeers)
            }
            storedCount = outcome.total
            statistics.prunedPeers += outcome.prunedPeers
            return (outcome.inserted, outcome.newPeers, outcome.pruned)
        } catch {
            statistics.storageFailures += 1
            logger.error("could not store a batch of received packets", metadata: ["count": "\(unique.count)", "error": "\(error)"])
            return nil
        }
    }

    /// Signature checks run off the actor so that receiving is never held up by them. A copy
    /// whose bytes equal ones already verified under the same id and signature — earlier in
    /// this batch, or stored before — is accepted without a second Ed25519 check.
    private nonisolated static func verify(_ items: [Incoming], known: [String: [UInt8]]) async -> ([ReceivedPacket], Int) {
        var verifiedBytes = known
        var verified: [ReceivedPacket] = []
        verified.reserveCapacity(items.count)
        var invalid = 0
        for item in items {
            let key = item.envelope.synthientId + item.envelope.signature
            let transmitted: TransmittedPacket
            if let bytes = verifiedBytes[key], let match = item.envelope.verify(matchingVerifiedBytes: bytes) {
                transmitted = match
            } else if let checked = try? item.envelope.verify() {
                transmitted = checked
                verifiedBytes[key] = checked.canonicalPacket
            } else {
                invalid += 1
                continue
            }
            verified.append(ReceivedPacket(transmitted: transmitted, receivedTime: item.receivedTime, deliveredThrough: item.deliveredThrough))
        }
        return (verified, invalid)
    }

    func publish(_ received: ReceivedPacket, isOwn: Bool) {
        func delivered<Body>(_ body: Body) -> Delivered<Body> {
            Delivered(
                body: body, synthientId: received.synthientId, signature: received.signature,
                receivedTime: received.receivedTime, deliveredThrough: received.deliveredThrough, isOwn: isOwn)
        }
        feed.publish(received)
        switch received.packet {
        case .p2pInferenceRequest(let p): events.publish(.p2pInferenceRequest(delivered(p)))
        case .inferenceCommit(let p): events.publish(.inferenceCommit(delivered(p)))
        case .inferenceRevealRequest(let p):
            if p.quorum.contains(where: { $0.synthientId == identity.synthientId }) {
                events.publish(.inferenceRevealRequest(delivered(p)))
            }
        case .inferenceReveal(let p): events.publish(.inferenceReveal(delivered(p)))
        case .inferenceRevealRejected(let p): events.publish(.inferenceRevealRejected(delivered(p)))
        case .inferenceQuorumComputed(let p):
            if p.verifiedBy == received.synthientId {
                events.publish(.inferenceQuorumComputed(delivered(p)))
            } else {
                logger.debug("dropped a consensus result relayed by a node other than its author")
            }
        case .peerStatusUpdate(let p): events.publish(.peerStatusUpdate(delivered(p)))
        case .peerHeart(let p): events.publish(.peerHeart(delivered(p)))
        case .chainAttestation(let p): events.publish(.chainAttestation(delivered(p)))
        case .knownPeers, .peerConnectedChain, .peerInfo: break
        }
    }
}
