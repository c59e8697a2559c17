import Foundation
public import RakisCore

/// What the edge may read of a node: its requests, peers, packets, workers and figures.
extension RakisNode {
    /// The newest requests first, each with its quorum's status and this node's outcome.
    public func recentRequests(limit: Int) async throws -> [RequestSummary] {
        try await stores.recentSummaries(limit: limit)
    }

    /// Everything this node holds about one request; nil when it knows no such request.
    public func requestHistory(requestId: String) async throws -> RequestHistory? {
        try await stores.history(requestId: requestId)
    }

    /// The status of a request's quorum on this node; nil when it knows no such request.
    public func quorumStatus(requestId: String) async throws -> QuorumStatus? {
        try await stores.quorums.status(requestId: requestId)
    }

    /// Every status change of a quorum on this node from now on.
    public nonisolated func quorumUpdates() -> AsyncStream<QuorumUpdate> {
        quorums.updates.subscribe()
    }

    /// The peers seen most recently first.
    public func peers(limit: Int) async throws -> [Peer] {
        try await p2p.packetDB.peers.lastPeers(since: .distantPast, limit: limit)
    }

    /// The newest stored packets first, of one type or all.
    public func packets(limit: Int, type: PacketType? = nil) async throws -> [StoredPacket] {
        try await p2p.packetDB.store.lastPackets(count: limit, type: type)
    }

    /// How many packets the packet store holds (readable after a shutdown too).
    public func storedPacketCount() async throws -> Int {
        try await p2p.packetDB.store.count()
    }

    /// Every packet as it is stored, sent or received, from now on (subscribe before `start()`
    /// to see them all). Ends when the node stops.
    public nonisolated func packetFeed() -> AsyncStream<ReceivedPacket> {
        p2p.packetDB.feed.subscribe()
    }

    /// The LLMs and embedding models this node was started with.
    public nonisolated var servedModels: (llms: [String], embedders: [String]) {
        (models.llms.map(\.configuration.name), models.embeddings.map(\.name))
    }

    /// Why a request naming these models could not be answered by any node this one has heard
    /// of; nil when it could. A model left out (nil) takes the default and is not checked.
    public nonisolated func modelProblem(acceptedModels: [String]?, embeddingModel: String?) -> String? {
        knownModels.problem(acceptedModels: acceptedModels, embeddingModel: embeddingModel)
    }

    /// Every worker of both engines.
    public func workers() async -> [WorkerSnapshot] {
        await llm.status().map { WorkerSnapshot($0, kind: .llm) } + embeddings.status().map { WorkerSnapshot($0, kind: .embedding) }
    }

    /// Fires whenever a worker of either engine changes (load progress, loaded, failed, busy,
    /// free, stopped): subscribe, then read `workers()` or `modelsReady()` on each change. Ends
    /// when the engines shut down.
    public func workerChanges() async -> AsyncStream<Void> {
        let (changes, change) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let llmEvents = await llm.events()
        let embeddingEvents = await embeddings.events()
        // Ends with both engines' streams (at shutdown), or when the caller stops listening.
        let merge = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in llmEvents { change.yield() } }
                group.addTask { for await _ in embeddingEvents { change.yield() } }
            }
            change.finish()
        }
        change.onTermination = { _ in merge.cancel() }
        change.yield()
        return changes
    }

    /// The node's figures, read now.
    public func snapshot() async throws -> NodeSnapshot {
        let packetDB = p2p.packetDB
        let totals = try await stores.inferences.resultTotals()
        let outcomes = try await stores.consensus.outcomeCounts()
        let queue = await embeddingQueue.figures
        let takenAt = clock.now()
        return NodeSnapshot(
            synthientId: identity.synthientId, startedAt: startedAt, takenAt: takenAt,
            packetsStored: try await packetDB.store.count(), peers: try await packetDB.peers.count(),
            activePeers: try await packetDB.peers.count(since: takenAt.addingTimeInterval(-300)),
            requestsSeen: try await stores.inferences.requestCount(), ownInferences: totals.results, failedInferences: totals.failed,
            totalTokens: totals.tokens, consensusSucceeded: outcomes.succeeded, consensusFailed: outcomes.failed, embeddingQueue: queue,
            intake: await packetDB.statistics, eventsDroppedOverBacklog: eventBacklog.dropped, refusals: quorums.refusals.current, malformedPackets: p2p.malformedPackets,
            rejectedChainIdentities: packetDB.peers.rejectedChainIdentities, workers: await workers(),
            transports: await transportStatus(), llmModels: servedModels.llms, embeddingModels: servedModels.embedders,
            chains: try await chainFigures())
    }
}
