import Foundation
import Logging
import RakisCoordination
import RakisCore

/// Reveal requests out and in, and this node's reveals.
extension QuorumCoordinator {
    /// At `endingAt` with enough commits: ask the quorum's members to reveal. Sent before the
    /// status moves, so that a crash in between sends it again rather than never.
    func requestReveals(_ request: InferenceStore.StoredRequest) async throws {
        let members = try stores.quorums.commits(requestId: request.requestId).map {
            InferenceRevealRequest.Member(synthientId: $0.synthientId, inferenceId: $0.inferenceId, bEmbeddingHash: $0.bEmbeddingHash)
        }
        try await transmit(.inferenceRevealRequest(InferenceRevealRequest(
            requestId: request.requestId, quorum: members, timeoutMs: settings.quorumRevealTimeoutMs, createdAt: now)))
        try stores.quorums.mark(.revealRequestSent, requestId: request.requestId, at: now)
        setStatus(.awaitingReveal, requestId: request.requestId)
    }

    /// Answers a reveal request that names this node: only for an ended request, only for this
    /// node's own commit, only with a successful result. A node reveals once, and again only for
    /// a request made after its reveal (the requester may have been down when it went out).
    func revealRequested(_ revealRequest: InferenceRevealRequest) async {
        let requestId = revealRequest.requestId
        var metadata: Logger.Metadata = ["requestId": "\(requestId)"]
        do {
            guard let request = try stores.inferences.request(requestId) else {
                logger.info("reveal request for an unknown request; ignored", metadata: metadata)
                return
            }
            let moment = now
            guard moment >= request.endingAt else {
                logger.info("reveal request before the request ended; ignored", metadata: metadata)
                return
            }
            guard moment < QuorumDeadlines(endingAt: request.endingAt, settings: settings).revealBy else {
                logger.info("reveal request after the reveal window; ignored", metadata: metadata)
                return
            }
            guard let member = revealRequest.quorum.first(where: { $0.synthientId == synthientId }) else { return }
            metadata["inferenceId"] = "\(member.inferenceId)"
            guard let result = try stores.inferences.results(requestId: requestId).first(where: { $0.inferenceId == member.inferenceId }),
                  let output = result.output
            else {
                logger.warning("reveal request names an inference this node has no successful result for; ignored", metadata: metadata)
                return
            }
            guard let embedding = try stores.inferences.embedding(inferenceId: member.inferenceId),
                  embedding.bEmbeddingHash == member.bEmbeddingHash
            else {
                logger.warning("reveal request names a commit that is not this node's; ignored", metadata: metadata)
                return
            }
            if let sentAt = try stores.quorums.record(requestId: requestId)?.revealSentAt, revealRequest.createdAt <= sentAt { return }
            try await transmit(.inferenceReveal(InferenceReveal(
                requestedSynthientId: synthientId, requestId: requestId, inferenceId: member.inferenceId, output: output,
                embedding: [], bEmbedding: embedding.bEmbedding, createdAt: now)))
            try stores.quorums.mark(.revealSent, requestId: requestId, at: now)
            logger.info("revealed", metadata: metadata)
        } catch {
            metadata["error"] = "\(error)"
            logger.error("cannot answer a reveal request", metadata: metadata)
        }
    }
}
