import Foundation
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// The node goes down: what it had under way in memory is lost, its stores stay.
    func crash() {
        isUp = false
        generation += 1
        waiting = [:]
        inferencesUnderWay = []
        verificationsQueued = []
        passDueAt = nil
        freeWorkers = workload.configuration.work.llmWorkers
    }

    /// The node comes (back) up and resumes from its stores as a restarted node does: requests
    /// still open that it has no result for go back to its LLM workers, and a scheduler pass
    /// finds where every quorum stands.
    func restart(now: Int64, effects: inout [NodeEffect]) throws {
        isUp = true
        embeddingBusyUntil = now
        if strategy.runsInferences {
            for (requestId, endingAt) in endings.sorted(by: { $0.key < $1.key }) where endingAt > now {
                if answers(requestId), try stores.results(requestId: requestId).isEmpty { waiting[requestId] = endingAt }
            }
            startInferences(now: now, effects: &effects)
        }
        if runsScheduler { schedulePass(at: now, effects: &effects) }
    }

    /// A Sybil commits to a request from `sybilIdentities` fresh identities at once, each a
    /// commit nobody will ever see revealed.
    func flood(_ requestId: String, now: Int64, effects: inout [NodeEffect]) {
        for identity in 0..<workload.configuration.sybilIdentities {
            // Keys cost nothing: it makes them until one is in the request's committee.
            var attempt: UInt64 = 0
            var signer = ""
            repeat {
                signer = Self.synthientId(seed: workload.configuration.seed &+ 0x5359_4249_4C00 &+ UInt64(identity) &* 1_000_003 &+ attempt, index: index)
                attempt += 1
            } while !inCommittee(requestId, signer) && attempt < 100_000
            let hash = Self.synthientId(seed: random.next(), index: identity)
            let commit = InferenceCommit(requestId: requestId, inferenceId: "sybil-\(identity)-\(requestId)", bEmbeddingHash: hash, createdAt: Workload.date(now))
            effects.append(.broadcastAs(.inferenceCommit(commit), signer: signer))
        }
    }
}
