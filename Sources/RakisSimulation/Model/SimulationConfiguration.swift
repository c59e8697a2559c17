import RakisCore


/// Everything a simulation run depends on; the same configuration and seed give the same trace.
public struct SimulationConfiguration: Sendable, Hashable, Codable {
    public var nodes: Int
    public var requests: Int
    public var seed: UInt64
    /// Milliseconds between two requests (each from a node drawn at random).
    public var requestIntervalMs: Int
    /// The security frame every request carries.
    public var quorum: Int
    public var maxTimeMs: Int
    public var secDistance: Double
    public var secPercentage: Double
    /// The request's temperature: honest nodes answer with one of the evaluation set's answers at
    /// it (at 0.0 there is one per prompt; above, each node draws one of its seeds' answers).
    public var temperature: Double
    public var network: NetworkModel
    public var work: WorkModel
    public var churn: ChurnModel
    /// The share of nodes following each adversary strategy; the rest are honest.
    public var adversaries: [NodeStrategy: Double]
    /// Identities each Sybil node commits from, per request.
    public var sybilIdentities = 10
    /// Milliseconds between two requests of one spammer.
    public var spamIntervalMs = 1_000
    /// Committees: each request is answered by about this many times its quorum of nodes
    /// (`committeeShare` in its security frame); 0: by every node, as in the reference.
    public var committeeFactor = 0.0

    /// The committee share each request carries.
    var committeeShare: Double? { Committee.share(factor: committeeFactor, quorum: quorum, nodes: nodes) }
    /// The protocol timing settings (the node's defaults).
    public var quorumRevealRequestIssueTimeoutMs = Settings().quorumRevealRequestIssueTimeoutMs
    public var quorumRevealTimeoutMs = Settings().quorumRevealTimeoutMs
    public var quorumConsensusWindowMs = Settings().quorumConsensusWindowMs

    public init(
        nodes: Int = 100, requests: Int = 10, seed: UInt64 = 1, requestIntervalMs: Int = 2_000, quorum: Int = 3,
        maxTimeMs: Int = 20_000, secDistance: Double = 32, secPercentage: Double = 0.5, temperature: Double = 0.0,
        network: NetworkModel = NetworkModel(), work: WorkModel = WorkModel(), churn: ChurnModel = ChurnModel(),
        adversaries: [NodeStrategy: Double] = [:]
    ) {
        self.nodes = nodes
        self.requests = requests
        self.seed = seed
        self.requestIntervalMs = requestIntervalMs
        self.quorum = quorum
        self.maxTimeMs = maxTimeMs
        self.secDistance = secDistance
        self.secPercentage = secPercentage
        self.temperature = temperature
        self.network = network
        self.work = work
        self.churn = churn
        self.adversaries = adversaries
    }

    /// What is wrong with the configuration, in words a user can act on; nil when it can run.
    public var problem: String? {
        if nodes < 1 || nodes > 100_000 { return "nodes must be between 1 and 100000" }
        if requests < 1 || requests > 100_000 { return "requests must be between 1 and 100000" }
        if quorum < 1 { return "quorum must be at least 1" }
        if maxTimeMs < 1_000 { return "maxTimeMs must be at least 1000" }
        if !(secPercentage > 0 && secPercentage <= 1) { return "secPercentage must be in (0, 1]" }
        if !Answers.temperatures.contains(temperature) {
            return "temperature must be one the evaluation set was made at: \(Answers.temperatures.map { "\($0)" }.joined(separator: ", "))"
        }
        let adversaryShare = adversaries.values.reduce(0, +)
        if adversaries.values.contains(where: { $0 < 0 }) || adversaryShare > 1 { return "adversary shares must be ≥ 0 and add up to at most 1" }
        if committeeFactor < 0 { return "committeeFactor must be ≥ 0 (0: every node answers)" }
        return network.problem ?? work.problem ?? churn.problem
    }

    /// When the last request is sent, milliseconds from the start.
    var lastRequestAt: Int { (requests - 1) * requestIntervalMs }
}
