public import Foundation

/// Every packet a node sends or receives: one case per reference packet type.
public enum Packet: Sendable, Hashable {
    case p2pInferenceRequest(P2PInferenceRequest)
    case inferenceCommit(InferenceCommit)
    case inferenceRevealRequest(InferenceRevealRequest)
    case inferenceReveal(InferenceReveal)
    case inferenceRevealRejected(InferenceRevealRejected)
    case inferenceQuorumComputed(InferenceQuorumComputed)
    case peerStatusUpdate(PeerStatusUpdate)
    case knownPeers(KnownPeers)
    case peerConnectedChain(PeerConnectedChain)
    case peerInfo(PeerInfo)
    case peerHeart(PeerHeart)
    case chainAttestation(ChainAttestation)

    public var type: PacketType {
        switch self {
        case .p2pInferenceRequest: .p2pInferenceRequest
        case .inferenceCommit: .inferenceCommit
        case .inferenceRevealRequest: .inferenceRevealRequest
        case .inferenceReveal: .inferenceReveal
        case .inferenceRevealRejected: .inferenceRevealRejected
        case .inferenceQuorumComputed: .inferenceQuorumComputed
        case .peerStatusUpdate: .peerStatusUpdate
        case .knownPeers: .knownPeers
        case .peerConnectedChain: .peerConnectedChain
        case .peerInfo: .peerInfo
        case .peerHeart: .peerHeart
        case .chainAttestation: .chainAttestation
        }
    }

    public var createdAt: Date {
        switch self {
        case .p2pInferenceRequest(let p): p.createdAt
        case .inferenceCommit(let p): p.createdAt
        case .inferenceRevealRequest(let p): p.createdAt
        case .inferenceReveal(let p): p.createdAt
        case .inferenceRevealRejected(let p): p.createdAt
        case .inferenceQuorumComputed(let p): p.createdAt
        case .peerStatusUpdate(let p): p.createdAt
        case .knownPeers(let p): p.createdAt
        case .peerConnectedChain(let p): p.createdAt
        case .peerInfo(let p): p.createdAt
        case .peerHeart(let p): p.createdAt
        case .chainAttestation(let p): p.createdAt
        }
    }

    /// The request a packet belongs to, for the packet types that carry one.
    public var requestId: String? {
        switch self {
        case .p2pInferenceRequest(let p): p.requestId
        case .inferenceCommit(let p): p.requestId
        case .inferenceRevealRequest(let p): p.requestId
        case .inferenceReveal(let p): p.requestId
        case .inferenceRevealRejected(let p): p.requestId
        case .inferenceQuorumComputed(let p): p.requestId
        case .chainAttestation(let p): p.requestId
        case .peerStatusUpdate, .knownPeers, .peerConnectedChain, .peerInfo, .peerHeart: nil
        }
    }
}

extension Packet: Codable {
    private enum CodingKeys: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .type)
        guard let type = PacketType(rawValue: name) else { throw PacketDecodingError.unknownPacketType(name) }
        switch type {
        case .p2pInferenceRequest: self = .p2pInferenceRequest(try .init(from: decoder))
        case .inferenceCommit: self = .inferenceCommit(try .init(from: decoder))
        case .inferenceRevealRequest: self = .inferenceRevealRequest(try .init(from: decoder))
        case .inferenceReveal: self = .inferenceReveal(try .init(from: decoder))
        case .inferenceRevealRejected: self = .inferenceRevealRejected(try .init(from: decoder))
        case .inferenceQuorumComputed: self = .inferenceQuorumComputed(try .init(from: decoder))
        case .peerStatusUpdate: self = .peerStatusUpdate(try .init(from: decoder))
        case .knownPeers: self = .knownPeers(try .init(from: decoder))
        case .peerConnectedChain: self = .peerConnectedChain(try .init(from: decoder))
        case .peerInfo: self = .peerInfo(try .init(from: decoder))
        case .peerHeart: self = .peerHeart(try .init(from: decoder))
        case .chainAttestation: self = .chainAttestation(try .init(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type.rawValue, forKey: .type)
        switch self {
        case .p2pInferenceRequest(let p): try p.encode(to: encoder)
        case .inferenceCommit(let p): try p.encode(to: encoder)
        case .inferenceRevealRequest(let p): try p.encode(to: encoder)
        case .inferenceReveal(let p): try p.encode(to: encoder)
        case .inferenceRevealRejected(let p): try p.encode(to: encoder)
        case .inferenceQuorumComputed(let p): try p.encode(to: encoder)
        case .peerStatusUpdate(let p): try p.encode(to: encoder)
        case .knownPeers(let p): try p.encode(to: encoder)
        case .peerConnectedChain(let p): try p.encode(to: encoder)
        case .peerInfo(let p): try p.encode(to: encoder)
        case .peerHeart(let p): try p.encode(to: encoder)
        case .chainAttestation(let p): try p.encode(to: encoder)
        }
    }
}
