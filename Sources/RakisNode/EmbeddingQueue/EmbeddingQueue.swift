public import Foundation
public import Logging
import RakisCore
public import RakisInference

/// The Domain's embedding queue (seed 001). On every change — an item added, a worker freed or
/// loaded — it drops expired items, orders the rest by the seed's priority (consensus
/// verifications of quorums this node contributed to, then result embeddings, then other
/// verifications; earliest expiry first within each) and hands items to free workers of each
/// item's model, several to a worker when more wait than workers are free
/// (`EmbeddingJobPacking`). Results go to the inference store or to consensus through their protocols.
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
    /// Jobs handed to the engine and not yet finished, by model.
    private var jobsRunning: [String: Int] = [:]
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

        let ordered = Self.ordered(entries)
        var dispatched = Set<Int>()
        for model in Set(entries.map(\.item.model)).sorted() {
            let waiting = ordered.filter { $0.item.model == model }
            // A job handed out a moment ago may not have reached its worker yet: the engine
            // would still count that worker idle.
            let workers = await engine.availability(model: model)
            let free = max(0, min(workers.free, workers.count - (jobsRunning[model] ?? 0)))
            for job in EmbeddingJobPacking.jobs(textsPerItem: waiting.map(\.item.texts.count), freeWorkers: free) {
                let group = job.map { waiting[$0] }
                for entry in group {
                    dispatched.insert(entry.sequence)
                    let waited = ContinuousClock.now - entry.enqueuedAt
                    totalWaitSeconds += Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
                }
                inFlight += group.count
                jobsRunning[model, default: 0] += 1
                self.dispatched += group.count
                let items = group.map(\.item)
                Task { await self.run(items) }
            }
        }
        entries.removeAll { dispatched.contains($0.sequence) }
    }

    /// One job: every item's texts in one engine call. If it fails and holds several items, each
    /// runs again alone, so that one bad item cannot fail its neighbours.
    private func run(_ items: [EmbeddingQueueItem]) async {
        let model = items[0].model
        await embed(items)
        jobsRunning[model, default: 1] -= 1
        inFlight -= items.count
        // The engine announced the worker free before this job was counted out; look again.
        if !stopped { await process() }
    }

    private func embed(_ items: [EmbeddingQueueItem]) async {
        do {
            let vectors = try await engine.embed(items.flatMap(\.texts), model: items[0].model)
            var offset = 0
            for item in items {
                await deliver(item, Array(vectors[offset..<(offset + item.texts.count)]))
                offset += item.texts.count
            }
        } catch where items.count > 1 {
            for item in items { await embed([item]) }
        } catch {
            await fail(items[0], error)
        }
    }

    private func deliver(_ item: EmbeddingQueueItem, _ vectors: [[Float]]) async {
        switch item.kind {
        case .resultEmbedding(let requestId, let inferenceId, _):
            await results.saveEmbedding(InferenceEmbedding(
                requestId: requestId, inferenceId: inferenceId, embedding: vectors[0], synthientId: synthientId))
        case .consensusVerification(let requestId, let reveals):
            await consensus.verifiedEmbeddings(requestId: requestId, embeddings: zip(reveals, vectors).map {
                VerifiedEmbedding(inferenceId: $0.inferenceId, synthientId: $0.synthientId, embedding: $1)
            })
        }
    }

    private func fail(_ item: EmbeddingQueueItem, _ error: any Error) async {
        switch item.kind {
        case .resultEmbedding(let requestId, let inferenceId, _):
            logger.warning("could not embed an inference result", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            await results.embeddingFailed(requestId: requestId, inferenceId: inferenceId, reason: "\(error)")
        case .consensusVerification(let requestId, _):
            logger.warning("could not embed reveals for consensus", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            await consensus.verificationFailed(requestId: requestId, reason: "\(error)")
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
