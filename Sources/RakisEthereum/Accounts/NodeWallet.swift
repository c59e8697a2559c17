import Foundation
public import RakisCore

/// The node's Ethereum wallet: one secp256k1 key, kept in the node's encrypted key file (the
/// same KDF and AES-GCM as its identity) under `Keystore.walletSecretName`.
public struct NodeWallet: Sendable {
    public let secretKey: [UInt8]
    public let address: EthereumAddress

    public init(secretKey: [UInt8]) throws(WalletError) {
        guard secretKey.count == 32 else { throw .wrongLength(secretKey.count) }
        guard secretKey.contains(where: { $0 != 0 }) else { throw .zero }
        guard Secp256k1.isValidSecretKey(secretKey) else { throw .outOfRange }
        self.secretKey = secretKey
        do { address = try EthereumAddress(publicKey: try Secp256k1.publicKey(of: secretKey)) } catch { throw .outOfRange }
    }

    /// A key as people keep it: 64 hex digits, with or without `0x`, surrounding white space ignored.
    public init(parsing text: String) throws(WalletError) {
        var hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if hex.hasPrefix("0x") || hex.hasPrefix("0X") { hex.removeFirst(2) }
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex.lowercased()) else { throw .notHex }
        try self.init(secretKey: bytes)
    }

    public static func generate() -> NodeWallet {
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            if let wallet = try? NodeWallet(secretKey: candidate) { return wallet }
        }
    }

    /// This wallet's binding of the node `synthientId`, in the reference's format: personal_sign
    /// over the synthientId's text, which `ChainIdentityCheck.verify` checks.
    public func bind(synthientId: String, chain: String, signedWithWallet: String = "rakis") throws(SignatureError) -> ChainIdentity {
        let signature = try PersonalMessage.sign(Array(synthientId.utf8), secretKey: secretKey)
        return ChainIdentity(
            chain: chain, address: address.checksummed, synthientIdSignature: "0x" + Hex.encode(signature), signedWithWallet: signedWithWallet)
    }
}

public enum WalletError: Error, Equatable, Sendable, CustomStringConvertible {
    case notHex
    case wrongLength(Int)
    case zero
    case outOfRange

    public var description: String {
        switch self {
        case .notHex: "a wallet key is 64 hex digits (0x optional)"
        case .wrongLength(let n): "a wallet key has 32 bytes, not \(n)"
        case .zero: "a wallet key of zero is no key"
        case .outOfRange: "the wallet key is not below the secp256k1 group order"
        }
    }
}

extension Keystore {
    /// The keystore entry holding the node's wallet key, hex.
    public static let walletSecretName = "wallet"

    /// The node's wallet; nil when it has none.
    public func wallet() throws(KeystoreError) -> NodeWallet? {
        guard let hex = secrets[Self.walletSecretName] else { return nil }
        guard let bytes = Hex.decode(hex), let wallet = try? NodeWallet(secretKey: bytes) else { throw .missingSecret(Self.walletSecretName) }
        return wallet
    }

    public mutating func setWallet(_ wallet: NodeWallet) {
        secrets[Self.walletSecretName] = Hex.encode(wallet.secretKey)
    }
}
