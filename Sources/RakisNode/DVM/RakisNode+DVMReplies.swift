import Foundation
import Logging
import RakisCoordination
import RakisCore
import RakisDVM
import RakisNostr

/// Answering jobs: the feedback and result events, each sent by one node in turn, and what an
/// ended quorum means for the job behind it.
extension RakisNode {
    /// Waits for this node's turn, then sends the reply unless another node's came first.
    func dvmReply(_ reply: DVMReply, dvm: DVMConnector) async {
        let job = reply.job
        let rank = reply.rank(of: identity.synthientId, addressedHere: job.providers.contains(dvm.publicKey))
        try? await clock.sleep(until: clock.now().addingTimeInterval(Double(rank * settings.dvmReplyBackoffMs) / 1000))
        guard !Task.isCancelled else { return }
        let createdAt = Int(clock.now().timeIntervalSince1970)
        let hint = dvm.relays.first
        let customerRelays = Array(job.relays.prefix(settings.dvmMaxCustomerRelays))
        do {
            switch reply.kind {
            case .feedback(let status, let reason):
                guard !dvm.sightings.sawFeedback(status, jobId: job.id) else { return }
                let event = try DVMFeedback.event(status, reason: reason, job: job, relayHint: hint, createdAt: createdAt, by: dvm.keys)
                dvm.sightings.saw(event)
                await dvm.pool.publish(event, alsoTo: customerRelays)
                logger.info("sent NIP-90 feedback", metadata: ["job": "\(job.id)", "status": "\(status.rawValue)", "rank": "\(rank)"])
            case .result(let proof):
                if let other = dvm.sightings.result(jobId: job.id, matching: proof) {
                    try? await dvm.store.answered(job.id, resultEventId: other.id, here: false)
                    return
                }
                let limits = await dvm.pool.tightestLimits()
                let result = try DVMResult.event(
                    for: job, proof: proof, relayHint: hint, createdAt: createdAt, maxEventBytes: limits.maxMessageLength - 64, by: dvm.keys)
                dvm.sightings.saw(result)
                await dvm.pool.publish(result, alsoTo: customerRelays)
                try? await dvm.store.answered(job.id, resultEventId: result.id, here: true)
                let success = try DVMFeedback.event(.success, reason: nil, job: job, relayHint: hint, createdAt: createdAt, by: dvm.keys)
                dvm.sightings.saw(success)
                await dvm.pool.publish(success, alsoTo: customerRelays)
                logger.info("sent a NIP-90 result", metadata: ["job": "\(job.id)", "result": "\(result.id)", "rank": "\(rank)"])
            }
        } catch {
            logger.error("cannot sign a NIP-90 event", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// A job's quorum ended on this node: the result with its consensus is owed, or an `error`
    /// feedback; nil for a request that is no job of this node's.
    func dvmQuorumEnded(_ update: QuorumUpdate) async -> DVMReply? {
        guard let dvm, let jobId = DVMJob.jobId(requestId: update.requestId),
              let record = try? await dvm.store.job(jobId), record.status == .processing, let job = record.job() else { return nil }
        if update.status == .completed, let proof = await dvmProof(requestId: update.requestId) {
            return DVMReply(job: job, kind: .result(proof), candidates: proof.validMembers)
        }
        let reason = "the network reached no consensus: \(update.reason ?? "quorum failed")"
        try? await dvm.store.update(jobId, status: .error, reason: reason)
        return DVMReply(job: job, kind: .feedback(.error, reason: reason), candidates: await dvmCandidates())
    }

    /// What this node's consensus agreed on for a request.
    func dvmProof(requestId: String) async -> DVMConsensusProof? {
        guard let record = try? await stores.consensus.result(requestId: requestId), let output = record.selected?.output,
              let joint = record.validInferenceJointHash,
              let request = try? await stores.inferences.request(requestId) else { return nil }
        return DVMConsensusProof(
            requestId: requestId, output: output, validInferenceJointHash: joint, validMembers: record.details.valid.map(\.synthientId),
            quorum: request.payload.securityFrame.quorum)
    }
}
