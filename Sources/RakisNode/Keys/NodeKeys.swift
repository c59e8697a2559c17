public import RakisCore
public import RakisEthereum
import RakisP2P
import RakisNostr

/// The keys a node keeps in its key file besides its identity: its Nostr key and its wallet.
public enum NodeKeys {
    /// The node's Nostr secret key, added to `keystore` when it has none (`added` says so, and
    /// the caller saves the key file).
    public static func nostrSecretKey(ensuredIn keystore: inout Keystore) throws(KeystoreError) -> (secretKey: [UInt8], added: Bool) {
        let (keys, added) = try keystore.ensureNostrKeys()
        return (keys.secretKey, added)
    }

    /// The node's Nostr public key (x-only secp256k1, hex); nil when the key file has none yet.
    public static func nostrPublicKey(of keystore: Keystore) throws(KeystoreError) -> String? {
        try keystore.nostrKeys().map { Hex.encode($0.publicKey) }
    }

    /// The Nostr public key (hex) of a secret key.
    public static func nostrPublicKey(secretKey: [UInt8]) -> String? {
        (try? BIP340.KeyPair(secretKey: secretKey)).map { Hex.encode($0.publicKey) }
    }

    /// A fresh Nostr secret key, for a throwaway client.
    public static func freshNostrSecretKey() -> [UInt8] {
        BIP340.KeyPair.generate().secretKey
    }

    /// The node's Ethereum wallet; nil when it has none yet (`rakis wallet new`).
    public static func wallet(in keystore: Keystore) throws(KeystoreError) -> NodeWallet? {
        try keystore.wallet()
    }

    /// Puts `wallet` in the key file (replacing any); the caller writes the file.
    public static func setWallet(_ wallet: NodeWallet, in keystore: inout Keystore) {
        keystore.setWallet(wallet)
    }
}
