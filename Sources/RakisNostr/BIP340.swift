import RakisP2P
import CSecp256k1
import Crypto
import RakisEthereum

/// BIP-340 Schnorr signatures over secp256k1, as Nostr uses them. Every libsecp256k1 Schnorr
/// call in rakis is in this file (ECDSA is in `RakisEthereum.Secp256k1`, which owns the context).
public enum BIP340 {
    /// A secret key with its x-only public key.
    public struct KeyPair: Sendable {
        public let secretKey: [UInt8]
        /// The 32-byte x-only public key; in hex, a Nostr `pubkey`.
        public let publicKey: [UInt8]

        public init(secretKey: [UInt8]) throws(BIP340Error) {
            guard secretKey.count == 32 else { throw .invalidSecretKey }
            var keypair = secp256k1_keypair()
            guard secp256k1_keypair_create(context, &keypair, secretKey) == 1 else { throw .invalidSecretKey }
            var xonly = secp256k1_xonly_pubkey()
            var parity: Int32 = 0
            guard secp256k1_keypair_xonly_pub(context, &xonly, &parity, &keypair) == 1 else { throw .invalidSecretKey }
            var serialized = [UInt8](repeating: 0, count: 32)
            guard secp256k1_xonly_pubkey_serialize(context, &serialized, &xonly) == 1 else { throw .invalidSecretKey }
            self.secretKey = secretKey
            self.publicKey = serialized
        }

        /// A new key from the system's random source (retrying the ~2⁻¹²⁸ chance of a value
        /// that is not a valid scalar).
        public static func generate() -> KeyPair {
            var generator = SystemRandomNumberGenerator()
            while true {
                let candidate = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                if let pair = try? KeyPair(secretKey: candidate) { return pair }
            }
        }

        /// Signs a 32-byte message (a Nostr event id). `auxRand` is BIP-340's auxiliary
        /// randomness; fresh random bytes unless a test pins them.
        public func sign(message: [UInt8], auxRand: [UInt8]? = nil) throws(BIP340Error) -> [UInt8] {
            guard message.count == 32 else { throw .invalidMessage }
            var generator = SystemRandomNumberGenerator()
            let aux = auxRand ?? (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            guard aux.count == 32 else { throw .invalidMessage }
            var keypair = secp256k1_keypair()
            guard secp256k1_keypair_create(context, &keypair, secretKey) == 1 else { throw .invalidSecretKey }
            var signature = [UInt8](repeating: 0, count: 64)
            guard secp256k1_schnorrsig_sign32(context, &signature, message, &keypair, aux) == 1 else { throw .signingFailed }
            return signature
        }
    }

    /// Whether `signature` is a valid BIP-340 signature of `message` under the x-only `publicKey`.
    /// Malformed keys and signatures are simply invalid.
    public static func isValid(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32 else { return false }
        var xonly = secp256k1_xonly_pubkey()
        guard secp256k1_xonly_pubkey_parse(context, &xonly, publicKey) == 1 else { return false }
        return secp256k1_schnorrsig_verify(context, signature, message, message.count, &xonly) == 1
    }
}

public enum BIP340Error: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidSecretKey
    case invalidMessage
    case signingFailed

    public var description: String {
        switch self {
        case .invalidSecretKey: "the Nostr secret key is not a valid secp256k1 scalar (32 bytes, non-zero, below the curve order)"
        case .invalidMessage: "BIP-340 signing takes a 32-byte message and 32 bytes of auxiliary randomness"
        case .signingFailed: "libsecp256k1 could not sign"
        }
    }
}

/// The process's one libsecp256k1 context.
private var context: OpaquePointer { Secp256k1.context }
