public import Foundation

/// Why a reveal does not count, whoever found it out: the checks on arrival (layer 3) or the
/// verification before consensus (layer 4). Stored with the reveal or the consensus result and
/// shown on the dashboard; the two kinds a verifier announces travel as
/// `InferenceRevealRejected.RejectReason`.
public enum RevealRejectionReason: Sendable, Hashable, CustomStringConvertible {
    // On arrival.
    case unknownRequest
    case noCommit
    case wrongInference(committed: String)
    case senderMismatch(requestedSynthientId: String)
    case late(by: TimeInterval)
    case duplicate
    /// The sender signed two different commits, or two different reveals, for this request.
    case equivocation
    /// The output was made by other consensus rules than this node's (`ConsensusVersion`).
    case consensusVersionMismatch(revealed: Int, ours: Int)
    // On arrival and again in verification.
    /// SHA-256 of the revealed `bEmbedding` with the sender's synthientId is not its commit.
    case hashMismatch
    // In verification.
    /// This node's embedding of the output differs from the revealed one by more than the threshold.
    case embeddingMismatch(distance: Int, threshold: Int)
    /// The revealed and recomputed embeddings have different lengths.
    case embeddingLengthMismatch(revealed: Int, recomputed: Int)

    public var description: String {
        switch self {
        case .unknownRequest: "no such request"
        case .noCommit: "the sender has no commit for this request"
        case .wrongInference(let committed): "the sender committed to inference \(committed), not this one"
        case .senderMismatch(let requested): "signed by another node than the one it reveals for (\(requested))"
        case .late(let seconds): "arrived \(String(format: "%.1f", seconds)) s after the reveal window closed"
        case .duplicate: "the sender already revealed for this request"
        case .equivocation: "the sender signed two different commits or reveals for this request (equivocation); all its packets for it are refused"
        case .consensusVersionMismatch(let revealed, let ours):
            "made under consensus version \(revealed), this node follows version \(ours) (\(revealed < ours ? "the sender" : "this node") should update rakis)"
        case .hashMismatch: "the revealed bEmbedding with the sender's synthientId does not hash to the commit"
        case .embeddingMismatch(let distance, let threshold):
            "recomputed bEmbedding differs from the revealed one by \(distance) bits (threshold \(threshold))"
        case .embeddingLengthMismatch(let revealed, let recomputed):
            "revealed bEmbedding has \(revealed) bytes, the recomputed one \(recomputed)"
        }
    }
}
