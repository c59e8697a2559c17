import RakisDVM

/// What a node owes a job's customer once its turn comes: a feedback, or the result (with a
/// `success` feedback). One node sends each: the nodes that may are ranked by
/// `sha256(jobId ‖ synthientId)`, the one ranked r waits r × `dvmReplyBackoffMs`, and a node
/// whose turn comes sends nothing that another sent already.
struct DVMReply: Sendable {
    enum Kind: Sendable {
        case feedback(DVMFeedback.Status, reason: String?)
        case result(DVMConsensusProof)
    }

    let job: DVMJob
    let kind: Kind
    /// The nodes that may send it (the valid members for a result).
    let candidates: [String]

    /// This node's place in the order: first when the job names this node's key with `p`,
    /// after every candidate when it is none of them.
    func rank(of synthientId: String, addressedHere: Bool) -> Int {
        if addressedHere { return 0 }
        let ranked = candidates.sorted { RakisNode.rankKey(job.id, $0) < RakisNode.rankKey(job.id, $1) }
        return ranked.firstIndex(of: synthientId) ?? ranked.count
    }
}
