import Foundation
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// Files a delivered packet as the Domain's packet filer and reveal responder do.
    func receive(_ delivered: SimulatedPacket, now: Int64, effects: inout [NodeEffect]) throws {
        guard isUp else { return }
        let own = delivered.sender == index
        switch delivered.packet {
        case .p2pInferenceRequest(let request):
            try requestArrived(request, from: delivered.synthientId, own: own, now: now, effects: &effects)
        case .inferenceCommit(let commit) where !watches(commit.requestId):
            try commitArrived(commit, from: delivered.synthientId, now: now, effects: &effects)
        case .inferenceRevealRequest(let revealRequest) where !watches(revealRequest.requestId):
            try revealRequested(revealRequest, now: now, effects: &effects)
        case .inferenceReveal(let reveal):
            if copying[reveal.requestId] == delivered.synthientId { copiedReveals[reveal.requestId] = reveal }
            if !watches(reveal.requestId) { try revealArrived(reveal, from: delivered.synthientId, now: now, effects: &effects) }
        case .inferenceQuorumComputed(let result) where watches(result.requestId) && result.verifiedBy == delivered.synthientId:
            try memberResultArrived(result, now: now, effects: &effects)
        case .inferenceQuorumComputed(let result) where !own && runsScheduler:
            guard endings[result.requestId] != nil else { return }
            try stores.savePeerResult(result, receivedAt: Workload.date(now))
        default:
            break
        }
    }

    private func requestArrived(_ request: P2PInferenceRequest, from sender: String, own: Bool, now: Int64, effects: inout [NodeEffect]) throws {
        let endingAt = Workload.milliseconds(request.payload.endingAt)
        guard own || endingAt > now else { return }
        guard try stores.saveRequest(request, from: sender) else { return }
        try stores.openQuorum(requestId: request.requestId, at: Workload.date(now))
        endings[request.requestId] = endingAt
        requesters[request.requestId] = sender
        if let share = request.payload.securityFrame.committeeShare, share < 1 {
            committeeShares[request.requestId] = share
            // Commits that came before the request are checked now.
            let outside = try stores.commits(requestId: request.requestId).map(\.synthientId).filter { !inCommittee(request.requestId, $0) }
            if !outside.isEmpty { try stores.withdrawCommits(requestId: request.requestId, from: outside) }
        }
        if answers(request.requestId) {
            waiting[request.requestId] = endingAt
            startInferences(now: now, effects: &effects)
        }
        if strategy == .sybil, !own { flood(request.requestId, now: now, effects: &effects) }
        if runsScheduler { schedulePass(at: now, effects: &effects) }
    }

    private func commitArrived(_ commit: InferenceCommit, from sender: String, now: Int64, effects: inout [NodeEffect]) throws {
        if strategy == .copier, sender != synthientId { copy(commit, from: sender, now: now, effects: &effects) }
        guard runsScheduler || sender == synthientId else { return }
        if let endingAt = endings[commit.requestId], now >= endingAt { return }
        guard inCommittee(commit.requestId, sender) else { return effects.append(.refusedOutsideCommittee) }
        let outcome = try stores.addCommit(commit, from: sender, receivedAt: Workload.date(now), keepingOrphans: settings.maxOrphanQuorums)
        if outcome == .equivocation { equivocationCaught(sender, requestId: commit.requestId, inferenceId: commit.inferenceId, now: now, effects: &effects) }
    }

    private func revealArrived(_ reveal: InferenceReveal, from sender: String, now: Int64, effects: inout [NodeEffect]) throws {
        guard runsScheduler, try stores.isKnown(reveal.requestId) else { return }
        let outcome = try stores.addReveal(
            reveal, from: sender, receivedAt: Workload.date(now), revealDeadline: endings[reveal.requestId].map { revealBy(endingAt: $0) })
        switch outcome {
        case .accepted: try advance(reveal.requestId, now: now, effects: &effects)
        case .repeated: break
        case .rejected(let reason): effects.append(.rejected(synthientId: sender, requestId: reveal.requestId, reason: "\(reason)"))
        case .equivocation: equivocationCaught(sender, requestId: reveal.requestId, inferenceId: reveal.inferenceId, now: now, effects: &effects)
        }
    }

    private func equivocationCaught(_ sender: String, requestId: String, inferenceId: String, now: Int64, effects: inout [NodeEffect]) {
        effects.append(.caughtEquivocator(synthientId: sender, requestId: requestId))
        effects.append(.broadcast(.inferenceRevealRejected(InferenceRevealRejected(
            requestId: requestId, inferenceId: inferenceId, rejectReason: .equivocation(step: "commit"), createdAt: Workload.date(now)))))
    }

    /// Asks for a pass at `at` unless one is due by then.
    func schedulePass(at: Int64, effects: inout [NodeEffect]) {
        if let due = passDueAt, due <= at { return }
        passDueAt = at
        effects.append(.pass(at: at))
    }
}
