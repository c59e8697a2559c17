import Foundation
import Testing
@testable import RakisCore
import RakisTestSupport

@Suite struct SigningTests {
    let identity = NodeIdentity.generate()

    func verifies(_ wire: [UInt8]) throws -> Bool {
        let envelope = try PacketEnvelope.decode(wire: wire)
        return (try? envelope.verify()) != nil
    }

    @Test func signatureCoversTheCanonicalBytes() throws {
        let signed = try identity.sign(SamplePackets.all[2])
        #expect(PacketSignature.isValid(signature: signed.signature, synthientId: identity.synthientId, message: signed.canonicalPacket))
        #expect(signed.synthientId == identity.synthientId)
        #expect(Hex.isLowercaseHex(signed.signature, byteCount: 64))
        // Ed25519 is deterministic: the same packet signs the same way.
        #expect(try identity.sign(SamplePackets.all[2]).signature == signed.signature)
    }

    @Test func keyOrderAndWhitespaceOnTheWireDoNotMatter() throws {
        let signed = try identity.sign(SamplePackets.all[1])
        guard case .object(let body) = try JSONParser().parse(signed.canonicalPacket) else { return }
        // Hand-written JSON with members reversed and extra spaces.
        let members = body.sorted { $0.key > $1.key }.map { "  \"\($0.key)\" :  \(CanonicalJSON.string(of: $0.value))" }
        let wire = "{ \"synthientId\": \"\(signed.synthientId)\",\n \"packet\": {\n\(members.joined(separator: ",\n"))\n},\n \"signature\": \"\(signed.signature)\" }"
        #expect(try verifies(Array(wire.utf8)))
    }

    @Test func tamperedPacketIsRejected() throws {
        let wire = try SamplePackets.editedWire(SamplePackets.all[1], by: identity) { $0["bEmbeddingHash"] = .string(String(repeating: "ff", count: 32)) }
        #expect(try !verifies(wire))
        let added = try SamplePackets.editedWire(SamplePackets.all[1], by: identity) { $0["note"] = .string("extra") }
        #expect(try !verifies(added))
    }

    @Test func reorderedQuorumIsRejected() throws {
        let wire = try SamplePackets.editedWire(SamplePackets.all[2], by: identity) { body in
            guard case .array(let members)? = body["quorum"] else { return }
            body["quorum"] = .array(members.reversed())
        }
        #expect(try !verifies(wire))
    }

    /// The same instant written with another offset is a different signed text.
    @Test func reencodedTimestampIsRejected() throws {
        let wire = try SamplePackets.editedWire(SamplePackets.all[1], by: identity) { $0["createdAt"] = .string("2024-05-01T14:00:00.250+02:00") }
        let envelope = try PacketEnvelope.decode(wire: wire)
        #expect(envelope.packet.createdAt == SamplePackets.createdAt)
        #expect((try? envelope.verify()) == nil)
    }

    @Test func reencodedUnicodeIsRejected() throws {
        // "é" precomposed (NFC) in the signed packet, decomposed (NFD) on the wire.
        let packet = Packet.peerInfo(PeerInfo(deviceInfo: "caf\u{E9}", createdAt: SamplePackets.createdAt))
        let wire = try SamplePackets.editedWire(packet, by: identity) { $0["deviceInfo"] = .string("cafe\u{301}") }
        #expect(try !verifies(wire))
    }

    @Test func signatureFromAnotherKeyIsRejected() throws {
        let impostor = NodeIdentity.generate()
        let signed = try impostor.sign(SamplePackets.all[1])
        let wire = String(decoding: signed.wireBytes, as: UTF8.self).replacingOccurrences(of: impostor.synthientId, with: identity.synthientId)
        let envelope = try PacketEnvelope.decode(wire: Array(wire.utf8))
        #expect(throws: SignatureError.invalid(synthientId: identity.synthientId, type: .inferenceCommit)) { try envelope.verify() }
    }

    @Test func identityRoundTripsThroughItsSeed() throws {
        let copy = try NodeIdentity(seed: identity.seed)
        #expect(copy.synthientId == identity.synthientId)
        #expect(throws: IdentityError.invalidSeed) { try NodeIdentity(seed: [1, 2, 3]) }
    }
}
