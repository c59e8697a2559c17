public import Foundation

/// A signed packet whose signature is known to be good: made by `NodeIdentity.sign(_:)` or
/// returned by `PacketEnvelope.verify()`. The reference's `TransmittedPeerPacket`.
public struct TransmittedPacket: Sendable, Hashable {
    /// The fields live in one immutable object: intake copies a packet through queues, checks,
    /// caches, stores and events, and a copy is then one reference count, not one per string.
    private final class Fields: Sendable {
        let synthientId: String
        let signature: String
        let packet: Packet
        let canonicalPacket: [UInt8]
        // Read for every packet stored and published; each read through `packet` would copy it.
        let type: PacketType
        let createdAt: Date
        let requestId: String?

        init(synthientId: String, signature: String, packet: Packet, canonicalPacket: [UInt8]) {
            self.synthientId = synthientId
            self.signature = signature
            self.packet = packet
            self.canonicalPacket = canonicalPacket
            type = packet.type
            createdAt = packet.createdAt
            requestId = packet.requestId
        }
    }

    private let fields: Fields

    // Read accessors lend the stored values: `received.packet.type` copies no packet (a copy
    // retains every string the packet holds).
    public var synthientId: String { _read { yield fields.synthientId } }
    public var signature: String { _read { yield fields.signature } }
    public var packet: Packet { _read { yield fields.packet } }
    /// The exact bytes the signature covers; stored and forwarded as they are.
    public var canonicalPacket: [UInt8] { _read { yield fields.canonicalPacket } }
    /// The packet's `type`, `createdAt` and `requestId`, without copying the packet.
    public var type: PacketType { fields.type }
    public var createdAt: Date { fields.createdAt }
    public var requestId: String? { _read { yield fields.requestId } }

    init(synthientId: String, signature: String, packet: Packet, canonicalPacket: [UInt8]) {
        fields = Fields(synthientId: synthientId, signature: signature, packet: packet, canonicalPacket: canonicalPacket)
    }

    /// The envelope as transmitted, itself in canonical form (`packet` < `signature` < `synthientId`).
    public var wireBytes: [UInt8] {
        var bytes = Array(#"{"packet":"#.utf8)
        bytes.append(contentsOf: canonicalPacket)
        bytes.append(contentsOf: #","signature":""#.utf8)
        bytes.append(contentsOf: signature.utf8)
        bytes.append(contentsOf: #"","synthientId":""#.utf8)
        bytes.append(contentsOf: synthientId.utf8)
        bytes.append(contentsOf: #""}"#.utf8)
        return bytes
    }

    public static func == (lhs: TransmittedPacket, rhs: TransmittedPacket) -> Bool {
        lhs.synthientId == rhs.synthientId && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(synthientId)
        hasher.combine(signature)
    }
}

/// A packet as this node holds it: the signed packet plus when and how it arrived.
public struct ReceivedPacket: Sendable {
    public let transmitted: TransmittedPacket
    public let receivedTime: Date
    /// The transport it came through; nil for a packet this node sent itself.
    public let deliveredThrough: String?

    public init(transmitted: TransmittedPacket, receivedTime: Date, deliveredThrough: String?) {
        self.transmitted = transmitted
        self.receivedTime = receivedTime
        self.deliveredThrough = deliveredThrough
    }

    public var synthientId: String { _read { yield transmitted.synthientId } }
    public var signature: String { _read { yield transmitted.signature } }
    public var packet: Packet { _read { yield transmitted.packet } }
    public var type: PacketType { transmitted.type }
    public var createdAt: Date { transmitted.createdAt }
    public var requestId: String? { _read { yield transmitted.requestId } }
}
