import Foundation
import RakisCore

// What the copier and the Sybil do beyond answering (the others change only what or when they answer).
extension SimulatedNode {
    /// A copier commits the first commit hash it sees for a request it knows, as its own.
    func copy(_ commit: InferenceCommit, from sender: String, now: Int64, effects: inout [NodeEffect]) {
        guard copying[commit.requestId] == nil, let endingAt = endings[commit.requestId], now < endingAt else { return }
        copying[commit.requestId] = sender
        let copied = InferenceCommit(
            requestId: commit.requestId, inferenceId: "\(synthientId.prefix(8))-copy-\(commit.requestId)", bEmbeddingHash: commit.bEmbeddingHash,
            createdAt: Workload.date(now))
        effects.append(.sendLater(.inferenceCommit(copied), at: now, to: nil))
    }

    /// A copier reveals the output the copied node revealed, if it has seen it by now.
    func copyAttempt(_ requestId: String, now: Int64, effects: inout [NodeEffect]) {
        guard isUp, let seen = copiedReveals[requestId] else { return }
        let reveal = InferenceReveal(
            requestedSynthientId: synthientId, requestId: requestId, inferenceId: "\(synthientId.prefix(8))-copy-\(requestId)",
            output: seen.output, embedding: [], bEmbedding: seen.bEmbedding, createdAt: Workload.date(now))
        effects.append(.sendLater(.inferenceReveal(reveal), at: now, to: nil))
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
