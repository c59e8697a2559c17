import Crypto

/// The rules by which honest nodes come to the same output, numbered so that nodes on different
/// rules refuse each other's reveals with a reason instead of disagreeing without one.
///
/// - 1, the reference's: each node samples with a seed of its own, so at a temperature above 0
///   honest answers differ and only a wide radius (96 bits and more) keeps them together, which
///   admits wrong answers too (docs/consensus-eval).
/// - 2: every node samples with the request's seed, `decodingSeed(requestId:)`. Honest nodes
///   with the same model then write the same text at any temperature, and a radius of a few bits
///   suffices (`InferenceRequestDefaults.secDistance`).
public enum ConsensusVersion {
    /// What this node follows and states in its reveals.
    public static let current = 2
    /// What a reveal without the field follows: the reference network's nodes never sent one.
    public static let reference = 1

    /// The sampling seed of a request: the first four bytes of SHA-256 of its requestId, big-endian.
    /// Every node knows the requestId (a chain request's is derived from the chain), and no node
    /// can pick it to steer the sample: the requester fixes it before anyone answers.
    public static func decodingSeed(requestId: String) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(requestId.utf8)))
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
}
