public import BigInt
public import Foundation
public import RakisCore
public import RakisEthereum

/// What a node signs for the inbox after consensus on a chain request, and how a receiver checks
/// it: the digest `keccak256(abi.encode(chainId, inbox, id, outputHash, validInferenceJointHash))`
/// that `RakisInbox.fulfill` recovers its signers from (a raw digest, not EIP-191).
public enum InboxAttestation {
    /// The chain id, inbox and inbox number of a network id `evm:<chainId>:<inbox>:<id>`; nil for
    /// any other id.
    public static func parse(requestId: String) -> (chainId: UInt64, inbox: EthereumAddress, id: BigUInt)? {
        let parts = requestId.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "evm", let chainId = UInt64(parts[1]), let inbox = try? EthereumAddress(String(parts[2])),
              let id = BigUInt(String(parts[3]), radix: 10) else { return nil }
        return (chainId, inbox, id)
    }

    public static func digest(chainId: UInt64, inbox: EthereumAddress, id: BigUInt, outputHash: [UInt8], validInferenceJointHash: [UInt8]) -> [UInt8] {
        // Five static words: this cannot fail for 32-byte hashes.
        let encoded = (try? ABI.encode(
            [.uint(BigUInt(chainId)), .address(inbox), .uint(id), .fixedBytes(outputHash), .fixedBytes(validInferenceJointHash)],
            as: [.uint(bits: 256), .address, .uint(bits: 256), .fixedBytes(32), .fixedBytes(32)])) ?? []
        return Keccak256.hash(encoded)
    }

    /// The attestation of `wallet` for the selected `output` of a chain request.
    public static func sign(
        requestId: String, output: String, validInferenceJointHash: String, wallet: NodeWallet, createdAt: Date
    ) throws(InboxAttestationError) -> ChainAttestation {
        guard let (chainId, inbox, id) = parse(requestId: requestId) else { throw .notAChainRequest(requestId) }
        guard let joint = Hex.decode(validInferenceJointHash), joint.count == 32 else { throw .malformed("the joint hash is not 32 bytes of hex") }
        let outputHash = Keccak256.hash(Array(output.utf8))
        let digest = digest(chainId: chainId, inbox: inbox, id: id, outputHash: outputHash, validInferenceJointHash: joint)
        let signature: (rs: [UInt8], recoveryId: Int)
        do { signature = try Secp256k1.sign(digest: digest, secretKey: wallet.secretKey) } catch { throw .malformed("cannot sign: \(error)") }
        return ChainAttestation(
            requestId: requestId, chain: "evm:\(chainId)", inbox: inbox.checksummed, outputHash: "0x" + Hex.encode(outputHash),
            validInferenceJointHash: "0x" + Hex.encode(joint), address: wallet.address.checksummed,
            signature: "0x" + Hex.encode(signature.rs + [UInt8(27 + signature.recoveryId)]), createdAt: createdAt)
    }

    /// The wallet that signed `attestation`, once its fields agree with its request id and the
    /// signature recovers to the address it claims; throws why not.
    public static func verify(_ attestation: ChainAttestation) throws(InboxAttestationError) -> EthereumAddress {
        guard let (chainId, inbox, id) = parse(requestId: attestation.requestId) else { throw .notAChainRequest(attestation.requestId) }
        guard attestation.chain == "evm:\(chainId)", (try? EthereumAddress(attestation.inbox)) == inbox else {
            throw .malformed("the chain or inbox differs from the request id's")
        }
        guard let outputHash = bytes32(attestation.outputHash), let joint = bytes32(attestation.validInferenceJointHash) else {
            throw .malformed("a hash is not 0x and 64 hex digits")
        }
        guard let claimed = try? EthereumAddress(attestation.address) else { throw .malformed("the address is not an address") }
        guard attestation.signature.hasPrefix("0x"), let signature = Hex.decode(String(attestation.signature.dropFirst(2))), signature.count == 65,
              signature[64] == 27 || signature[64] == 28 else { throw .malformed("the signature is not 65 bytes with v 27 or 28") }
        let digest = digest(chainId: chainId, inbox: inbox, id: id, outputHash: outputHash, validInferenceJointHash: joint)
        let signer: EthereumAddress
        do {
            signer = try EthereumAddress(publicKey: try Secp256k1.recover(digest: digest, rs: Array(signature[0..<64]), recoveryId: Int(signature[64]) - 27))
        } catch { throw .malformed("the signature does not recover: \(error)") }
        guard signer == claimed else { throw .wrongSigner(claimed: claimed.checksummed, recovered: signer.checksummed) }
        return signer
    }

    /// `0x` and 64 hex digits as 32 bytes; nil for anything else.
    static func bytes32(_ text: String) -> [UInt8]? {
        guard text.hasPrefix("0x"), let bytes = Hex.decode(String(text.dropFirst(2))), bytes.count == 32 else { return nil }
        return bytes
    }
}

public enum InboxAttestationError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAChainRequest(String)
    case malformed(String)
    case wrongSigner(claimed: String, recovered: String)

    public var description: String {
        switch self {
        case .notAChainRequest(let id): "\(id) is not a chain request (evm:<chainId>:<inbox>:<id>)"
        case .malformed(let reason): "a malformed chain attestation: \(reason)"
        case .wrongSigner(let claimed, let recovered): "a chain attestation claims \(claimed) but was signed by \(recovered)"
        }
    }
}
