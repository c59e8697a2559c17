public import Foundation
public import Logging
import RakisCoordination
public import RakisCore
public import RakisEthereum
import RakisInference
public import RakisP2P
public import ServiceLifecycle

/// The Domain: the one place that knows every layer and connects them with events. Packet
/// intake's events go to the packet filer (requests, commits, reveals, peers' results) and the
/// reveal responder; requests go to the inference request queue, whose results the result
/// pipeline embeds on the embedding queue and commits to; the quorum scheduler keeps the
/// deadlines, asks for reveals and queues their verification; the embedding queue's outcomes
/// come back as events. Runs with its intake and transports as the services of one group
/// (`services`), until the group shuts down.
public actor RakisNode {
    public nonisolated let identity: NodeIdentity
    public nonisolated let settings: Settings
    public nonisolated let startedAt: Date
    /// When the newest packet stored before this run was received (nil on a first start): the
    /// gap from then until the transports are up is when this node heard nothing.
    let lastHeardBeforeStart: Date?
    // The layers stay behind the Domain: the edge asks the node (RakisNode+Queries), never them.
    nonisolated let p2p: P2PLayer
    nonisolated let stores: CoordinationStores
    nonisolated let llm: LLMEngine
    nonisolated let embeddings: EmbeddingEngine
    nonisolated let quorums: QuorumContext
    nonisolated let filer: PacketFiler
    nonisolated let pipeline: ResultPipeline
    nonisolated let scheduler: QuorumScheduler
    nonisolated let responder: RevealResponder
    /// Intake's events waiting for the responder and the filer.
    nonisolated let eventBacklog: PacketEventBacklog
    nonisolated let outcomes = EmbeddingOutcomes()
    nonisolated let inferenceQueue: InferenceRequestQueue
    nonisolated let embeddingQueue: EmbeddingQueue
    nonisolated let models: NodeModels
    nonisolated let knownModels: KnownModels
    nonisolated let dataDirectory: DataDirectory
    nonisolated let chains: ChainRequests
    /// NIP-90 jobs from Nostr relays; nil unless the node runs as a data vending machine.
    nonisolated let dvm: DVMConnector?
    /// The wallet this node attests chain results with; nil when it has none.
    nonisolated let wallet: NodeWallet?
    /// Every protocol timer and timestamp of this node reads it.
    nonisolated let clock: any NodeClock
    let logger: Logger
    let readiness = NodeReadiness()

    enum Phase { case created, running, stopped }
    var phase = Phase.created
    /// Whether the node stopped through a clean shutdown (its stores are then closed).
    var graceful = false

    public init(
        identity: NodeIdentity, settings: Settings, dataDirectory: DataDirectory, transports: [any P2PTransport],
        models: NodeModels = NodeModels(), wallet: NodeWallet? = nil, dvm: NetworkPlan.DVM? = nil, clock: any NodeClock = SystemClock(),
        logger: Logger = Logger(label: "rakis.node")
    ) throws(NodeError) {
        let now: @Sendable () -> Date = { clock.now() }
        self.dvm = try dvm.map { plan throws(NodeError) in
            try DVMConnector(plan: plan, settings: settings, directory: dataDirectory.url, now: clock.now(), logger: logger) }
        self.wallet = wallet
        self.identity = identity
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.models = models
        self.knownModels = KnownModels(llms: models.llms.map(\.configuration.name), embedders: models.embeddings.map(\.name))
        self.startedAt = clock.now()
        self.clock = clock
        self.logger = logger
        let (database, stores, lastHeard) = try Self.openStores(in: dataDirectory)
        lastHeardBeforeStart = lastHeard
        let chains = try ChainRequests(settings: settings, directory: dataDirectory.url, wallet: wallet, clock: clock, logger: logger)
        self.chains = chains
        let p2p = P2PLayer(identity: identity, settings: settings, database: database, transports: transports, clock: clock, logger: logger)
        self.p2p = p2p
        self.stores = stores
        let llm = LLMEngine(models: models.llms.map(\.configuration), logger: logger)
        let embeddings = EmbeddingEngine(
            loader: SentenceEmbeddingModel.loader(directories: Dictionary(models.embeddings.map { ($0.name, $0.directory) }, uniquingKeysWith: { a, _ in a })),
            logger: logger)
        let status = P2PStatusPublisher(p2p: p2p, clock: clock, logger: logger)
        let quorums = QuorumContext(
            synthientId: identity.synthientId, settings: settings, stores: stores, clock: clock,
            transmit: { packet in _ = try await p2p.transmit(packet) }, status: status, logger: logger)
        // Built bottom-up, each part handed what it uses; what flows back up (embeddings, packets)
        // arrives as events that the node routes (`start`), so no part holds one above it.
        embeddingQueue = EmbeddingQueue(
            engine: embeddings, synthientId: identity.synthientId, results: outcomes, consensus: outcomes, now: now, logger: logger)
        pipeline = ResultPipeline(context: quorums, embeddingQueue: embeddingQueue)
        inferenceQueue = InferenceRequestQueue(
            pool: llm, results: pipeline, status: status, configuration: .init(settings: settings), now: now, logger: logger)
        scheduler = QuorumScheduler(context: quorums, embeddingQueue: embeddingQueue)
        filer = PacketFiler(
            context: quorums, inferenceQueue: inferenceQueue, scheduler: scheduler, chains: chains,
            embedders: models.embeddings.map(\.name), llms: models.llms.map(\.configuration.name), inPlay: RequestsInPlay(),
            peers: p2p.packetDB.peers)
        responder = RevealResponder(context: quorums)
        self.quorums = quorums
        eventBacklog = PacketEventBacklog(capacity: settings.maxIntakeBacklog)
        self.llm = llm
        self.embeddings = embeddings
    }

    /// The node's two SQLite files, and when it last received a packet (nil for a new one).
    private static func openStores(in dataDirectory: DataDirectory) throws(NodeError) -> (P2PDatabase, CoordinationStores, Date?) {
        let packetsPath = dataDirectory.url.appendingPathComponent(P2PDatabase.fileName).path
        let database: P2PDatabase
        let lastHeard: Date?
        do {
            database = try P2PDatabase(directory: dataDirectory.url)
            lastHeard = try PacketStore(pool: database.pool).newestReceivedTime()
        } catch {
            throw .storeUnavailable(path: packetsPath, reason: "\(error)")
        }
        do {
            return (database, try CoordinationStores(directory: dataDirectory.url), lastHeard)
        } catch {
            throw .storeUnavailable(path: dataDirectory.url.appendingPathComponent(CoordinationDatabase.fileName).path, reason: "\(error)")
        }
    }

    /// A node on `network`: the edge names the transports it wants, the Domain builds them.
    public init(
        identity: NodeIdentity, settings: Settings, dataDirectory: DataDirectory, network: NetworkPlan, models: NodeModels = NodeModels(),
        wallet: NodeWallet? = nil, clock: any NodeClock = SystemClock(), logger: Logger = Logger(label: "rakis.node")
    ) throws(NodeError) {
        let transports = try network.transports(identity: identity, settings: settings, logger: logger)
        try self.init(
            identity: identity, settings: settings, dataDirectory: dataDirectory, transports: transports, models: models, wallet: wallet,
            dvm: network.dvm, clock: clock, logger: logger)
    }

    /// Intake, the transports and the node itself, in the order a `ServiceGroup` should run
    /// them: the node stops first, the transports after it, and intake last processes what they
    /// delivered. Add the edge's services (the API) after these.
    public nonisolated var services: [any Service] {
        p2p.services + [NodeService(node: self)]
    }

    /// Returns once the node has started (its models loading, its transports up or still
    /// trying, its boot packet sent); throws why it could not.
    public nonisolated func waitUntilStarted() async throws {
        try await readiness.wait()
    }

    /// What the node's loops read, subscribed before anything can happen.
    struct Subscriptions: Sendable {
        let packets: EventHub<PacketEvent>.Subscription
        let llmWorkers: AsyncStream<LLMEngine.Event>
        let embeddingWorkers: AsyncStream<EmbeddingEngine.Event>
    }

    /// Loads the models, waits for the transports, announces this node with a `boot` status
    /// packet and resumes every open request from the stores.
    func start() async throws -> Subscriptions {
        guard phase == .created else { throw NodeError.notRunning }
        phase = .running
        try await chains.checkChainIds(logger: logger)
        // Subscribed before any transport or worker is up, so that no packet or event goes unseen.
        let subscriptions = Subscriptions(
            packets: p2p.packetDB.events.subscription(), llmWorkers: await inferenceQueue.engineEvents(),
            embeddingWorkers: await embeddingQueue.engineEvents())
        await knownModels.learnFromStore(p2p.packetDB.store)
        // Before any transport delivers a copy (refused as a duplicate) of what a kill left stored but unfiled.
        _ = await p2p.packetDB.republishRecent()
        for model in models.llms { try await llm.scaleLLMWorkers(model: model.configuration.name, count: model.workers) }
        for model in models.embeddings { await embeddings.scaleEmbeddingWorkers(model: model.name, count: model.workers) }
        try await p2p.waitForTransports()
        let gap = ListeningGap(from: lastHeardBeforeStart, until: clock.now())
        quorums.listening.started(after: gap)
        if let from = gap.from {
            logger.info("heard nothing while stopped: requests whose windows fell in part in that stretch are decided here only if no packet was missed", metadata: [
                "from": "\(ISO8601Timestamp.format(from))", "until": "\(ISO8601Timestamp.format(gap.until))",
            ])
        }
        try await p2p.transmit(.peerStatusUpdate(PeerStatusUpdate(status: .boot(totalTokens: 0), createdAt: clock.now())))
        try await announceChainIdentities()
        await pipeline.resume(await filer.resumeOpenRequests())
        await scheduler.evaluate()
        logger.info("node started", metadata: ["synthientId": "\(identity.synthientId)"])
        return subscriptions
    }

    /// Routes intake's events: status packets teach the known models, reveal requests go to the
    /// responder, the rest to the filer. They pass through a backlog shared fairly by the nodes
    /// that signed them (`PacketEventBacklog`), so that a flood delays only its own packets.
    func route(_ events: AsyncStream<PacketEvent>) async {
        let backlog = eventBacklog
        await withDiscardingTaskGroup { group in
            group.addTask { await backlog.fill(from: events) { self.isUrgent($0) } }
            await backlog.drain { event in await self.dispatch(event) }
        }
    }

    /// Whether an event is about work this node does, and so goes ahead of a flood.
    private nonisolated func isUrgent(_ event: PacketEvent) -> Bool {
        switch event {
        case .p2pInferenceRequest(let delivered): delivered.isOwn || filer.serves(delivered.body.payload)
        case .inferenceCommit(let delivered): delivered.isOwn || filer.inPlay.contains(delivered.body.requestId)
        case .inferenceReveal(let delivered): filer.inPlay.contains(delivered.body.requestId)
        case .inferenceRevealRejected(let delivered): filer.inPlay.contains(delivered.body.requestId)
        case .inferenceQuorumComputed(let delivered): filer.inPlay.contains(delivered.body.requestId)
        case .chainAttestation(let delivered): filer.inPlay.contains(delivered.body.requestId)
        case .inferenceRevealRequest: true
        case .peerStatusUpdate(let delivered): delivered.isOwn
        case .peerHeart: false
        }
    }

    private func dispatch(_ event: PacketEvent) async {
        switch event {
        case .peerStatusUpdate(let delivered): knownModels.learn(from: delivered.body.status)
        case .inferenceRevealRequest(let delivered): await responder.revealRequested(delivered.body)
        case .chainAttestation(let delivered): await chainAttestationArrived(delivered.body)
        default: await filer.handle(event)
        }
    }

    /// Routes the embedding queue's outcomes until they end (at shutdown, once it is drained).
    func route(_ outcomes: AsyncStream<EmbeddingOutcome>) async {
        for await outcome in outcomes {
            switch outcome {
            case .embedded(let embedding): await pipeline.embedded(embedding)
            case .embeddingFailed(let requestId, _, let reason): pipeline.embeddingFailed(requestId: requestId, reason: reason)
            case .verified(let requestId, let embeddings): await scheduler.verified(requestId: requestId, embeddings: embeddings)
            case .verificationFailed(let requestId, let reason): await scheduler.verificationFailed(requestId: requestId, reason: reason)
            }
        }
    }

    /// Each transport's connectivity (empty for a node started offline).
    public func transportStatus() async -> [TransportStatus] {
        await p2p.transportStatus()
    }

    /// Whether every configured model has at least one loaded worker; throws when one failed to load.
    public func modelsReady() async throws(NodeError) -> Bool {
        let workers = await workers()
        var ready = true
        for model in servedModels.llms + servedModels.embedders {
            let own = workers.filter { $0.model == model }
            if let failed = own.first(where: \.isFailed) { throw .modelFailed(model: model, reason: failed.failure ?? "unknown reason") }
            if !own.contains(where: \.isLoaded) { ready = false }
        }
        return ready
    }

    /// Sends a request to the network (this node included) as a `p2pInferenceRequest`, and
    /// returns its id once this node has recorded it.
    public func submit(_ payload: InferenceRequestPayload) async throws -> String {
        guard phase == .running else { throw NodeError.notRunning }
        if let problem = InferenceRequestCheck.problem(with: payload) { throw NodeError.invalidRequest(problem) }
        let requestId = UUID().uuidString.lowercased()
        let request = P2PInferenceRequest(requestId: requestId, payload: payload, createdAt: clock.now())
        try await p2p.transmit(.p2pInferenceRequest(request))
        // Recorded now rather than when the packet comes back through intake (which then finds it
        // stored), so that the caller can look it up at once.
        await filer.requestArrived(request, from: identity.synthientId)
        return requestId
    }
}
