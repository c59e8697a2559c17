/// What a simulation run found: per request and in total, for honest nodes only (an adversary's
/// view of its own attack proves nothing).
public struct SimulationReport: Sendable, Hashable, Codable {
    public struct RequestResult: Sendable, Hashable, Codable {
        public let requestId: String
        public let prompt: String
        /// Honest nodes that knew the request, and those that reached consensus on it.
        public let honestNodes: Int
        public let honestAgreed: Int
        /// Distinct outputs the honest nodes that reached consensus selected (1: they agree).
        public let distinctOutputs: Int
        /// Distinct `validInferenceJointHash`es among them: nodes that saw different commits by
        /// `endingAt` (latency, loss) compute over different members, and may pick another member
        /// of the same cluster.
        public let distinctJointHashes: Int
        /// Whether every honest node's selected output is one of the model's honest answers.
        public let correct: Bool
        /// The commonest reason honest nodes failed, if any did.
        public let failure: String?
    }

    public let configuration: SimulationConfiguration
    public let strategies: [NodeStrategy: Int]
    public let requests: [RequestResult]
    /// Milliseconds from a request's `endingAt` to each honest node's consensus on it.
    public let consensusDelayMedianMs: Int?
    public let consensusDelayP99Ms: Int?
    /// Mean over nodes of what each received and sent, per request.
    public let packetsReceivedPerNodePerRequest: Double
    public let bytesReceivedPerNodePerRequest: Double
    public let packetsSentPerNodePerRequest: Double
    /// Per packet a node signed and sent to everyone: frames that carried it whole (N − 1 when
    /// every node is connected to every other), announcements of its id, and asks for it.
    public let framesPerBroadcast: Double
    public let announcementsPerBroadcast: Double
    public let asksPerBroadcast: Double
    /// Work per request, all nodes together: inferences run, and texts embedded to verify reveals.
    public let inferencesPerRequest: Double
    public let verificationEmbeddingsPerRequest: Double
    /// Commits honest nodes refused because their sender was outside the request's committee.
    public let commitsRefusedOutsideCommittee: Int
    /// Honest nodes' reveals that some honest node rejected (the protocol promises none).
    public let honestRevealsRejected: Int
    public let firstHonestRejection: String?
    /// Those rejections by reason (a node that was down when a commit went by rejects its reveal
    /// for having no commit).
    public let honestRejectionReasons: [String: Int]
    /// Equivocators that signed two commits for a request, and those of them caught by honest nodes.
    public let equivocations: Int
    public let equivocationsCaught: Int
    /// Adversaries, by strategy, whose output made it into an honest node's valid inferences.
    public let adversariesAmongValid: [NodeStrategy: Int]
    public let events: Int
    /// Simulated time from the first request to the last event, milliseconds.
    public let simulatedMs: Int64
    public let traceHash: String

    /// Requests on which at least one honest node reached consensus.
    public var requestsAgreed: Int { requests.filter { $0.honestAgreed > 0 }.count }
    /// Requests on which honest nodes selected different outputs.
    public var disagreements: Int { requests.filter { $0.distinctOutputs > 1 }.count }
    /// Requests on which honest nodes computed over different members.
    public var divergentMemberships: Int { requests.filter { $0.distinctJointHashes > 1 }.count }
    /// Requests with an agreed result that is not an honest answer.
    public var wrongResults: Int { requests.filter { $0.honestAgreed > 0 && !$0.correct }.count }
}
