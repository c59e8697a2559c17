import RakisCore

extension FuzzTarget {
    /// What intake does with a peer's bytes: the envelope decoded under the default limits, its
    /// signature checked; a decoded packet must encode and decode to itself.
    static let packetEnvelope = FuzzTarget(name: "packet-envelope", summary: "PacketEnvelope decode and verify, Packet round trip") {
        bytes throws(FuzzFinding) in
        guard let envelope = try? PacketEnvelope.decode(wire: bytes) else { return }
        _ = try? envelope.verify()
        let json: JSONValue
        do { json = try PacketCoding.jsonValue(of: envelope.packet) } catch {
            throw FuzzFinding("a decoded packet does not encode: \(error)")
        }
        let again: Packet
        do { again = try PacketCoding.packet(from: json) } catch {
            throw FuzzFinding("an encoded packet does not decode: \(error); json: \(CanonicalJSON.string(of: json))")
        }
        try FuzzFinding.require(again == envelope.packet, "decode → encode → decode changed the packet: \(envelope.packet) became \(again)")
    }
}
