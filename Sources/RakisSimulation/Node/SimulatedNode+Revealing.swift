import Foundation
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// Answers a reveal request naming this node as the reveal responder does, once per request
    /// and again only for a request made after its reveal, in the manner of its strategy.
    func revealRequested(_ revealRequest: InferenceRevealRequest, now: Int64, effects: inout [NodeEffect]) throws {
        let requestId = revealRequest.requestId
        guard strategy != .withholder, let member = revealRequest.quorum.first(where: { $0.synthientId == synthientId }),
              let endingAt = endings[requestId]
        else { return }
        let moment = Workload.date(now)
        let revealBy = revealBy(endingAt: endingAt)
        guard now >= endingAt, moment < revealBy else { return }
        if let sentAt = try stores.record(requestId: requestId)?.revealSentAt, revealRequest.createdAt <= sentAt { return }
        if strategy == .copier {
            try stores.mark(.revealSent, requestId: requestId, at: moment)
            return effects.append(.copyAttempt(requestId: requestId, at: now + 1_500))
        }
        guard let result = try stores.results(requestId: requestId).first(where: { $0.inferenceId == member.inferenceId }),
              let output = result.output, let embedding = try stores.embedding(inferenceId: member.inferenceId),
              embedding.bEmbeddingHash == member.bEmbeddingHash
        else { return }
        let sendAt = strategy == .lateRevealer ? Workload.milliseconds(revealBy) + 1_000 : now
        let reveal = InferenceReveal(
            requestedSynthientId: synthientId, requestId: requestId, inferenceId: member.inferenceId, output: output, embedding: [],
            bEmbedding: embedding.bEmbedding, createdAt: Workload.date(sendAt))
        try stores.mark(.revealSent, requestId: requestId, at: Workload.date(sendAt))
        effects.append(.sendLater(.inferenceReveal(reveal), at: sendAt, to: nil))
    }
}
