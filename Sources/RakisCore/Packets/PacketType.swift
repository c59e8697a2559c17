/// The `type` discriminator of every packet, spelled as in the reference implementation.
public enum PacketType: String, Sendable, Codable, CaseIterable {
    case p2pInferenceRequest
    case inferenceCommit
    case inferenceRevealRequest
    case inferenceReveal
    case inferenceRevealRejected
    case inferenceQuorumComputed
    case peerStatusUpdate
    case knownPeers
    case peerConnectedChain
    case peerInfo
    case peerHeart
    /// Layer 5's, not the reference's.
    case chainAttestation
}
