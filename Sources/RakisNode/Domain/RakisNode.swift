public import Foundation
public import Logging
import RakisCoordination
public import RakisCore
import RakisEthereum
import RakisInference
public import RakisP2P
public import ServiceLifecycle

/// The Domain: the one place that knows every layer and connects them with events. Packet
/// intake feeds the coordinator; the coordinator feeds the inference request queue and the
/// embedding queue, whose engines report back to it; what the coordinator decides goes out
/// through the P2P layer. Runs as a service until a graceful shutdown is requested.
public actor RakisNode: Service {
    public nonisolated let identity: NodeIdentity
    public nonisolated let settings: Settings
    public nonisolated let startedAt: Date
    // The layers stay behind the Domain: the edge asks the node (RakisNode+Queries), never them.
    nonisolated let p2p: P2PLayer
    nonisolated let stores: CoordinationStores
    nonisolated let llm: LLMEngine
    nonisolated let embeddings: EmbeddingEngine
    nonisolated let coordinator: QuorumCoordinator
    nonisolated let inferenceQueue: InferenceRequestQueue
    nonisolated let embeddingQueue: EmbeddingQueue
    nonisolated let models: NodeModels
    nonisolated let knownModels: KnownModels
    private nonisolated let dataDirectory: DataDirectory
    /// Every protocol timer and timestamp of this node reads it.
    nonisolated let clock: any NodeClock
    private let logger: Logger
    private var pump: Task<Void, Never>?

    private enum Phase { case created, running, stopped }
    private var phase = Phase.created

    public init(
        identity: NodeIdentity, settings: Settings, dataDirectory: DataDirectory, transports: [any P2PTransport],
        models: NodeModels = NodeModels(), clock: any NodeClock = SystemClock(),
        logger: Logger = Logger(label: "rakis.node")
    ) throws(NodeError) {
        let now: @Sendable () -> Date = { clock.now() }
        self.identity = identity
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.models = models
        self.knownModels = KnownModels(llms: models.llms.map(\.configuration.name), embedders: models.embeddings.map(\.name))
        self.startedAt = clock.now()
        self.clock = clock
        self.logger = logger
        let database: P2PDatabase
        let stores: CoordinationStores
        do {
            database = try P2PDatabase(directory: dataDirectory.url)
        } catch {
            throw .storeUnavailable(path: dataDirectory.url.appendingPathComponent(P2PDatabase.fileName).path, reason: "\(error)")
        }
        do {
            stores = try CoordinationStores(directory: dataDirectory.url)
        } catch {
            throw .storeUnavailable(path: dataDirectory.url.appendingPathComponent(CoordinationDatabase.fileName).path, reason: "\(error)")
        }
        let p2p = P2PLayer(identity: identity, settings: settings, database: database, transports: transports, now: now, logger: logger)
        self.p2p = p2p
        self.stores = stores
        let llm = LLMEngine(models: models.llms.map(\.configuration), logger: logger)
        let embeddings = EmbeddingEngine(
            loader: SentenceEmbeddingModel.loader(directories: Dictionary(models.embeddings.map { ($0.name, $0.directory) }, uniquingKeysWith: { a, _ in a })),
            logger: logger)
        let status = P2PStatusPublisher(p2p: p2p, clock: clock, logger: logger)
        let coordinator = QuorumCoordinator(
            synthientId: identity.synthientId, settings: settings, stores: stores, status: status, clock: clock, logger: logger,
            transmit: { packet in _ = try await p2p.transmit(packet) })
        self.llm = llm
        self.embeddings = embeddings
        self.coordinator = coordinator
        inferenceQueue = InferenceRequestQueue(
            pool: llm, results: coordinator, status: status, configuration: .init(settings: settings), now: now, logger: logger)
        embeddingQueue = EmbeddingQueue(
            engine: embeddings, synthientId: identity.synthientId, results: coordinator, consensus: coordinator, now: now, logger: logger)
    }

    /// A node on `network`: the edge names the transports it wants, the Domain builds them.
    public init(
        identity: NodeIdentity, settings: Settings, dataDirectory: DataDirectory, network: NetworkPlan, models: NodeModels = NodeModels(),
        clock: any NodeClock = SystemClock(), logger: Logger = Logger(label: "rakis.node")
    ) throws(NodeError) {
        let transports = try network.transports(identity: identity, settings: settings, logger: logger)
        try self.init(
            identity: identity, settings: settings, dataDirectory: dataDirectory, transports: transports, models: models, clock: clock,
            logger: logger)
    }

    /// Wires the layers, loads the models, brings the transports up, announces this node with a
    /// `boot` status packet and resumes every open request from the stores.
    public func start() async throws {
        guard phase == .created else { return }
        phase = .running
        // Subscribe before any transport is up so that no packet goes unseen.
        let events = p2p.packetDB.events.subscribe()
        await knownModels.learnFromStore(p2p.packetDB.store)
        pump = Task { [coordinator, knownModels] in
            for await event in events {
                if case .peerStatusUpdate(let delivered) = event { knownModels.learn(from: delivered.body.status) }
                await coordinator.handle(event)
            }
        }
        await coordinator.attach(inferenceQueue: inferenceQueue, embeddingQueue: embeddingQueue)
        await inferenceQueue.start()
        await embeddingQueue.start()
        for model in models.llms { try await llm.scaleLLMWorkers(model: model.configuration.name, count: model.workers) }
        for model in models.embeddings { await embeddings.scaleEmbeddingWorkers(model: model.name, count: model.workers) }
        try await p2p.start()
        try await p2p.transmit(.peerStatusUpdate(PeerStatusUpdate(status: .boot(totalTokens: 0), createdAt: clock.now())))
        try await announceChainIdentities()
        await coordinator.resume()
        logger.info("node started", metadata: ["synthientId": "\(identity.synthientId)"])
    }

    /// Sends the chain identities bound to this node (`rakis chain bind`) in a `peerConnectedChain`
    /// packet, those that verify: peers drop any other, so sending it would only cost them.
    public func announceChainIdentities() async throws {
        let stored: [ChainIdentity]
        do { stored = try ChainIdentityFile.read(dataDirectory) } catch {
            logger.error("cannot read the chain identities; none announced", metadata: ["file": "\(ChainIdentityFile.fileName)", "error": "\(error)"])
            return
        }
        let verified = stored.filter { identity in
            do {
                _ = try ChainIdentityCheck.verify(identity, sentBy: self.identity.synthientId)
                return true
            } catch {
                logger.error("a stored chain identity does not verify; not announced (bind it again)", metadata: ["chain": "\(identity.chain)", "error": "\(error)"])
                return false
            }
        }
        guard !verified.isEmpty else { return }
        try await p2p.transmit(.peerConnectedChain(PeerConnectedChain(identities: verified, createdAt: clock.now())))
        logger.info("announced chain identities", metadata: ["addresses": "\(verified.map(\.address).joined(separator: ", "))"])
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
        await coordinator.requestArrived(request, from: identity.synthientId)
        return requestId
    }

    /// Runs until the service group asks for a graceful shutdown (SIGINT or SIGTERM), then
    /// shuts down cleanly.
    public nonisolated func run() async throws {
        try await start()
        // A `rakis chain bind` while the node runs is announced at once.
        let watch = FileChangeWatch(directory: dataDirectory.url, fileName: ChainIdentityFile.fileName)
        await withTaskGroup(of: Void.self) { group in
            if let watch {
                group.addTask { [self] in
                    for await _ in watch.changes { try? await announceChainIdentities() }
                }
            }
            try? await gracefulShutdown()
            watch?.stop()
            await group.waitForAll()
        }
        await shutdown()
    }

    /// Stops taking work, gives running inferences `inferenceGrace` to finish (their results are
    /// stored and their embeddings queued), cuts short those still running (they are not
    /// recorded, so the next start runs them again), then stops the engines and transports and
    /// closes the stores. The grace is short so that SIGTERM ends the process within seconds.
    public func shutdown(inferenceGrace: Duration = .seconds(3)) async {
        guard phase != .stopped else { return }
        let wasRunning = phase == .running
        phase = .stopped
        if wasRunning {
            await inferenceQueue.close()
            if await !finishes(within: inferenceGrace, { await self.inferenceQueue.waitUntilIdle() }) {
                logger.warning("inferences still running at shutdown; stopping them (they run again on the next start)")
                await llm.shutdown()
                await inferenceQueue.waitUntilIdle()
            }
            await embeddingQueue.stop()
            _ = await finishes(within: .seconds(10)) { [embeddingQueue] in await embeddingQueue.waitUntilIdle() }
        }
        await coordinator.halt()
        await p2p.shutdown()
        await pump?.value
        await llm.shutdown()
        await embeddings.shutdown()
        do { try stores.close() } catch {
            logger.error("cannot close the coordination store", metadata: ["error": "\(error)"])
        }
        logger.info("node stopped", metadata: ["synthientId": "\(identity.synthientId)"])
    }

    /// Tears the node down without a shutdown, as if its process were killed: it drops off the
    /// network and stops acting at once, recording nothing more. For fault injection in tests
    /// and the devnet; a new node on the same data directory then resumes from the stores.
    public func abandon() async {
        guard phase != .stopped else { return }
        phase = .stopped
        await coordinator.halt()
        await inferenceQueue.close()
        await embeddingQueue.stop()
        pump?.cancel()
        await p2p.disconnect()
        await llm.shutdown()
        await embeddings.shutdown()
    }

    /// Whether `work` finished within `limit`. Returns at the limit even when `work` ignores
    /// cancellation (as waiting for a running inference does); `work` then goes on by itself.
    private func finishes(within limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let (outcomes, outcome) = AsyncStream.makeStream(of: Bool.self)
        let worker = Task {
            await work()
            outcome.yield(true)
        }
        let timer = Task { [clock] in
            try? await clock.sleep(for: limit)
            outcome.yield(false)
        }
        var finished = false
        for await result in outcomes {
            finished = result
            break
        }
        timer.cancel()
        if !finished { worker.cancel() }
        return finished
    }
}
