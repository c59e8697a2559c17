import Crypto

/// Ed25519 verification of a packet's canonical bytes against the sender's synthientId.
public enum PacketSignature {
    public static func isValid(signature: String, synthientId: String, message: [UInt8]) -> Bool {
        guard let keyBytes = Hex.decode(synthientId), keyBytes.count == 32,
              let signatureBytes = Hex.decode(signature), signatureBytes.count == 64,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes)
        else { return false }
        return key.isValidSignature(signatureBytes, for: message)
    }
}
