import Foundation
import RakisCore

extension PacketFiler {
    /// Whether `synthientId` may answer the request (`Committee`; every node when its security
    /// frame sets no `committeeShare`).
    func inCommittee(_ requestId: String, _ synthientId: String, _ payload: InferenceRequestPayload) -> Bool {
        Committee.isEligible(requestId: requestId, synthientId: synthientId, share: payload.securityFrame.committeeShare)
    }

    /// Commits can come before their request; once it is here, those from outside its committee go.
    func withdrawCommitsOutsideCommittee(_ request: P2PInferenceRequest) async throws {
        guard let share = request.payload.securityFrame.committeeShare, share < 1 else { return }
        let outside = try await context.stores.quorums.commits(requestId: request.requestId).map(\.synthientId)
            .filter { !inCommittee(request.requestId, $0, request.payload) }
        guard !outside.isEmpty else { return }
        try await context.stores.quorums.withdrawCommits(requestId: request.requestId, from: outside)
        for _ in outside { context.refusals.count(.commitOutsideCommittee) }
    }
}
