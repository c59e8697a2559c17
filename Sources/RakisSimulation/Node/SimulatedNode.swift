import Foundation
import RakisCoordination
import RakisCore

/// One node of the simulation: the real coordination stores (SQLite, in memory), the real quorum
/// steps, reveal checks and cluster consensus, driven by the simulation's events instead of a
/// transport and a clock. Model work (inference, embeddings) is timed by the work model and its
/// outputs come from the evaluation set. Used by one task at a time, the simulation's.
final class SimulatedNode {
    let index: Int
    let synthientId: String
    let strategy: NodeStrategy
    let stores: BlockingCoordinationStores
    let settings: Settings
    let workload: Workload
    var random: SeededRandom
    /// LLM workers not running an inference.
    var freeWorkers: Int
    /// Requests this node may still answer, with their `endingAt`.
    var waiting: [String: Int64] = [:]
    /// Every request this node knows, with its `endingAt`.
    var endings: [String: Int64] = [:]
    /// The committee share of each request that has one, and who sent each request.
    var committeeShares: [String: Double] = [:]
    var requesters: [String: String] = [:]
    /// What committee members reported for the requests this node watches: who vouched for
    /// which `validInferenceJointHash`.
    var memberResults: [String: [String: Set<String>]] = [:]
    /// Work done, for the report: inferences run and texts embedded to verify reveals.
    var inferencesRun = 0
    var textsVerified = 0
    /// One embedding worker: result embeddings and verifications wait for each other.
    var embeddingBusyUntil: Int64 = 0
    var verificationsQueued: Set<String> = []
    /// When the next scheduler pass is already due (none: nil).
    var passDueAt: Int64?
    /// Down nodes neither receive nor act (churn).
    var isUp = true
    /// Counts restarts: what was under way before one is dropped.
    var generation = 0
    /// When the node last went down; nil while it never did.
    var downSince: Int64?
    /// When it last heard nothing, as the node's `ListeningHistory` keeps it.
    var listeningGaps: [ListeningGap] = []
    /// Since when the node reaches no one (`ChurnModel.outages`); nil while it does.
    var offlineSince: Int64?
    /// Inferences under way on the LLM workers.
    var inferencesUnderWay: Set<String> = []
    /// Packets sent to some nodes only that this node has had (each is handled once).
    var passedOn: Set<Int> = []
    /// A copier's choice of whom to copy, by request.
    var copying: [String: String] = [:]
    /// The reveal a copier saw from the node it copies, by request.
    var copiedReveals: [String: InferenceReveal] = [:]

    init(index: Int, strategy: NodeStrategy, workload: Workload, seed: UInt64) throws(SimulationError) {
        self.index = index
        self.strategy = strategy
        self.workload = workload
        synthientId = Self.synthientId(seed: seed, index: index)
        random = SeededRandom(seed: seed &+ 0x9E37_79B9 &* UInt64(index + 1))
        freeWorkers = workload.configuration.work.llmWorkers
        var settings = Settings()
        settings.quorumRevealRequestIssueTimeoutMs = workload.configuration.quorumRevealRequestIssueTimeoutMs
        settings.quorumRevealTimeoutMs = workload.configuration.quorumRevealTimeoutMs
        settings.quorumConsensusWindowMs = workload.configuration.quorumConsensusWindowMs
        self.settings = settings
        do { stores = BlockingCoordinationStores(database: try CoordinationDatabase.inMemory()) } catch {
            throw .storeFailed(node: index, reason: "\(error)")
        }
    }

    /// A fixed, well-formed identity per seed and index (64 hex digits, as an Ed25519 key's).
    static func synthientId(seed: UInt64, index: Int) -> String {
        var random = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return Hex.encode((0..<4).flatMap { _ in withUnsafeBytes(of: random.next().bigEndian, Array.init) })
    }

    func deadlines(_ request: InferenceStore.StoredRequest) -> QuorumDeadlines { QuorumDeadlines(endingAt: request.endingAt, settings: settings) }

    /// The reveal deadline of a request ending at `endingAt` (kept in memory: the simulation's
    /// nodes read it for every reveal).
    func revealBy(endingAt: Int64) -> Date { QuorumDeadlines(endingAt: Workload.date(endingAt), settings: settings).revealBy }

    /// Honest-looking nodes keep the deadlines, ask for reveals and compute consensus; the
    /// other strategies only answer.
    var runsScheduler: Bool { strategy == .honest }

    /// Whether `synthientId` is in the request's committee (every node, when it has none).
    func inCommittee(_ requestId: String, _ synthientId: String) -> Bool {
        Committee.isEligible(requestId: requestId, synthientId: synthientId, share: committeeShares[requestId])
    }

    /// Whether this node only watches a request: it has a committee, this node is not in it and
    /// did not send it. A watcher files neither commits nor reveals and verifies nothing; it takes
    /// the result that `quorum` members report alike.
    func watches(_ requestId: String) -> Bool {
        runsScheduler && committeeShares[requestId] != nil && !inCommittee(requestId, synthientId) && requesters[requestId] != synthientId
    }

    /// Honest nodes answer only the requests whose committee they are in; the attacks try anyway.
    func answers(_ requestId: String) -> Bool {
        strategy.runsInferences && (strategy != .honest || inCommittee(requestId, synthientId))
    }
}
