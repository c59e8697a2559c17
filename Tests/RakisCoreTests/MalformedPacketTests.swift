import Testing
@testable import RakisCore
import RakisTestSupport

/// Hostile and broken input: every case must end in a typed error that says what is wrong.
@Suite struct MalformedPacketTests {
    static let identity = NodeIdentity.generate()
    static let commit = SamplePackets.all[1]
    static let request = SamplePackets.all[0]

    func decodeError(_ bytes: [UInt8], limits: PacketLimits = .init()) -> PacketDecodingError? {
        do {
            _ = try PacketEnvelope.decode(wire: bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    func edited(_ packet: Packet, _ edit: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        try SamplePackets.editedWire(packet, by: Self.identity, edit)
    }

    @Test func missingFieldsAreNamed() throws {
        #expect(decodeError(try edited(Self.commit) { $0["bEmbeddingHash"] = nil }) == .missingField("packet.bEmbeddingHash"))
        let nested = try edited(Self.request) { body in
            guard case .object(var payload)? = body["payload"], case .object(var frame)? = payload["securityFrame"] else { return }
            frame["quorum"] = nil
            payload["securityFrame"] = .object(frame)
            body["payload"] = .object(payload)
        }
        #expect(decodeError(nested) == .missingField("packet.payload.securityFrame.quorum"))
        #expect(decodeError(Array(#"{"signature":"00","packet":{}}"#.utf8)) == .missingField("synthientId"))
    }

    @Test func wrongTypesAreNamed() throws {
        #expect(decodeError(try edited(Self.commit) { $0["requestId"] = .number(7) }) == .wrongType(field: "packet.requestId", expected: "a string"))
        #expect(decodeError(try edited(Self.request) { body in
            guard case .object(var payload)? = body["payload"] else { return }
            payload["maxTokens"] = .string("64")
            body["payload"] = .object(payload)
        }) == .wrongType(field: "packet.payload.maxTokens", expected: "an integer"))
        #expect(decodeError(try edited(Self.commit) { $0["type"] = .null }) == .wrongType(field: "packet.type", expected: "a string, not null"))
        #expect(decodeError(Array(#"[1,2]"#.utf8)) == .wrongType(field: "envelope", expected: "an object"))
        #expect(decodeError(Array("{\"synthientId\":\"\(SamplePackets.peerId)\",\"signature\":\"\(String(repeating: "0", count: 128))\",\"packet\":\"x\"}".utf8))
                == .wrongType(field: "packet", expected: "an object"))
    }

    @Test func badValuesAreNamed() throws {
        let reveal = SamplePackets.all[3]
        let outOfRange = try edited(reveal) { $0["bEmbedding"] = .array([.number(300)]) }
        guard case .invalidValue(let field, _)? = decodeError(outOfRange) else { Issue.record("expected invalidValue"); return }
        #expect(field == "packet.bEmbedding[0]")

        let fractional = try edited(reveal) { $0["bEmbedding"] = .array([.number(1), .number(2.5)]) }
        guard case .invalidValue(let field2, _)? = decodeError(fractional) else { Issue.record("expected invalidValue"); return }
        #expect(field2 == "packet.bEmbedding[1]")

        let badDate = try edited(Self.commit) { $0["createdAt"] = .string("yesterday") }
        guard case .invalidValue(let field3, let reason)? = decodeError(badDate) else { Issue.record("expected invalidValue"); return }
        #expect(field3 == "packet.createdAt")
        #expect(reason.contains("UTC offset"))

        let badStatus = try edited(SamplePackets.all[7]) { $0["status"] = .string("sleeping") }
        guard case .invalidValue(let field4, _)? = decodeError(badStatus) else { Issue.record("expected invalidValue"); return }
        #expect(field4 == "packet.status")
    }

    @Test func unknownPacketTypesAreReported() throws {
        #expect(decodeError(try edited(Self.commit) { $0["type"] = .string("inferenceBribe") }) == .unknownPacketType("inferenceBribe"))
    }

    @Test func envelopeIdsMustBeHexKeysAndSignatures() throws {
        let signed = try Self.identity.sign(Self.commit)
        var wire = String(decoding: signed.wireBytes, as: UTF8.self)
        wire = wire.replacingOccurrences(of: signed.synthientId, with: "not-a-key")
        guard case .invalidValue(let field, _)? = decodeError(Array(wire.utf8)) else { Issue.record("expected invalidValue"); return }
        #expect(field == "synthientId")

        let short = String(decoding: signed.wireBytes, as: UTF8.self).replacingOccurrences(of: signed.signature, with: "abcd")
        guard case .invalidValue(let field2, _)? = decodeError(Array(short.utf8)) else { Issue.record("expected invalidValue"); return }
        #expect(field2 == "signature")
    }

    @Test func hugeDeepAndBrokenInputsAreBounded() throws {
        let huge = try edited(Self.request) { body in
            guard case .object(var payload)? = body["payload"] else { return }
            payload["prompt"] = .string(String(repeating: "A", count: 600_000))
            body["payload"] = .object(payload)
        }
        guard case .malformedJSON(.tooLarge)? = decodeError(huge) else { Issue.record("expected tooLarge"); return }

        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        guard case .malformedJSON(.tooDeep)? = decodeError(Array(deep.utf8)) else { Issue.record("expected tooDeep"); return }

        let nestedInPacket = try edited(Self.commit) { body in
            var value = JSONValue.string("x")
            for _ in 0..<40 { value = .array([value]) }
            body["extra"] = value
        }
        guard case .malformedJSON(.tooDeep)? = decodeError(nestedInPacket) else { Issue.record("expected tooDeep"); return }

        var invalidUTF8 = try edited(Self.commit) { $0["inferenceId"] = .string("XX") }
        let marker = invalidUTF8.firstIndex(of: UInt8(ascii: "X"))!
        invalidUTF8[marker] = 0xFF
        guard case .malformedJSON(.invalidUTF8)? = decodeError(invalidUTF8) else { Issue.record("expected invalidUTF8"); return }

        let truncated = Array(try Self.identity.sign(Self.request).wireBytes.dropLast(7))
        guard case .malformedJSON? = decodeError(truncated) else { Issue.record("expected malformedJSON"); return }

        #expect(decodeError([]) != nil)
        #expect(decodeError(Array("null".utf8)) == .wrongType(field: "envelope", expected: "an object"))
    }

    /// Random mutations of a valid envelope must never crash the decoder.
    @Test func randomMutationsNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        let original = try Self.identity.sign(Self.request).wireBytes
        for _ in 0..<2_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            if let envelope = try? PacketEnvelope.decode(wire: bytes) {
                _ = try? envelope.verify()
            }
        }
    }
}
