import RakisCore
public import RakisNostr

/// What the network agreed on for a job, as the result event carries it for anyone to check
/// against the nodes: the request, the joint hash of the valid inferences, their authors and
/// the quorum asked for.
public struct DVMConsensusProof: Sendable, Equatable {
    public var requestId: String
    public var output: String
    public var validInferenceJointHash: String
    public var validMembers: [String]
    public var quorum: Int

    public init(requestId: String, output: String, validInferenceJointHash: String, validMembers: [String], quorum: Int) {
        self.requestId = requestId
        self.output = output
        self.validInferenceJointHash = validInferenceJointHash
        self.validMembers = validMembers
        self.quorum = quorum
    }
}

/// NIP-90 job result (kind 6050): the selected output as content, NIP-90's `request`, `e`, `i`
/// and `p` tags, and rakis's consensus tags.
public enum DVMResult {
    public static let requestIdTag = "rakis_request_id"
    public static let jointHashTag = "rakis_joint_hash"
    public static let memberTag = "rakis_member"
    public static let quorumTag = "rakis_quorum"

    /// The result event; without the `request` and `i` tags (which repeat the job) when the
    /// whole would be over `maxEventBytes`, since the `e` tag names the job anyway.
    public static func event(
        for job: DVMJob, proof: DVMConsensusProof, relayHint: String?, createdAt: Int, maxEventBytes: Int, by keys: BIP340.KeyPair
    ) throws(BIP340Error) -> NostrEvent {
        let consensusTags = [[requestIdTag, proof.requestId], [jointHashTag, proof.validInferenceJointHash], [quorumTag, String(proof.quorum)]]
            + proof.validMembers.map { [memberTag, $0] }
        let core = [["e", job.id] + (relayHint.map { [$0] } ?? []), ["p", job.customer]] + consensusTags
        let echo = [["request", CanonicalJSON.string(of: job.event.json)], ["i", job.input, "text"]]
        let full = try NostrEvent.signed(kind: DVMJob.resultKind, tags: echo + core, content: proof.output, createdAt: createdAt, by: keys)
        if CanonicalJSON.bytes(of: full.json).count <= maxEventBytes { return full }
        return try NostrEvent.signed(kind: DVMJob.resultKind, tags: core, content: proof.output, createdAt: createdAt, by: keys)
    }

    /// Whether `event` is a result for `jobId` that carries exactly `proof`'s output and joint hash:
    /// another node's answer that makes this node's unnecessary. A result saying anything else
    /// (a hostile one, say) does not count.
    public static func matches(_ event: NostrEvent, jobId: String, proof: DVMConsensusProof) -> Bool {
        event.kind == DVMJob.resultKind && event.tag("e") == jobId && event.content == proof.output
            && event.tag(jointHashTag) == proof.validInferenceJointHash
    }
}
