import Foundation
import Logging
import RakisCoordination
import RakisCore

/// Answers reveal requests that name this node: only for an ended request, only for this node's
/// own commit, only with a successful result. A node reveals once, and again only for a request
/// made after its reveal (the requester may have been down when it went out).
struct RevealResponder: Sendable {
    let context: QuorumContext

    func revealRequested(_ revealRequest: InferenceRevealRequest) async {
        guard !context.halted else { return }
        let requestId = revealRequest.requestId
        var metadata: Logger.Metadata = ["requestId": "\(requestId)"]
        do {
            guard let member = try await answerable(revealRequest, metadata: &metadata) else { return }
            guard let (output, bEmbedding) = try await ownResult(member, requestId: requestId, metadata: metadata) else { return }
            if let sentAt = try await context.stores.quorums.record(requestId: requestId)?.revealSentAt, revealRequest.createdAt <= sentAt { return }
            try await context.transmit(.inferenceReveal(InferenceReveal(
                requestedSynthientId: context.synthientId, requestId: requestId, inferenceId: member.inferenceId, output: output,
                embedding: [], bEmbedding: bEmbedding, createdAt: context.now)))
            try await context.stores.quorums.mark(.revealSent, requestId: requestId, at: context.now)
            context.logger.info("revealed", metadata: metadata)
        } catch {
            metadata["error"] = "\(error)"
            context.logger.error("cannot answer a reveal request", metadata: metadata)
        }
    }

    /// This node's entry in the request, when the request is one it may answer now.
    private func answerable(_ revealRequest: InferenceRevealRequest, metadata: inout Logger.Metadata) async throws -> InferenceRevealRequest.Member? {
        guard let request = try await context.stores.inferences.request(revealRequest.requestId) else {
            context.logger.info("reveal request for an unknown request; ignored", metadata: metadata)
            return nil
        }
        let moment = context.now
        guard moment >= request.endingAt else {
            context.logger.info("reveal request before the request ended; ignored", metadata: metadata)
            return nil
        }
        guard moment < context.deadlines(request).revealBy else {
            context.logger.info("reveal request after the reveal window; ignored", metadata: metadata)
            return nil
        }
        guard let member = revealRequest.quorum.first(where: { $0.synthientId == context.synthientId }) else { return nil }
        metadata["inferenceId"] = "\(member.inferenceId)"
        return member
    }

    /// The output and bEmbedding this node committed to as `member`; nil (logged) when it has none.
    private func ownResult(
        _ member: InferenceRevealRequest.Member, requestId: String, metadata: Logger.Metadata
    ) async throws -> (output: String, bEmbedding: [UInt8])? {
        guard let result = try await context.stores.inferences.results(requestId: requestId).first(where: { $0.inferenceId == member.inferenceId }),
              let output = result.output
        else {
            context.logger.warning("reveal request names an inference this node has no successful result for; ignored", metadata: metadata)
            return nil
        }
        guard let embedding = try await context.stores.inferences.embedding(inferenceId: member.inferenceId),
              embedding.bEmbeddingHash == member.bEmbeddingHash
        else {
            context.logger.warning("reveal request names a commit that is not this node's; ignored", metadata: metadata)
            return nil
        }
        return (output, embedding.bEmbedding)
    }
}
