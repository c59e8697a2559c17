import Foundation
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// The quorum scheduler's pass: every open quorum takes its `QuorumStep`; the earliest
    /// deadline found asks for the next pass (5 ms after it, as the node's timer does).
    func pass(now: Int64, effects: inout [NodeEffect]) throws {
        if passDueAt == now { passDueAt = nil }
        guard isUp, runsScheduler else { return }
        var earliest: Int64?
        for (requestId, _) in try stores.openRequestQuorums() where !watches(requestId) {
            if let wake = try step(requestId, now: now, effects: &effects) { earliest = min(earliest ?? wake, wake) }
        }
        if let earliest { schedulePass(at: earliest + 5, effects: &effects) }
    }

    /// One quorum's step now (after a reveal arrives: every member may have revealed).
    func advance(_ requestId: String, now: Int64, effects: inout [NodeEffect]) throws {
        if let wake = try step(requestId, now: now, effects: &effects) { schedulePass(at: wake + 5, effects: &effects) }
    }

    /// Takes the quorum's next step; returns when it should be looked at again.
    private func step(_ requestId: String, now: Int64, effects: inout [NodeEffect]) throws -> Int64? {
        let snapshot = try stores.quorumSnapshot(requestId: requestId)
        let state = QuorumStep.State(
            status: snapshot.record?.status ?? .awaitingCommitments, deadlines: snapshot.request.map(deadlines),
            quorum: snapshot.request?.payload.securityFrame.quorum ?? 1, commits: snapshot.commitCount,
            acceptedReveals: snapshot.acceptedRevealCount, everyMemberRevealed: snapshot.everyMemberRevealed,
            consensusQueuedAt: snapshot.record?.consensusQueuedAt, consensusInQueue: verificationsQueued.contains(requestId),
            missedPackets: try missedPackets(snapshot))
        let moment = Workload.date(now)
        switch QuorumStep.next(state, now: moment) {
        case .wait(let until):
            return until.map(Workload.milliseconds)
        case .fail(let reason):
            try finish(requestId, .failed(reason: reason), now: now, effects: &effects)
            return nil
        case .requestReveals:
            guard let request = snapshot.request else { return nil }
            let members = try stores.commits(requestId: requestId).map {
                InferenceRevealRequest.Member(synthientId: $0.synthientId, inferenceId: $0.inferenceId, bEmbeddingHash: $0.bEmbeddingHash)
            }
            // With a committee, its members and the requester ask; the other nodes watch.
            if inCommittee(requestId, synthientId) || request.fromSynthientId == synthientId {
                effects.append(.broadcast(.inferenceRevealRequest(InferenceRevealRequest(
                    requestId: requestId, quorum: members, timeoutMs: settings.quorumRevealTimeoutMs, createdAt: moment))))
            }
            try stores.mark(.revealRequestSent, requestId: requestId, at: moment)
            _ = try stores.setStatus(.awaitingReveal, requestId: requestId, at: moment)
            return Workload.milliseconds(deadlines(request).revealBy)
        case .queueConsensus, .requeueConsensus:
            guard let request = snapshot.request else { return nil }
            return try queueVerification(request, now: now, effects: &effects)
        }
    }

    /// Queues the re-embedding of every accepted reveal but this node's own on its one embedding
    /// worker; returns when the verification expires.
    private func queueVerification(_ request: InferenceStore.StoredRequest, now: Int64, effects: inout [NodeEffect]) throws -> Int64 {
        let moment = Workload.date(now)
        try stores.mark(.consensusQueued, requestId: request.requestId, at: moment)
        _ = try stores.setStatus(.awaitingConsensus, requestId: request.requestId, at: moment)
        let others = try stores.reveals(requestId: request.requestId, acceptedOnly: true).filter { $0.synthientId != synthientId }
        verificationsQueued.insert(request.requestId)
        textsVerified += others.count
        let start = max(now, embeddingBusyUntil)
        embeddingBusyUntil = start + Int64((Double(others.count) * workload.configuration.work.embeddingMs).rounded())
        effects.append(.verified(requestId: request.requestId, at: embeddingBusyUntil))
        return Workload.milliseconds(deadlines(request).consensusBy(queuedAt: moment))
    }

    /// Stores the final status and reports the outcome.
    func finish(_ requestId: String, _ outcome: NodeOutcome, now: Int64, effects: inout [NodeEffect]) throws {
        let status: QuorumStatus
        let reason: String?
        switch outcome {
        case .agreed: (status, reason) = (.completed, nil)
        case .failed(let why): (status, reason) = (.failed, why)
        }
        guard try stores.setStatus(status, requestId: requestId, reason: reason, at: Workload.date(now)) else { return }
        effects.append(.finished(requestId: requestId, outcome: outcome))
    }

    /// What the node missed of a request that waits for reveals, as the node's scheduler finds it.
    private func missedPackets(_ snapshot: QuorumSnapshot) throws -> MissedPackets? {
        guard let request = snapshot.request else { return nil }
        let deadlines = deadlines(request)
        let gaps = MissedPackets.gaps(listeningGaps, concerning: snapshot, deadlines: deadlines)
        guard !gaps.isEmpty else { return nil }
        return MissedPackets(
            gaps: gaps, deadlines: deadlines, commits: try stores.commits(requestId: request.requestId),
            reveals: try stores.reveals(requestId: request.requestId, acceptedOnly: false))
    }
}
