import Foundation
import RakisCore
import RakisNode

/// Turns what the stores hold about one request into the API's request detail.
enum InferenceDetailBuilder {
    static func detail(_ history: RequestHistory, chain: ChainRequestDetail? = nil) -> InferenceDetail {
        let attestations = chain?.attestations ?? []
        let request = history.request
        let payload = request.payload
        let frame = payload.securityFrame
        let consensus = history.consensus

        var rejections = history.reveals.compactMap { reveal in
            reveal.rejectReason.map { InferenceDetail.Rejection(synthientId: reveal.synthientId, inferenceId: reveal.inferenceId, reason: $0) }
        }
        for rejection in consensus?.details.rejections ?? [] where !rejections.contains(where: { $0.inferenceId == rejection.inferenceId }) {
            rejections.append(.init(synthientId: rejection.synthientId, inferenceId: rejection.inferenceId, reason: rejection.reason))
        }

        return InferenceDetail(
            requestId: request.requestId, fromSynthientId: request.fromSynthientId,
            request: RequestView(
                prompt: payload.prompt, acceptedModels: payload.acceptedModels, temperature: payload.temperature, maxTokens: payload.maxTokens,
                quorum: frame.quorum, maxTimeMs: frame.maxTimeMs, secDistance: frame.secDistance, secPercentage: frame.secPercentage,
                embeddingModel: frame.embeddingModel, committeeShare: frame.committeeShare, fromChain: payload.fromChain, createdAt: payload.createdAt, endingAt: payload.endingAt),
            status: InferenceSummary.statusName(history.quorum?.status, endingAt: payload.endingAt),
            statusReason: history.quorum?.statusReason,
            ownResults: history.results.map {
                .init(inferenceId: $0.inferenceId, model: $0.modelName, output: $0.output, tokenCount: $0.tokenCount,
                      tokensPerSecond: $0.tokensPerSecond.flatMap { $0.isFinite ? $0 : nil }, failureReason: $0.failureReason,
                      startedAt: $0.startedAt, completedAt: $0.completedAt)
            },
            commits: history.commits.map {
                .init(synthientId: $0.synthientId, inferenceId: $0.inferenceId, bEmbeddingHash: $0.bEmbeddingHash, receivedAt: $0.receivedAt)
            },
            reveals: history.reveals.map {
                .init(synthientId: $0.synthientId, inferenceId: $0.inferenceId, output: $0.output, receivedAt: $0.receivedAt, rejectReason: $0.rejectReason)
            },
            rejections: rejections,
            consensus: consensus.map(Self.view),
            peerResults: history.peerResults.map { peer in
                .init(verifiedBy: peer.verifiedBy, validInferenceJointHash: peer.validInferenceJointHash, selectedOutput: peer.selectedOutput,
                      selectedSynthientId: peer.selectedSynthientId, receivedAt: peer.receivedAt,
                      agreesWithUs: consensus.map { $0.validInferenceJointHash == peer.validInferenceJointHash })
            },
            embeddingMap: consensus.map(Self.map) ?? [],
            chainAttestations: attestations.map {
                .init(address: $0.address, outputHash: $0.outputHash, validInferenceJointHash: $0.validInferenceJointHash, signature: $0.signature,
                      createdAt: $0.createdAt)
            },
            chain: chain.map(ChainRequestView.init))
    }

    private static func member(_ member: ConsensusRecord.Member) -> InferenceDetail.Member {
        .init(synthientId: member.synthientId, inferenceId: member.inferenceId)
    }

    private static func view(_ record: ConsensusRecord) -> InferenceDetail.Consensus {
        InferenceDetail.Consensus(
            succeeded: record.succeeded, failureReason: record.failureReason, validInferenceJointHash: record.validInferenceJointHash,
            selectedOutput: record.selected?.output, selectedSynthientId: record.selected?.synthientId,
            submitted: record.details.submitted.map(member), accepted: record.details.accepted.map(member),
            valid: record.details.valid.map(member), distances: record.details.distances, clusterSizes: record.details.clusterSizes,
            neededClusterSize: record.details.neededClusterSize, computedAt: record.computedAt)
    }

    private static func map(_ record: ConsensusRecord) -> [InferenceDetail.Point] {
        let accepted = record.details.accepted
        let points = EmbeddingMap.coordinates(distances: record.details.distances)
        guard points.count == accepted.count else { return [] }
        let valid = Set(record.details.valid.map(\.inferenceId))
        return zip(accepted, points).map { member, point in
            .init(synthientId: member.synthientId, inferenceId: member.inferenceId, x: point.x, y: point.y,
                  valid: valid.contains(member.inferenceId),
                  selected: member.synthientId == record.selected?.synthientId && member.bEmbeddingHash == record.selected?.bEmbeddingHash)
        }
    }
}
