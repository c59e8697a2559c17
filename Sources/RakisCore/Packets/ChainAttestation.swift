public import Foundation

/// `chainAttestation` (layer 5, not in the reference): a node that was a valid member of the
/// consensus on a chain request signs, with its registered wallet, the digest the inbox checks:
/// `keccak256(abi.encode(chainId, inbox, id, outputHash, validInferenceJointHash))`. Whoever
/// reports the answer on chain submits enough of them to `fulfill`.
public struct ChainAttestation: Codable, Sendable, Hashable {
    /// The network's id of the request, `evm:<chainId>:<inbox>:<id>`.
    public var requestId: String
    /// `evm:<chainId>`.
    public var chain: String
    /// The inbox contract, EIP-55.
    public var inbox: String
    /// `keccak256(output)` of the selected output, `0x` and 64 hex digits.
    public var outputHash: String
    public var validInferenceJointHash: String
    /// The signing wallet, EIP-55.
    public var address: String
    /// `0x` and r ‖ s ‖ v (v 27 or 28) in hex.
    public var signature: String
    public var createdAt: Date

    public init(
        requestId: String, chain: String, inbox: String, outputHash: String, validInferenceJointHash: String, address: String,
        signature: String, createdAt: Date
    ) {
        self.requestId = requestId
        self.chain = chain
        self.inbox = inbox
        self.outputHash = outputHash
        self.validInferenceJointHash = validInferenceJointHash
        self.address = address
        self.signature = signature
        self.createdAt = createdAt
    }
}
