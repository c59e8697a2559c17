public import Foundation

/// `peerConnectedChain`: chain addresses that a node claims, each with a wallet signature of its id.
public struct PeerConnectedChain: Codable, Sendable, Hashable {
    public var identities: [ChainIdentity]
    public var createdAt: Date

    public init(identities: [ChainIdentity], createdAt: Date) {
        self.identities = identities
        self.createdAt = createdAt
    }
}

/// A chain address bound to a synthientId by a signature made with that address's wallet.
public struct ChainIdentity: Codable, Sendable, Hashable {
    public var chain: String
    public var address: String
    public var synthientIdSignature: String
    public var signedWithWallet: String

    public init(chain: String, address: String, synthientIdSignature: String, signedWithWallet: String) {
        self.chain = chain
        self.address = address
        self.synthientIdSignature = synthientIdSignature
        self.signedWithWallet = signedWithWallet
    }
}
