import Foundation
import RakisConsensus
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// The verification embeddings are done: `ClusterConsensus` decides over the accepted reveals
    /// and this node's embeddings of them, as the consensus round does; rejections and the result
    /// are announced.
    func verified(_ requestId: String, now: Int64, effects: inout [NodeEffect]) throws {
        guard verificationsQueued.remove(requestId) != nil, isUp, let request = try stores.request(requestId),
              let status = try stores.status(requestId: requestId), !status.isFinal
        else { return }
        let moment = Workload.date(now)
        _ = try stores.setStatus(.verifyingConsensus, requestId: requestId, at: moment)
        let frame = request.payload.securityFrame
        let parameters = ConsensusParameters(
            requestId: requestId, quorum: frame.quorum, secDistance: frame.secDistance, secPercentage: frame.secPercentage,
            bEmbeddingThreshold: settings.bEmbeddingThreshold)
        let report = ClusterConsensus.compute(parameters, reveals: try revealedInferences(requestId))
        for rejection in report.rejections {
            effects.append(.rejected(synthientId: rejection.synthientId, requestId: requestId, reason: "\(rejection.reason)"))
            guard let reveal = report.submitted.first(where: { $0.synthientId == rejection.synthientId && $0.inferenceId == rejection.inferenceId })
            else { continue }
            let reason: InferenceRevealRejected.RejectReason = rejection.reason == .hashMismatch
                ? .bEmbeddingHashMismatch(
                    revealedBEmbedding: reveal.bEmbedding, computedBEmbeddingHash: BinaryEmbedding.hash(reveal.bEmbedding, synthientId: reveal.synthientId),
                    revealedBEmbeddingHash: reveal.committedHash)
                : .computedBEmbeddingFailsThreshold(computedBEmbedding: reveal.recomputedBEmbedding ?? [], revealedBEmbedding: reveal.bEmbedding)
            effects.append(.broadcast(.inferenceRevealRejected(InferenceRevealRejected(
                requestId: requestId, inferenceId: rejection.inferenceId, rejectReason: reason, createdAt: moment))))
        }
        switch report.outcome {
        case .success(let selection):
            if inCommittee(requestId, synthientId) || request.fromSynthientId == synthientId,
               let packet = report.quorumComputedPacket(verifiedBy: synthientId, createdAt: moment) {
                effects.append(.broadcast(.inferenceQuorumComputed(packet)))
            }
            try finish(requestId, .agreed(
                jointHash: selection.validInferenceJointHash, selectedOutput: selection.selected.output,
                selectedFrom: selection.selected.synthientId, validFrom: selection.validInferences.map(\.synthientId)), now: now, effects: &effects)
        case .failure(let failure):
            try finish(requestId, .failed(reason: "consensus failed: \(failure)"), now: now, effects: &effects)
        }
    }

    /// The accepted reveals with their commits, each with the binary embedding this node's model
    /// computes for its output (the evaluation set's).
    private func revealedInferences(_ requestId: String) throws -> [RevealedInference] {
        let commits = Dictionary(try stores.commits(requestId: requestId).map { ($0.synthientId, $0) }, uniquingKeysWith: { a, _ in a })
        return try stores.reveals(requestId: requestId, acceptedOnly: true).compactMap { reveal in
            guard let commit = commits[reveal.synthientId] else { return nil }
            let own = reveal.synthientId == synthientId
            return RevealedInference(
                synthientId: reveal.synthientId, inferenceId: reveal.inferenceId, committedHash: commit.bEmbeddingHash, output: reveal.output,
                bEmbedding: reveal.bEmbedding, recomputedBEmbedding: own ? nil : workload.embedding(of: reveal.output))
        }
    }

    /// A committee member's result for a request this node watches: once `quorum` members
    /// reported the same one, it is this node's.
    func memberResultArrived(_ result: InferenceQuorumComputed, now: Int64, effects: inout [NodeEffect]) throws {
        guard inCommittee(result.requestId, result.verifiedBy) else { return }
        try stores.savePeerResult(result, receivedAt: Workload.date(now))
        memberResults[result.requestId, default: [:]][result.validInferenceJointHash, default: []].insert(result.verifiedBy)
        guard let request = try stores.request(result.requestId),
              memberResults[result.requestId]?[result.validInferenceJointHash]?.count == request.payload.securityFrame.quorum
        else { return }
        try finish(result.requestId, .agreed(
            jointHash: result.validInferenceJointHash, selectedOutput: result.validSingleInference.output,
            selectedFrom: result.validSingleInference.fromSynthientId, validFrom: []), now: now, effects: &effects)
    }
}
