public import RakisCore
import RakisP2P

extension Keystore {
    /// The keystore entry holding the node's Nostr (secp256k1) secret key, hex.
    public static let nostrSecretName = "nostr"

    /// The node's Nostr key; nil when the key file predates Nostr support.
    public func nostrKeys() throws(KeystoreError) -> BIP340.KeyPair? {
        guard let hex = secrets[Self.nostrSecretName] else { return nil }
        guard let bytes = Hex.decode(hex), let keys = try? BIP340.KeyPair(secretKey: bytes) else {
            throw .missingSecret(Self.nostrSecretName)
        }
        return keys
    }

    /// Adds a fresh Nostr key (replacing none that exists) and returns the node's key.
    public mutating func ensureNostrKeys() throws(KeystoreError) -> (keys: BIP340.KeyPair, added: Bool) {
        if let existing = try nostrKeys() { return (existing, false) }
        let keys = BIP340.KeyPair.generate()
        secrets[Self.nostrSecretName] = Hex.encode(keys.secretKey)
        return (keys, true)
    }
}
