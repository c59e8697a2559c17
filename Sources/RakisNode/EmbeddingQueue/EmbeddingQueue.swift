public import Foundation
public import Logging
import RakisCore
public import RakisInference

/// The Domain's embedding queue (seed 001). On every change — an item added, a worker freed or
/// loaded — it drops expired items, orders the rest by the seed's priority (consensus
/// verifications of quorums this node contributed to, then result embeddings, then other
/// verifications; earliest expiry first within each) and hands items to free workers of each
/// item's model. Results go to the inference store or to consensus through their protocols.
public actor EmbeddingQueue {
    private let engine: EmbeddingEngine
    private let synthientId: String
    private let results: any InferenceEmbeddingConsumer
    private let consensus: any ConsensusVerificationConsumer
    private let now: @Sendable () -> Date
    private let logger: Logger

    private struct Entry {
        let item: EmbeddingQueueItem
        let sequence: Int
        let enqueuedAt: ContinuousClock.Instant
    }

    private var entries: [Entry] = []
    private var nextSequence = 0
    private var runner = CoalescingRunner()
    private var stopped = false
    public private(set) var inFlight = 0 {
        didSet { if inFlight == 0 { resumeIdleWaiters() } }
    }
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    public private(set) var expired = 0
    /// Items handed to a worker so far, and the seconds they waited in the queue in all.
    public private(set) var dispatched = 0
    public private(set) var totalWaitSeconds = 0.0
    /// Items waiting for a worker.
    public var length: Int { entries.count }

    /// The queue's counters, read together.
    var figures: NodeSnapshot.EmbeddingQueueFigures {
        .init(length: length, inFlight: inFlight, dispatched: dispatched, totalWaitSeconds: totalWaitSeconds, expired: expired)
    }

    public init(
        engine: EmbeddingEngine, synthientId: String, results: any InferenceEmbeddingConsumer,
        consensus: any ConsensusVerificationConsumer, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "rakis.domain.embedding-queue")
    ) {
        self.engine = engine
        self.synthientId = synthientId
        self.results = results
        self.consensus = consensus
        self.now = now
        self.logger = logger
    }

    /// The engine's events, for `follow(_:)`: subscribed before any worker loads, so that none is missed.
    func engineEvents() async -> AsyncStream<EmbeddingEngine.Event> { await engine.events() }

    /// Re-processes the queue whenever a worker is freed or finishes loading, until the events
    /// end or the task is cancelled; after `stop()` only what is enqueued is started.
    func follow(_ events: AsyncStream<EmbeddingEngine.Event>) async {
        for await event in events where !stopped {
            switch event {
            case .workerFree, .workerLoaded: await process()
            default: break
            }
        }
    }

    /// Stops starting items when workers free up, so that the queue winds down (at shutdown).
    public func stop() {
        stopped = true
    }

    public func enqueue(_ item: EmbeddingQueueItem) async {
        entries.append(Entry(item: item, sequence: nextSequence, enqueuedAt: .now))
        nextSequence += 1
        await process()
    }

    /// Returns once no item is with a worker (at once when none is).
    public func waitUntilIdle() async {
        if inFlight == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func resumeIdleWaiters() {
        for waiter in idleWaiters { waiter.resume() }
        idleWaiters = []
    }

    /// The waiting items in the order they will be handed out.
    public func pendingItems() -> [EmbeddingQueueItem] {
        Self.ordered(entries).map(\.item)
    }

    private static func ordered(_ entries: [Entry]) -> [Entry] {
        entries.sorted {
            ($0.item.priorityTier, $0.item.expiresAt, $0.sequence) < ($1.item.priorityTier, $1.item.expiresAt, $1.sequence)
        }
    }

    /// One pass over the queue; a change during a pass triggers another.
    public func process() async {
        guard runner.begin() else { return }
        repeat { await processOnce() } while runner.again()
    }

    private func processOnce() async {
        let timestamp = now()
        let (live, stale) = (entries.filter { $0.item.expiresAt > timestamp }, entries.filter { $0.item.expiresAt <= timestamp })
        entries = live
        for entry in stale { await reportExpired(entry.item) }

        var free: [String: Int] = [:]
        for model in Set(entries.map(\.item.model)) { free[model] = await engine.freeWorkerCount(model: model) }
        var dispatched = Set<Int>()
        for entry in Self.ordered(entries) where free[entry.item.model, default: 0] > 0 {
            free[entry.item.model, default: 0] -= 1
            dispatched.insert(entry.sequence)
            inFlight += 1
            self.dispatched += 1
            let waited = ContinuousClock.now - entry.enqueuedAt
            totalWaitSeconds += Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
            let item = entry.item
            Task { await self.run(item) }
        }
        entries.removeAll { dispatched.contains($0.sequence) }
    }

    private func run(_ item: EmbeddingQueueItem) async {
        defer { inFlight -= 1 }
        switch item.kind {
        case .resultEmbedding(let requestId, let inferenceId, let output):
            do {
                let vector = try await engine.embed([output], model: item.model)[0]
                await results.saveEmbedding(InferenceEmbedding(
                    requestId: requestId, inferenceId: inferenceId, embedding: vector, synthientId: synthientId))
            } catch {
                logger.warning("could not embed an inference result", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
                await results.embeddingFailed(requestId: requestId, inferenceId: inferenceId, reason: "\(error)")
            }
        case .consensusVerification(let requestId, let reveals):
            do {
                let vectors = try await engine.embed(reveals.map(\.output), model: item.model)
                await consensus.verifiedEmbeddings(requestId: requestId, embeddings: zip(reveals, vectors).map {
                    VerifiedEmbedding(inferenceId: $0.inferenceId, synthientId: $0.synthientId, embedding: $1)
                })
            } catch {
                logger.warning("could not embed reveals for consensus", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
                await consensus.verificationFailed(requestId: requestId, reason: "\(error)")
            }
        }
    }

    private func reportExpired(_ item: EmbeddingQueueItem) async {
        expired += 1
        let reason = "expired in the embedding queue at \(ISO8601Timestamp.format(item.expiresAt))"
        logger.info("dropped an expired embedding item", metadata: ["requestId": "\(item.requestId)"])
        switch item.kind {
        case .resultEmbedding(let requestId, let inferenceId, _):
            await results.embeddingFailed(requestId: requestId, inferenceId: inferenceId, reason: reason)
        case .consensusVerification(let requestId, _):
            await consensus.verificationFailed(requestId: requestId, reason: reason)
        }
    }
}
