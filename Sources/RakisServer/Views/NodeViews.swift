public import Foundation
public import RakisNode
public import Hummingbird

/// The reference's `RakisStats`, and what this node adds to it.
public struct StatsView: Codable, Sendable, ResponseEncodable {
    public let synthientId: String
    public let startedAt: Date
    public let uptimeSeconds: Double
    public let totalPackets: Int
    public let totalPeers: Int
    /// Peers heard from in the last five minutes.
    public let activePeers: Int
    public let requestsSeen: Int
    public let ownInferences: Int
    public let failedInferences: Int
    public let totalTokens: Int
    public let consensusSucceeded: Int
    public let consensusFailed: Int
    public let llmWorkers: Int
    public let embeddingWorkers: Int
    public let embeddingQueueLength: Int
    public let packetsTransmitted: Int
    public let invalidSignatures: Int
    /// Received packets refused for a `createdAt` outside the accepted window (replays, bad clocks).
    public let packetsOutsideTimeWindow: Int
    public let duplicates: Int
    public let malformedPackets: Int
    /// Received packets dropped unprocessed because `maxIntakeBacklog` were waiting (a flood), at
    /// intake or before the filer.
    public let packetsDroppedOverBacklog: Int
    /// Peers removed from the peer table beyond `maxPeerTableSize`.
    public let peersPruned: Int
    /// Peers' requests for models this node does not serve, not filed because `maxUnservedOpenRequests` were open.
    public let unservedRequestsOverLimit: Int
    /// Reveals and consensus results for requests this node never had, not filed.
    public let packetsForUnknownRequests: Int
    /// Commits refused because their sender was outside the request's committee.
    public let commitsOutsideCommittee: Int
    /// Each transport's own counters (the mesh's bans, refused connections, drops), by transport.
    public let transportCounters: [String: [String: Int]]
    public let models: [String]
    public let embeddingModels: [String]
    /// The chains this node watches (empty when none).
    public let chains: [ChainStatsView]

    init(_ snapshot: NodeSnapshot) {
        synthientId = snapshot.synthientId
        startedAt = snapshot.startedAt
        uptimeSeconds = snapshot.uptimeSeconds
        totalPackets = snapshot.packetsStored
        totalPeers = snapshot.peers
        activePeers = snapshot.activePeers
        requestsSeen = snapshot.requestsSeen
        ownInferences = snapshot.ownInferences
        failedInferences = snapshot.failedInferences
        totalTokens = snapshot.totalTokens
        consensusSucceeded = snapshot.consensusSucceeded
        consensusFailed = snapshot.consensusFailed
        llmWorkers = snapshot.workers.filter { $0.kind == .llm && !$0.isFailed }.count
        embeddingWorkers = snapshot.workers.filter { $0.kind == .embedding && !$0.isFailed }.count
        embeddingQueueLength = snapshot.embeddingQueue.length
        packetsTransmitted = snapshot.intake.transmitted
        invalidSignatures = snapshot.intake.invalidSignatures
        packetsOutsideTimeWindow = snapshot.intake.outsideTimeWindow
        duplicates = snapshot.intake.duplicates
        malformedPackets = snapshot.malformedPackets
        packetsDroppedOverBacklog = snapshot.intake.droppedOverBacklog + snapshot.eventsDroppedOverBacklog
        peersPruned = snapshot.intake.prunedPeers
        unservedRequestsOverLimit = snapshot.refusals.unservedRequestsOverLimit
        packetsForUnknownRequests = snapshot.refusals.revealsForUnknownRequests + snapshot.refusals.peerResultsForUnknownRequests
        commitsOutsideCommittee = snapshot.refusals.commitsOutsideCommittee
        transportCounters = Dictionary(snapshot.transports.map { ($0.name, $0.counters) }, uniquingKeysWith: { first, _ in first })
        models = snapshot.llmModels
        embeddingModels = snapshot.embeddingModels
        chains = snapshot.chains.map(ChainStatsView.init)
    }
}

public struct HealthView: Codable, Sendable, ResponseEncodable {
    /// `ok` once every configured model has a loaded worker and a transport is connected (or none
    /// is configured), `loading` while models load, `disconnected` while no transport reaches
    /// anyone (they keep retrying), `degraded` when a model failed.
    public let status: String
    public let synthientId: String
    public let modelsReady: Bool
    /// Whether some transport reaches other nodes now (true for a node started offline).
    public let connected: Bool
    public let transports: [TransportStatus]
    public let problem: String?
    public let uptimeSeconds: Double
    /// The latest stretch in which the node heard nothing: before its start (from the newest
    /// packet it had stored; no `from` on a first start), or while no transport reached anyone.
    /// Requests whose windows it overlaps are decided here only if no packet was missed.
    public let lastListeningGap: ListeningGapView?
}

public struct ListeningGapView: Codable, Sendable {
    public let from: Date?
    public let until: Date

    init(_ gap: ListeningGap) {
        from = gap.from
        until = gap.until
    }
}

public struct WorkerView: Codable, Sendable {
    public let id: Int
    public let model: String
    /// `loading`, `idle`, `inferencing` (LLM) or `busy` (embedding), or `failed`.
    public let state: String
    /// Load progress in [0, 1]; 1 once loaded.
    public let progress: Double
    public let retiring: Bool
    public let failure: String?

    public init(_ worker: WorkerSnapshot) {
        self.init(id: worker.id, model: worker.model, state: worker.state, progress: worker.progress, retiring: worker.retiring, failure: worker.failure)
    }

    init(id: Int, model: String, state: String, progress: Double, retiring: Bool, failure: String?) {
        self.id = id
        self.model = model
        self.state = state
        self.progress = progress
        self.retiring = retiring
        self.failure = failure
    }
}

public struct WorkerList: Codable, Sendable, ResponseEncodable {
    public let llm: [WorkerView]
    public let embedding: [WorkerView]
    /// Models this node can scale (those it was started with).
    public let llmModels: [String]
    public let embeddingModels: [String]
}

/// The body of `PUT /api/workers/{kind}/{model}`.
public struct WorkerScaling: Codable, Sendable {
    public var count: Int

    public init(count: Int) { self.count = count }
}
