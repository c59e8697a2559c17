import Foundation
import Logging
import RakisConsensus
import RakisCoordination
import RakisCore

/// Consensus on one request once its reveals are verified: `ClusterConsensus` decides from the
/// reveals and this node's embeddings of them; the outcome is stored and announced, and every
/// reveal that failed verification is announced as rejected.
struct ConsensusRound: Sendable {
    let context: QuorumContext

    func decide(requestId: String, embeddings: [VerifiedEmbedding]) async {
        do {
            guard let request = try await context.stores.inferences.request(requestId),
                  let current = try await context.stores.quorums.status(requestId: requestId), !current.isFinal
            else { return }
            await context.setStatus(.verifyingConsensus, requestId: requestId)
            await context.status.publish(.verifyingQuorum(requestId: requestId))
            let report = ClusterConsensus.compute(parameters(for: request), reveals: try await revealedInferences(requestId: requestId, embeddings: embeddings))
            for rejection in report.rejections { await announce(rejection, in: report) }
            try await context.stores.consensus.save(ConsensusRecord(report, computedAt: context.now))
            try await conclude(report, announced: context.speaksFor(request))
        } catch {
            context.logger.error("cannot compute consensus", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            await context.setStatus(.failed, requestId: requestId, reason: "consensus could not be computed: \(error)")
        }
    }

    /// Stores the outcome; a success is announced unless a committee speaks for the request and
    /// this node is not in it.
    private func conclude(_ report: ConsensusReport, announced: Bool) async throws {
        switch report.outcome {
        case .success(let selection):
            if announced, let packet = report.quorumComputedPacket(verifiedBy: context.synthientId, createdAt: context.now) {
                try await context.transmit(.inferenceQuorumComputed(packet))
            }
            context.logger.info("consensus reached", metadata: [
                "requestId": "\(report.requestId)", "validInferences": "\(selection.validInferences.count)",
                "validInferenceJointHash": "\(selection.validInferenceJointHash)", "selectedFrom": "\(selection.selected.synthientId)",
            ])
            await context.setStatus(.completed, requestId: report.requestId)
        case .failure(let failure):
            await context.setStatus(.failed, requestId: report.requestId, reason: "consensus failed: \(failure)")
        }
    }

    private func parameters(for request: InferenceStore.StoredRequest) -> ConsensusParameters {
        let frame = request.payload.securityFrame
        return ConsensusParameters(
            requestId: request.requestId, quorum: frame.quorum, secDistance: frame.secDistance, secPercentage: frame.secPercentage,
            bEmbeddingThreshold: context.settings.bEmbeddingThreshold)
    }

    /// The accepted reveals with their commits and this node's embeddings of them. A reveal
    /// accepted after the verification was queued has no embedding here and is left out.
    private func revealedInferences(requestId: String, embeddings: [VerifiedEmbedding]) async throws -> [RevealedInference] {
        let commits = Dictionary(try await context.stores.quorums.commits(requestId: requestId).map { ($0.synthientId, $0) }, uniquingKeysWith: { a, _ in a })
        var recomputed: [String: [UInt8]] = [:]
        for embedding in embeddings { recomputed[embedding.synthientId + "/" + embedding.inferenceId] = embedding.bEmbedding }
        return try await context.stores.quorums.reveals(requestId: requestId, acceptedOnly: true).compactMap { reveal in
            guard let commit = commits[reveal.synthientId] else { return nil }
            let own = reveal.synthientId == context.synthientId
            let mine = recomputed[reveal.synthientId + "/" + reveal.inferenceId]
            if !own && mine == nil { return nil }
            return RevealedInference(
                synthientId: reveal.synthientId, inferenceId: reveal.inferenceId, committedHash: commit.bEmbeddingHash,
                output: reveal.output, bEmbedding: reveal.bEmbedding, recomputedBEmbedding: own ? nil : mine)
        }
    }

    private func announce(_ rejection: RevealRejection, in report: ConsensusReport) async {
        guard let reveal = report.submitted.first(where: { $0.synthientId == rejection.synthientId && $0.inferenceId == rejection.inferenceId })
        else { return }
        // Verification finds only these; the checks on arrival are not announced.
        let reason: InferenceRevealRejected.RejectReason
        switch rejection.reason {
        case .hashMismatch:
            reason = .bEmbeddingHashMismatch(
                revealedBEmbedding: reveal.bEmbedding,
                computedBEmbeddingHash: BinaryEmbedding.hash(reveal.bEmbedding, synthientId: reveal.synthientId),
                revealedBEmbeddingHash: reveal.committedHash)
        case .embeddingMismatch, .embeddingLengthMismatch:
            reason = .computedBEmbeddingFailsThreshold(computedBEmbedding: reveal.recomputedBEmbedding ?? [], revealedBEmbedding: reveal.bEmbedding)
        case .unknownRequest, .noCommit, .wrongInference, .senderMismatch, .late, .duplicate, .equivocation, .consensusVersionMismatch:
            return
        }
        context.logger.info("reveal rejected by verification", metadata: [
            "requestId": "\(report.requestId)", "from": "\(rejection.synthientId)", "reason": "\(rejection.reason)",
        ])
        do {
            try await context.transmit(.inferenceRevealRejected(InferenceRevealRejected(
                requestId: report.requestId, inferenceId: rejection.inferenceId, rejectReason: reason, createdAt: context.now)))
        } catch {
            context.logger.error("cannot send a reveal rejection", metadata: ["requestId": "\(report.requestId)", "error": "\(error)"])
        }
    }
}
