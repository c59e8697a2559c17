public import Foundation
public import RakisCore

/// A packet that intake has verified and stored, with how it arrived.
public struct Delivered<Body: Sendable>: Sendable {
    public let body: Body
    public let synthientId: String
    public let signature: String
    public let receivedTime: Date
    public let deliveredThrough: String?
    /// True for packets this node signed and sent itself.
    public let isOwn: Bool
}

/// The typed events that packet intake hands to the layers above, one case per packet kind
/// they consume. Filtering rules of the reference apply before an event is emitted:
/// reveal requests only when they name this node, consensus results only from the node that
/// computed them, and at most `peerHeartLimit` hearts per batch.
public enum PacketEvent: Sendable {
    case p2pInferenceRequest(Delivered<P2PInferenceRequest>)
    case inferenceCommit(Delivered<InferenceCommit>)
    case inferenceRevealRequest(Delivered<InferenceRevealRequest>)
    case inferenceReveal(Delivered<InferenceReveal>)
    case inferenceRevealRejected(Delivered<InferenceRevealRejected>)
    case inferenceQuorumComputed(Delivered<InferenceQuorumComputed>)
    case peerStatusUpdate(Delivered<PeerStatusUpdate>)
    case peerHeart(Delivered<PeerHeart>)
    case chainAttestation(Delivered<ChainAttestation>)

    /// The node that signed the packet.
    public var synthientId: String {
        switch self {
        case .p2pInferenceRequest(let d): d.synthientId
        case .inferenceCommit(let d): d.synthientId
        case .inferenceRevealRequest(let d): d.synthientId
        case .inferenceReveal(let d): d.synthientId
        case .inferenceRevealRejected(let d): d.synthientId
        case .inferenceQuorumComputed(let d): d.synthientId
        case .peerStatusUpdate(let d): d.synthientId
        case .peerHeart(let d): d.synthientId
        case .chainAttestation(let d): d.synthientId
        }
    }

    public var packetType: PacketType {
        switch self {
        case .p2pInferenceRequest: .p2pInferenceRequest
        case .inferenceCommit: .inferenceCommit
        case .inferenceRevealRequest: .inferenceRevealRequest
        case .inferenceReveal: .inferenceReveal
        case .inferenceRevealRejected: .inferenceRevealRejected
        case .inferenceQuorumComputed: .inferenceQuorumComputed
        case .peerStatusUpdate: .peerStatusUpdate
        case .peerHeart: .peerHeart
        case .chainAttestation: .chainAttestation
        }
    }
}
