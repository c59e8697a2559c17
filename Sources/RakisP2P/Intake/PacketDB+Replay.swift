public import Foundation
import RakisCore

extension PacketDB {
    /// The packet types the layers above file: a restart must not lose one.
    static let filedTypes: [PacketType] = [
        .p2pInferenceRequest, .inferenceCommit, .inferenceRevealRequest, .inferenceReveal, .inferenceRevealRejected,
        .inferenceQuorumComputed, .chainAttestation,
    ]

    /// Publishes again, as events, the protocol packets stored in the last `window` seconds
    /// before the newest stored packet (at most `limit`), with the times they first arrived.
    ///
    /// Intake publishes a packet once it is stored, and the Domain files it a moment later, in
    /// its own store; a process killed in between keeps the packet here but never files it, and
    /// the copy a relay or peer delivers again is refused as a duplicate (a node restarted that way
    /// between its reveal and its consensus counts one reveal fewer than the others). Filing is
    /// idempotent, so what the Domain had already filed changes nothing. Call before the
    /// transports start. Returns how many packets were published.
    public func republishRecent(window: TimeInterval = 120, limit: Int = 10_000) async -> Int {
        let rows: [StoredPacket]
        do {
            rows = try await store.recentPackets(window: window, types: Self.filedTypes, limit: limit)
        } catch {
            logger.error("cannot read the packets stored before the start", metadata: ["error": "\(error)"])
            return 0
        }
        var published = 0
        for row in rows {
            guard let transmitted = row.transmitted() else {
                logger.warning("a stored packet fails its signature check; not published again", metadata: ["id": "\(row.id)", "type": "\(row.type)"])
                continue
            }
            let received = ReceivedPacket(
                transmitted: transmitted, receivedTime: Date(timeIntervalSince1970: row.receivedTime), deliveredThrough: row.deliveredThrough)
            if let event = event(for: received, isOwn: row.synthientId == identity.synthientId) { events.publish(event) }
            published += 1
        }
        if published > 0 {
            logger.info("published the packets stored just before the start again, for whatever a stop left unfiled", metadata: ["count": "\(published)"])
        }
        return published
    }
}
