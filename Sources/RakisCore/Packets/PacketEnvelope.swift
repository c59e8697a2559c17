/// A packet as it arrives from the wire — `{synthientId, signature, packet}` — parsed and typed
/// but not yet trusted. `verify()` is the only way from here to a `TransmittedPacket`.
public struct PacketEnvelope: Sendable {
    public let synthientId: String
    public let signature: String
    public let packet: Packet
    /// The canonical bytes of the `packet` member: what the signature must cover.
    public let canonicalPacket: [UInt8]

    /// Parses untrusted bytes. Limits bound the work a hostile peer can cause.
    /// A packet sent as canonical JSON (as rakis sends) is signed over its bytes as they came.
    public static func decode(wire bytes: some Collection<UInt8>, limits: PacketLimits = .init()) throws(PacketDecodingError) -> PacketEnvelope {
        let parsed: (JSONValue, [UInt8]?)
        do {
            parsed = try JSONParser(maxDepth: limits.maxDepth, maxBytes: limits.maxBytes).parse(bytes, canonicalMember: "packet")
        } catch {
            throw .malformedJSON(error)
        }
        return try decode(json: parsed.0, canonicalPacket: parsed.1)
    }

    public static func decode(json: JSONValue) throws(PacketDecodingError) -> PacketEnvelope {
        try decode(json: json, canonicalPacket: nil)
    }

    private static func decode(json: JSONValue, canonicalPacket: [UInt8]?) throws(PacketDecodingError) -> PacketEnvelope {
        guard case .object(let members) = json else { throw .wrongType(field: "envelope", expected: "an object") }
        guard let idValue = members["synthientId"] else { throw .missingField("synthientId") }
        guard case .string(let synthientId) = idValue else { throw .wrongType(field: "synthientId", expected: "a string") }
        guard Hex.isLowercaseHex(synthientId, byteCount: 32) else {
            throw .invalidValue(field: "synthientId", reason: "must be 64 lower-case hex digits (an Ed25519 public key)")
        }
        guard let signatureValue = members["signature"] else { throw .missingField("signature") }
        guard case .string(let signature) = signatureValue else { throw .wrongType(field: "signature", expected: "a string") }
        guard Hex.isLowercaseHex(signature, byteCount: 64) else {
            throw .invalidValue(field: "signature", reason: "must be 128 lower-case hex digits (an Ed25519 signature)")
        }
        guard let packetJSON = members["packet"] else { throw .missingField("packet") }
        let packet = try PacketCoding.packet(from: packetJSON)
        return PacketEnvelope(
            synthientId: synthientId, signature: signature, packet: packet,
            canonicalPacket: canonicalPacket ?? CanonicalJSON.bytes(of: packetJSON))
    }

    /// Checks the Ed25519 signature over the canonical packet bytes.
    public func verify() throws(SignatureError) -> TransmittedPacket {
        guard PacketSignature.isValid(signature: signature, synthientId: synthientId, message: canonicalPacket) else {
            throw SignatureError.invalid(synthientId: synthientId, type: packet.type)
        }
        return TransmittedPacket(synthientId: synthientId, signature: signature, packet: packet, canonicalPacket: canonicalPacket)
    }
}

public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(synthientId: String, type: PacketType)

    public var description: String {
        switch self {
        case .invalid(let id, let type): "invalid signature on a \(type.rawValue) packet from \(id.prefix(12))…"
        }
    }
}

/// Bounds on what one packet from a peer may cost to parse.
public struct PacketLimits: Sendable {
    public var maxBytes: Int
    public var maxDepth: Int

    public init(maxBytes: Int = 512 * 1024, maxDepth: Int = 32) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}
