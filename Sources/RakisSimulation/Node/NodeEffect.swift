import RakisCore

/// What a simulated node asks of the simulation after handling an event: packets to send and
/// work or timers to come back at. Nodes never schedule anything themselves, so the one event
/// queue decides every order.
enum NodeEffect: Sendable {
    /// To every node (itself included, as its own intake sees its packets).
    case broadcast(Packet)
    /// To every node, signed by another identity this node holds (a Sybil's).
    case broadcastAs(Packet, signer: String)
    /// Run a scheduler pass over every open quorum then.
    case pass(at: Int64)
    /// The inference for a request is done then.
    case inferenceDone(requestId: String, at: Int64)
    /// The verification embeddings of a quorum's reveals are done then.
    case verified(requestId: String, at: Int64)
    /// Sent then, to every node (nil) or to these: a commit once its embedding is done, a late
    /// revealer's reveal.
    case sendLater(Packet, at: Int64, to: [Int]?)
    /// Look again then for an output to copy.
    case copyAttempt(requestId: String, at: Int64)
    /// A reveal from `synthientId` that this node rejected, for the invariants.
    case rejected(synthientId: String, requestId: String, reason: String)
    /// This node refused a commit from a node outside the request's committee.
    case refusedOutsideCommittee
    /// This node caught `synthientId` equivocating on a request.
    case caughtEquivocator(synthientId: String, requestId: String)
    /// This node finished a request: its consensus, or why none.
    case finished(requestId: String, outcome: NodeOutcome)
}

/// How a request ended on one node.
enum NodeOutcome: Sendable, Hashable {
    case agreed(jointHash: String, selectedOutput: String, selectedFrom: String, validFrom: [String])
    case failed(reason: String)
}
