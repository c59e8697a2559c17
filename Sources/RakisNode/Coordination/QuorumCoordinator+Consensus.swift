import Foundation
import Logging
import RakisConsensus
import RakisCoordination
import RakisCore

/// Consensus: the revealed outputs are re-embedded on the embedding queue, then
/// `ClusterConsensus` decides, and the outcome is stored and announced.
extension QuorumCoordinator: ConsensusVerificationConsumer {
    /// Queues the verification of every accepted reveal but this node's own. `queuedAt` is nil
    /// when re-queuing after a restart (the stored time stands). Returns when it expires.
    @discardableResult
    func queueConsensus(_ request: InferenceStore.StoredRequest, queuedAt: Date?, expiresAt: Date? = nil) async throws -> Date {
        let requestId = request.requestId
        let deadlines = QuorumDeadlines(endingAt: request.endingAt, settings: settings)
        if let queuedAt {
            try stores.quorums.mark(.consensusQueued, requestId: requestId, at: queuedAt)
            setStatus(.awaitingConsensus, requestId: requestId)
        }
        let expiry = expiresAt ?? deadlines.consensusBy(queuedAt: queuedAt ?? now)
        let reveals = try stores.quorums.reveals(requestId: requestId, acceptedOnly: true)
        let others = reveals.filter { $0.synthientId != synthientId }.map {
            EmbeddingQueueItem.RevealedOutput(inferenceId: $0.inferenceId, synthientId: $0.synthientId, output: $0.output)
        }
        queuedVerifications.insert(requestId)
        guard !others.isEmpty, let embeddingQueue else {
            await verifiedEmbeddings(requestId: requestId, embeddings: [])
            return expiry
        }
        let contributed = try stores.quorums.commits(requestId: requestId).contains { $0.synthientId == synthientId }
        await embeddingQueue.enqueue(EmbeddingQueueItem(
            kind: .consensusVerification(requestId: requestId, reveals: others), model: request.payload.securityFrame.embeddingModel,
            expiresAt: expiry, hasMyContribution: contributed))
        return expiry
    }

    public func verificationFailed(requestId: String, reason: String) async {
        queuedVerifications.remove(requestId)
        guard !halted else { return }
        setStatus(.failed, requestId: requestId, reason: "consensus verification failed: \(reason)")
    }

    public func verifiedEmbeddings(requestId: String, embeddings: [VerifiedEmbedding]) async {
        queuedVerifications.remove(requestId)
        guard !halted else { return }
        do {
            guard let request = try stores.inferences.request(requestId),
                  let current = try stores.quorums.status(requestId: requestId), !current.isFinal
            else { return }
            setStatus(.verifyingConsensus, requestId: requestId)
            await status.publish(.verifyingQuorum(requestId: requestId))
            let report = ClusterConsensus.compute(parameters(for: request), reveals: try revealedInferences(requestId: requestId, embeddings: embeddings))
            for rejection in report.rejections { await announce(rejection, in: report) }
            let record = ConsensusRecord(report, computedAt: now)
            try stores.consensus.save(record)
            switch report.outcome {
            case .success(let selection):
                if let packet = report.quorumComputedPacket(verifiedBy: synthientId, createdAt: now) {
                    try await transmit(.inferenceQuorumComputed(packet))
                }
                logger.info("consensus reached", metadata: [
                    "requestId": "\(requestId)", "validInferences": "\(selection.validInferences.count)",
                    "validInferenceJointHash": "\(selection.validInferenceJointHash)", "selectedFrom": "\(selection.selected.synthientId)",
                ])
                setStatus(.completed, requestId: requestId)
            case .failure(let failure):
                setStatus(.failed, requestId: requestId, reason: "consensus failed: \(failure)")
            }
        } catch {
            logger.error("cannot compute consensus", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            setStatus(.failed, requestId: requestId, reason: "consensus could not be computed: \(error)")
        }
    }

    private func parameters(for request: InferenceStore.StoredRequest) -> ConsensusParameters {
        let frame = request.payload.securityFrame
        return ConsensusParameters(
            requestId: request.requestId, quorum: frame.quorum, secDistance: frame.secDistance, secPercentage: frame.secPercentage,
            bEmbeddingThreshold: settings.bEmbeddingThreshold)
    }

    /// The accepted reveals with their commits and this node's embeddings of them. A reveal
    /// accepted after the verification was queued has no embedding here and is left out.
    private func revealedInferences(requestId: String, embeddings: [VerifiedEmbedding]) throws -> [RevealedInference] {
        let commits = Dictionary(try stores.quorums.commits(requestId: requestId).map { ($0.synthientId, $0) }, uniquingKeysWith: { a, _ in a })
        var recomputed: [String: [UInt8]] = [:]
        for embedding in embeddings { recomputed[embedding.synthientId + "/" + embedding.inferenceId] = embedding.bEmbedding }
        return try stores.quorums.reveals(requestId: requestId, acceptedOnly: true).compactMap { reveal in
            guard let commit = commits[reveal.synthientId] else { return nil }
            let own = reveal.synthientId == synthientId
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
        let reason: InferenceRevealRejected.RejectReason = switch rejection.reason {
        case .hashMismatch:
            .bEmbeddingHashMismatch(
                revealedBEmbedding: reveal.bEmbedding,
                computedBEmbeddingHash: BinaryEmbedding.hash(reveal.bEmbedding, synthientId: reveal.synthientId),
                revealedBEmbeddingHash: reveal.committedHash)
        case .embeddingMismatch, .embeddingLengthMismatch:
            .computedBEmbeddingFailsThreshold(computedBEmbedding: reveal.recomputedBEmbedding ?? [], revealedBEmbedding: reveal.bEmbedding)
        }
        logger.info("reveal rejected by verification", metadata: [
            "requestId": "\(report.requestId)", "from": "\(rejection.synthientId)", "reason": "\(rejection.reason)",
        ])
        do {
            try await transmit(.inferenceRevealRejected(InferenceRevealRejected(
                requestId: report.requestId, inferenceId: rejection.inferenceId, rejectReason: reason, createdAt: now)))
        } catch {
            logger.error("cannot send a reveal rejection", metadata: ["requestId": "\(report.requestId)", "error": "\(error)"])
        }
    }
}

extension ConsensusRecord {
    /// The stored form of a consensus report.
    init(_ report: ConsensusReport, computedAt: Date) {
        func member(_ reveal: RevealedInference) -> Member {
            Member(synthientId: reveal.synthientId, inferenceId: reveal.inferenceId, bEmbeddingHash: reveal.committedHash)
        }
        let details = Details(
            submitted: report.submitted.map(member), accepted: report.accepted.map(member),
            valid: (try? report.outcome.get().validInferences.map(member)) ?? [],
            rejections: report.rejections.map { Rejection(synthientId: $0.synthientId, inferenceId: $0.inferenceId, reason: $0.reason.description) },
            distances: report.distances, clusterSizes: report.clusterSizes, neededClusterSize: report.neededClusterSize)
        switch report.outcome {
        case .success(let selection):
            self.init(
                requestId: report.requestId, failureReason: nil, validInferenceJointHash: selection.validInferenceJointHash,
                selected: Selected(output: selection.selected.output, synthientId: selection.selected.synthientId, bEmbeddingHash: selection.selected.committedHash),
                details: details, computedAt: computedAt)
        case .failure(let failure):
            self.init(requestId: report.requestId, failureReason: failure.description, validInferenceJointHash: nil, selected: nil, details: details, computedAt: computedAt)
        }
    }
}
