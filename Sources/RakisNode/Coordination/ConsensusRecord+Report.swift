import Foundation
import RakisConsensus
import RakisCoordination

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
