import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSClient
import Logging
import NIOCore
import RakisCore
import RakisP2P
import ServiceLifecycle

/// Gossip: packets checked and passed on while they have hops left, catch-up answers, peer
/// exchange, and the ban for a peer that breaks the protocol.
extension MeshTransport {
    /// Answers a peer's catch-up with what it may have missed, in as few frames as fit: the newest
    /// packets its forwarding budget allows.
    func catchUp(session id: UInt64, peer: String, seconds: Int) {
        let all = catchUpLog.missed(by: peer, inLast: seconds, now: .now)
        guard let granted = connections[id]?.forwardBudget.take(upTo: all.count), let connection = connections[id] else { return }
        let missed = Array(all.suffix(granted))
        for frame in MeshCatchUpLog.frames(missed, maxBytes: configuration.maxFrameBytes - 4_096) { send(frame.text, to: connection.outgoing) }
        counters.caughtUp += missed.count
    }

    func learn(_ list: [String]) {
        guard configuration.exchangePeers else { return }
        defer { wakeDialer.yield() }
        for address in list where addresses[address] == nil && (address.hasPrefix("ws://") || address.hasPrefix("wss://")) {
            guard addresses.count < 4096 else { return }
            addresses[address] = AddressState(isBootstrap: false)
        }
    }

    /// The packets of one frame, in order, in one turn of the actor.
    func received(_ packets: [MeshPacket], session id: UInt64, from peer: String) throws(MeshProtocolError) {
        for packet in packets { try received(packet.envelope, hops: packet.hops, session: id, from: peer) }
    }

    func received(_ envelope: String, hops: Int, session id: UInt64, from peer: String) throws(MeshProtocolError) {
        counters.received += 1
        guard envelope.utf8.count <= configuration.maxPacketBytes else { throw .violation("packet over maxPacketBytes") }
        let packetId = Self.digest(envelope)
        guard seen.insert(packetId) else {
            counters.duplicates += 1
            gossip.peerHas(packetId, session: id)
            return
        }
        // Checked before it is passed on, so that garbage never spreads and its sender is found out.
        let bytes = Array(envelope.utf8)
        let verified: TransmittedPacket
        do {
            verified = try PacketEnvelope.decode(wire: bytes, limits: PacketLimits(maxBytes: configuration.maxPacketBytes)).verify()
        } catch {
            throw .violation("invalid packet: \(error)")
        }
        let origin = verified.synthientId
        gossip.arrived(packetId)
        if case .dropped = continuation.yield(TransportDelivery(bytes: bytes, from: peer, verified: verified)) { counters.droppedIncoming += 1 }
        let onward = MeshPacket(hops: max(0, hops - 1), envelope: envelope)
        catchUpLog.record(onward, origin: origin, from: peer, at: .now)
        guard hops > 1 else { return }
        passOn(onward, id: packetId, origin: origin, cameFrom: id)
    }

    /// Queues a frame on a connection; one its peer reads too slowly to take is counted.
    func send(_ frame: String, to outgoing: MeshOutbox) {
        counters.framesSent += 1
        if case .dropped = outgoing.yield(frame) { counters.droppedOutgoing += 1 }
    }

    /// Queues a packet on a connection; packets queued back to back leave in one frame.
    func send(_ packet: MeshPacket, to outgoing: MeshOutbox) {
        counters.framesSent += 1
        if case .dropped = outgoing.yield(packet: packet) { counters.droppedOutgoing += 1 }
    }

    /// Drops and bans a peer that broke the protocol; its address earns a strike, and enough
    /// strikes ban the address and close every connection from it.
    func punish(session id: UInt64, peer: String?, _ error: MeshProtocolError) {
        counters.violations += 1
        logger.warning("dropped a misbehaving mesh peer", metadata: ["peer": "\(peer ?? "before hello")", "reason": "\(error)"])
        if let peer { bans[peer] = .now + configuration.banDuration }
        sessions[id]?.finish()
        if connections.removeValue(forKey: id) != nil { stateChanges.fire() }
        guard let host = sessionHosts[id], addressGuard.identityBanned(from: host, now: .now) else { return }
        counters.addressBans += 1
        logger.warning("banned an address whose peers keep misbehaving", metadata: [
            "address": "\(host)", "for": "\(configuration.banDuration)", "bansBeforeAddressBan": "\(configuration.bansBeforeAddressBan)",
        ])
        for (otherId, otherHost) in sessionHosts where otherHost == host {
            sessions[otherId]?.finish()
            if connections.removeValue(forKey: otherId) != nil { stateChanges.fire() }
        }
    }

    static func digest(_ text: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(text.utf8))))
    }

    static func urlHost(_ ip: String) -> String { ip.contains(":") ? "[\(ip)]" : ip }
}
