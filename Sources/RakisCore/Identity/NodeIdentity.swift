import Crypto
import Foundation

/// A node's Ed25519 key pair. Its `synthientId` (the hex public key) names the node on the network.
public struct NodeIdentity: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey
    public let synthientId: String

    public static func generate() -> NodeIdentity {
        NodeIdentity(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Rebuilds an identity from its 32-byte private seed.
    public init(seed: [UInt8]) throws(IdentityError) {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw .invalidSeed
        }
        self.init(privateKey: key)
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.synthientId = Hex.encode(privateKey.publicKey.rawRepresentation)
    }

    /// The 32-byte private seed, for the keystore only.
    public var seed: [UInt8] { Array(privateKey.rawRepresentation) }

    public func signature(for message: [UInt8]) -> String {
        // Ed25519 signing only fails on allocation failure inside BoringSSL.
        Hex.encode(try! privateKey.signature(for: message))
    }

    /// Signs a packet's canonical bytes, producing the envelope to send.
    public func sign(_ packet: Packet) throws(PacketEncodingError) -> TransmittedPacket {
        let canonical = CanonicalJSON.bytes(of: try PacketCoding.jsonValue(of: packet))
        return TransmittedPacket(
            synthientId: synthientId, signature: signature(for: canonical), packet: packet, canonicalPacket: canonical)
    }
}

public enum IdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidSeed

    public var description: String { "the stored private key is not a valid 32-byte Ed25519 seed" }
}
