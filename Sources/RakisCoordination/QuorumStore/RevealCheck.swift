public import Foundation
public import RakisCore

/// The checks a reveal must pass on arrival, as a pure function of the reveal, its sender, the
/// sender's commit and the reveal deadline.
public enum RevealCheck {
    public static func check(
        _ reveal: InferenceReveal, sender: String, commit: (inferenceId: String, bEmbeddingHash: String)?,
        receivedAt: Date, revealDeadline: Date?
    ) -> RevealRejectionReason? {
        guard let revealDeadline else { return .unknownRequest }
        guard reveal.requestedSynthientId == sender else { return .senderMismatch(requestedSynthientId: reveal.requestedSynthientId) }
        guard reveal.consensusVersion == ConsensusVersion.current else {
            return .consensusVersionMismatch(revealed: reveal.consensusVersion, ours: ConsensusVersion.current)
        }
        guard let commit else { return .noCommit }
        guard commit.inferenceId == reveal.inferenceId else { return .wrongInference(committed: commit.inferenceId) }
        guard receivedAt <= revealDeadline else { return .late(by: receivedAt.timeIntervalSince(revealDeadline)) }
        guard BinaryEmbedding.hash(reveal.bEmbedding, synthientId: sender) == commit.bEmbeddingHash else { return .hashMismatch }
        return nil
    }
}
