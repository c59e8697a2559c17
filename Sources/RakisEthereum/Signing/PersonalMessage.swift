import RakisCore

/// EIP-191 version 0x45 ("personal_sign"): what wallets sign when asked to sign a text, so that
/// a signed message can never be a transaction.
public enum PersonalMessage {
    /// keccak256("\x19Ethereum Signed Message:\n" ‖ decimal length ‖ message).
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
    }

    /// Signs `message` as a wallet's personal_sign does: 65 bytes r ‖ s ‖ v with v 27 or 28.
    public static func sign(_ message: [UInt8], secretKey: [UInt8]) throws(SignatureError) -> [UInt8] {
        let (rs, recoveryId) = try Secp256k1.sign(digest: digest(message), secretKey: secretKey)
        return rs + [UInt8(27 + recoveryId)]
    }

    /// The address that signed `message`. `signature` is 65 bytes r ‖ s ‖ v, with v 27/28 (as
    /// wallets write it) or 0/1 (as some libraries do).
    public static func signer(of message: [UInt8], signature: [UInt8]) throws(SignatureError) -> EthereumAddress {
        guard signature.count == 65 else { throw .wrongLength(signature.count) }
        let v = Int(signature[64])
        let recoveryId: Int
        switch v {
        case 27, 28: recoveryId = v - 27
        case 0, 1: recoveryId = v
        default: throw .badV(v)
        }
        let publicKey = try Secp256k1.recover(digest: digest(message), rs: Array(signature[0..<64]), recoveryId: recoveryId)
        do { return try EthereumAddress(publicKey: publicKey) } catch { throw .recoveryFailed }
    }

    /// `0x` and 130 hex digits (either case) as bytes.
    public static func signatureBytes(_ text: String) throws(SignatureError) -> [UInt8] {
        guard text.hasPrefix("0x"), text.utf8.count == 132, let bytes = Hex.decode(text.dropFirst(2).lowercased()) else { throw .notHex }
        return bytes
    }
}
