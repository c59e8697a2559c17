import Foundation
import Testing
@testable import RakisCore
import RakisTestSupport

@Suite struct PacketCodingTests {
    @Test(arguments: SamplePackets.all)
    func everyPacketTypeRoundTripsThroughTheWire(packet: Packet) throws {
        let identity = NodeIdentity.generate()
        let signed = try identity.sign(packet)
        let envelope = try PacketEnvelope.decode(wire: signed.wireBytes)
        #expect(envelope.packet == packet)
        #expect(envelope.synthientId == identity.synthientId)
        #expect(try envelope.verify() == signed)
    }

    @Test func fieldNamesMatchTheReference() throws {
        let json = try PacketCoding.jsonValue(of: SamplePackets.all[0])
        #expect(json["type"] == .string("p2pInferenceRequest"))
        #expect(json["createdAt"] == .string("2024-05-01T12:00:00.250+00:00"))
        let frame = json["payload"]?["securityFrame"]
        #expect(frame?["secPercentage"] == .number(0.5))
        #expect(Set(frame?.objectValue?.keys ?? [:].keys) == ["quorum", "maxTimeMs", "secDistance", "secPercentage", "embeddingModel"])

        let status = try PacketCoding.jsonValue(of: .peerStatusUpdate(PeerStatusUpdate(status: .verifyingQuorum(requestId: "r"), createdAt: SamplePackets.createdAt)))
        #expect(status["status"] == .string("verifying quorum"))
        #expect(status["requestId"] == .string("r"))

        let rejected = try PacketCoding.jsonValue(of: SamplePackets.all[4])
        #expect(rejected["rejectReason"]?["type"] == .string("bembedding_hash_mismatch"))
    }

    /// A packet as the browser reference writes it: local time with an offset, keys in any order.
    @Test func decodesReferenceShapedJSON() throws {
        let text = #"""
            {"createdAt":"2024-05-01T17:30:00.250+05:30","type":"inferenceCommit",
             "bEmbeddingHash":"abc","inferenceId":"i","requestId":"r"}
            """#
        let packet = try PacketCoding.packet(from: try JSONParser().parse(text))
        guard case .inferenceCommit(let commit) = packet else { Issue.record("wrong case"); return }
        #expect(commit.createdAt == SamplePackets.createdAt)
    }

    @Test func timestampsNeedAnOffset() {
        #expect(ISO8601Timestamp.parse("2024-05-01T12:00:00Z") != nil)
        #expect(ISO8601Timestamp.parse("2024-05-01T12:00:00.5-01:00") == ISO8601Timestamp.parse("2024-05-01T13:00:00.500Z"))
        #expect(ISO8601Timestamp.parse("2024-05-01T12:00:00") == nil)
        #expect(ISO8601Timestamp.parse("2024-02-30T12:00:00Z") == nil)
        #expect(ISO8601Timestamp.parse("2024-05-01 12:00:00Z") == nil)
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000+00:00")
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999+00:00")
    }

    /// Found by the packet-envelope fuzz target: a time finer than a millisecond parsed to a
    /// value that formatted to a different one, so a decoded packet did not decode to itself.
    @Test func digitsBeyondTheMillisecondAreDroppedAsJavaScriptDropsThem() throws {
        let fine = try #require(ISO8601Timestamp.parse("2024-05-01T12:00:00.25008+00:00"))
        #expect(fine == ISO8601Timestamp.parse("2024-05-01T12:00:00.250Z"))
        #expect(ISO8601Timestamp.format(fine) == "2024-05-01T12:00:00.250+00:00")
        #expect(ISO8601Timestamp.parse("2024-05-01T12:00:00.999999999Z") == ISO8601Timestamp.parse("2024-05-01T12:00:00.999Z"))
        for text in ["1969-12-31T23:59:59.9995+00:00", "2024-05-01T17:30:00.1234+05:30", "2099-12-31T23:59:59.07-11:59"] {
            let date = try #require(ISO8601Timestamp.parse(text))
            #expect(ISO8601Timestamp.parse(ISO8601Timestamp.format(date)) == date, "\(text)")
        }
    }
}

@Suite struct PacketEncodingTests {
    /// A rate computed as 0/0 must give an error naming the field, never a crash or an
    /// unparseable packet on the wire.
    @Test func nonFiniteNumbersAreRefusedWithTheirField() {
        let packet = Packet.peerStatusUpdate(PeerStatusUpdate(
            status: .completedInference(tps: .nan, modelName: "m", totalTokens: 0), createdAt: SamplePackets.createdAt))
        #expect {
            try NodeIdentity.generate().sign(packet)
        } throws: { error in
            guard case .notRepresentable(let field, _) = error as? PacketEncodingError else { return false }
            return field == "packet.tps"
        }
    }
}
