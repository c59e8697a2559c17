import RakisCore

/// A packet on the simulated network: who signed it and its size on the wire. Signatures are not
/// computed: the simulated network delivers every packet from the node that sent it, so there is
/// nothing to forge (intake's signature checks are tested against real peers elsewhere).
struct SimulatedPacket: Sendable {
    /// Unique in the run; the trace records it.
    let id: Int
    let sender: Int
    let synthientId: String
    let packet: Packet
    /// The envelope's bytes as a transport carries it: the canonical packet, a 64-byte signature and
    /// the 32-byte synthientId in hex, and the envelope's keys.
    let wireBytes: Int
    /// Sent to some nodes only (an equivocator's commits): the honest nodes that get it pass it on,
    /// as gossip does, so that every node can see both of two conflicting packets.
    let targeted: Bool

    init(id: Int, sender: Int, synthientId: String, packet: Packet, targeted: Bool) {
        self.id = id
        self.targeted = targeted
        self.sender = sender
        self.synthientId = synthientId
        self.packet = packet
        let canonical = (try? PacketCoding.jsonValue(of: packet)).map { CanonicalJSON.bytes(of: $0).count } ?? 0
        wireBytes = canonical + 128 + 64 + #"{"packet":,"signature":"","synthientId":""}"#.utf8.count
    }
}
