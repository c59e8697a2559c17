public import Foundation
public import RakisCore

/// Why an incoming reveal is not counted; kept with the reveal for the dashboard.
public enum RevealCheckFailure: Sendable, Hashable, CustomStringConvertible {
    case unknownRequest
    case noCommit
    case wrongInference(committed: String)
    case senderMismatch(requestedSynthientId: String)
    case late(by: TimeInterval)
    case hashMismatch
    case duplicate

    public var description: String {
        switch self {
        case .unknownRequest: "no such request"
        case .noCommit: "the sender has no commit for this request"
        case .wrongInference(let committed): "the sender committed to inference \(committed), not this one"
        case .senderMismatch(let requested): "signed by another node than the one it reveals for (\(requested))"
        case .late(let seconds): "arrived \(String(format: "%.1f", seconds)) s after the reveal window closed"
        case .hashMismatch: "the revealed bEmbedding with the sender's synthientId does not hash to the commit"
        case .duplicate: "the sender already revealed for this request"
        }
    }
}

/// The checks a reveal must pass on arrival, as a pure function of the reveal, its sender, the
/// sender's commit and the reveal deadline.
public enum RevealCheck {
    public static func check(
        _ reveal: InferenceReveal, sender: String, commit: (inferenceId: String, bEmbeddingHash: String)?,
        receivedAt: Date, revealDeadline: Date?
    ) -> RevealCheckFailure? {
        guard let revealDeadline else { return .unknownRequest }
        guard reveal.requestedSynthientId == sender else { return .senderMismatch(requestedSynthientId: reveal.requestedSynthientId) }
        guard let commit else { return .noCommit }
        guard commit.inferenceId == reveal.inferenceId else { return .wrongInference(committed: commit.inferenceId) }
        guard receivedAt <= revealDeadline else { return .late(by: receivedAt.timeIntervalSince(revealDeadline)) }
        guard BinaryEmbedding.hash(reveal.bEmbedding, synthientId: sender) == commit.bEmbeddingHash else { return .hashMismatch }
        return nil
    }
}
