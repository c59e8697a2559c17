public import RakisCore

/// Whether a chain identity really binds its address to the node that sent it: the signature
/// must be the address's wallet signing, with personal_sign, exactly the sender's 64-hex-digit
/// synthientId. (The reference recovered an address and then checked the signature against that
/// same recovered address, so any signature "proved" any address; this compares with the claim.)
public enum ChainIdentityCheck {
    /// The claimed address, normalised to EIP-55, once the signature is shown to be its wallet's.
    public static func verify(_ identity: ChainIdentity, sentBy synthientId: String) throws(ChainIdentityError) -> EthereumAddress {
        guard Hex.isLowercaseHex(synthientId, byteCount: 32) else { throw .badSynthientId }
        let claimed: EthereumAddress
        do { claimed = try EthereumAddress(identity.address) } catch { throw .badAddress(error) }
        let signer: EthereumAddress
        do {
            let signature = try PersonalMessage.signatureBytes(identity.synthientIdSignature)
            signer = try PersonalMessage.signer(of: Array(synthientId.utf8), signature: signature)
        } catch {
            throw .badSignature(error)
        }
        guard signer == claimed else { throw .signedByAnotherAddress(claimed: claimed, signer: signer) }
        return claimed
    }

}

public enum ChainIdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    case badSynthientId
    case badAddress(EthereumAddressError)
    case badSignature(SignatureError)
    case signedByAnotherAddress(claimed: EthereumAddress, signer: EthereumAddress)

    public var description: String {
        switch self {
        case .badSynthientId: "the sender's synthientId is not 64 lower-case hex digits"
        case .badAddress(let error): "the identity's address is malformed: \(error)"
        case .badSignature(let error): "the identity's signature is malformed: \(error)"
        case .signedByAnotherAddress(let claimed, let signer): "the identity claims \(claimed) but was signed by \(signer)"
        }
    }
}
