import CSecp256k1

/// ECDSA over secp256k1 with public-key recovery, as Ethereum signs: RFC 6979 deterministic
/// nonces and low-s signatures. Every libsecp256k1 ECDSA call in rakis is in this file.
public enum Secp256k1 {
    /// A 32-byte secret key that libsecp256k1 accepts (non-zero, below the curve order).
    public static func isValidSecretKey(_ key: [UInt8]) -> Bool {
        key.count == 32 && secp256k1_ec_seckey_verify(context, key) == 1
    }

    /// The 65-byte uncompressed public key (0x04 ‖ x ‖ y) of a secret key.
    public static func publicKey(of secretKey: [UInt8]) throws(SignatureError) -> [UInt8] {
        guard isValidSecretKey(secretKey) else { throw .invalidSecretKey }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pubkey, secretKey) == 1 else { throw .invalidSecretKey }
        return serialize(pubkey)
    }

    /// Signs a 32-byte digest: r ‖ s (64 bytes, s low) and the recovery id 0 or 1.
    public static func sign(digest: [UInt8], secretKey: [UInt8]) throws(SignatureError) -> (rs: [UInt8], recoveryId: Int) {
        guard digest.count == 32 else { throw .digestNot32Bytes }
        guard isValidSecretKey(secretKey) else { throw .invalidSecretKey }
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secretKey, nil, nil) == 1 else { throw .signingFailed }
        var rs = [UInt8](repeating: 0, count: 64)
        var recoveryId: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &rs, &recoveryId, &signature)
        return (rs, Int(recoveryId))
    }

    /// The 65-byte uncompressed public key that made `rs` (64 bytes) with `recoveryId` over
    /// `digest`. High-s signatures are refused: Ethereum (EIP-2) never makes them, and taking
    /// them would let anyone make a second valid signature from a first.
    public static func recover(digest: [UInt8], rs: [UInt8], recoveryId: Int) throws(SignatureError) -> [UInt8] {
        guard digest.count == 32 else { throw .digestNot32Bytes }
        guard rs.count == 64 else { throw .wrongLength(rs.count) }
        guard (0...1).contains(recoveryId) else { throw .badRecoveryId(recoveryId) }
        var plain = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &plain, rs) == 1 else { throw .notOnCurve }
        var normalized = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_normalize(context, &normalized, &plain) == 0 else { throw .highS }
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, rs, Int32(recoveryId)) == 1 else { throw .notOnCurve }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pubkey, &signature, digest) == 1 else { throw .recoveryFailed }
        return serialize(pubkey)
    }

    private static func serialize(_ pubkey: secp256k1_pubkey) -> [UInt8] {
        var key = pubkey
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return out
    }
}

public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidSecretKey
    case digestNot32Bytes
    case signingFailed
    case wrongLength(Int)
    case notHex
    case badRecoveryId(Int)
    case badV(Int)
    case highS
    case notOnCurve
    case recoveryFailed

    public var description: String {
        switch self {
        case .invalidSecretKey: "the secret key is not a valid secp256k1 scalar (32 bytes, non-zero, below the curve order)"
        case .digestNot32Bytes: "ECDSA signs and recovers over a 32-byte digest"
        case .signingFailed: "libsecp256k1 could not sign"
        case .wrongLength(let n): "a signature has 65 bytes (r, s, v), not \(n)"
        case .notHex: "a signature is 0x and 130 hex digits"
        case .badRecoveryId(let id): "recovery id \(id) is not 0 or 1"
        case .badV(let v): "v \(v) is none of 27, 28, 0, 1"
        case .highS: "the signature's s is in the upper half of the curve order (EIP-2 forbids it)"
        case .notOnCurve: "r or s is not a valid secp256k1 scalar"
        case .recoveryFailed: "no public key recovers from this signature"
        }
    }
}

extension Secp256k1 {
    /// One libsecp256k1 context for the whole process (BIP-340 signing in the Nostr transport
    /// uses it too): libsecp256k1 allows concurrent use of a context through every function that
    /// takes it as `const`, which all calls in rakis do.
    nonisolated(unsafe) public static let context: OpaquePointer = {
        guard let created = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not create a context (out of memory)")
        }
        return created
    }()
}

private var context: OpaquePointer { Secp256k1.context }
