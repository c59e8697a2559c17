import Foundation
import RakisCore

/// One received packet as intake's threads take it: bytes from a transport, an envelope
/// already parsed (a caller that had it parsed anyway), or a packet a transport verified.
enum IntakeJob: Sendable {
    case wire([UInt8])
    case envelope(PacketEnvelope)
    case verified(TransmittedPacket, wire: [UInt8])

    /// What identifies this exact copy: the wire bytes, or an envelope's id, signature and
    /// canonical packet. Equal keys are equal packets under equal signatures.
    var key: CopyKey {
        switch self {
        case .wire(let bytes), .verified(_, let bytes): CopyKey(bytes: bytes)
        case .envelope(let envelope): CopyKey(bytes: Array(envelope.synthientId.utf8) + Array(envelope.signature.utf8) + envelope.canonicalPacket)
        }
    }

    /// Parses (bounded by `limits`), refuses a packet created outside `window` before any
    /// Ed25519 work (a replay flood costs none), and checks the signature.
    func check(limits: PacketLimits, window: ClosedRange<Date>) -> IntakeCheck {
        let envelope: PacketEnvelope
        switch self {
        case .verified(let packet, _):
            return window.contains(packet.createdAt) ? .verified(packet) : .outsideTimeWindow
        case .envelope(let parsed):
            envelope = parsed
        case .wire(let bytes):
            do { envelope = try PacketEnvelope.decode(wire: bytes, limits: limits) } catch { return .malformed(error) }
        }
        guard window.contains(envelope.packet.createdAt) else { return .outsideTimeWindow }
        guard let verified = try? envelope.verify() else { return .invalidSignature }
        return .verified(verified)
    }
}

/// Bytes as a dictionary key, hashed once in one pass (an array of bytes hashes byte by byte,
/// on every lookup) and compared whole, so that only identical bytes are equal.
struct CopyKey: Hashable, Sendable {
    let bytes: [UInt8]
    private let digest: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        digest = hasher.finalize()
    }

    static func == (a: CopyKey, b: CopyKey) -> Bool { a.digest == b.digest && a.bytes == b.bytes }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}

/// What intake's check made of one received packet.
enum IntakeCheck: Sendable {
    case verified(TransmittedPacket)
    case malformed(PacketDecodingError)
    case outsideTimeWindow
    case invalidSignature
}

/// A batch after its checks: every verified delivery, in order (each counts for the peer
/// table), and the ones among them that are not copies of an earlier one of the batch (the only
/// ones looked for in the store).
struct CheckedBatch: Sendable {
    var verified: [ReceivedPacket] = []
    var firsts: [ReceivedPacket] = []
}
