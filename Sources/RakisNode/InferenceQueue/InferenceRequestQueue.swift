public import Foundation
public import Logging
public import RakisCore
import RakisInference

/// The Domain's inference request queue: it matches active requests to free LLM workers.
/// Whenever a request arrives or a worker frees up or loads, it drops requests whose
/// `endingAt` has passed and, while some active request has an accepted model with a free
/// worker, picks one by the configured rule, runs it on the first accepted model with a free
/// worker, and hands the result — text and statistics, or the error — to the inference store.
/// A request runs at most once on this node. It announces `inferencing`,
/// `completed_inference` and `loaded_worker` status updates.
public actor InferenceRequestQueue {
    public struct Configuration: Sendable {
        public var selection: InferenceRequestSelection
        public var similarityWindowMs: Int

        public init(selection: InferenceRequestSelection = .reference, similarityWindowMs: Int = 2000) {
            self.selection = selection
            self.similarityWindowMs = similarityWindowMs
        }

        /// From validated settings (the settings loader refuses unknown rule names).
        public init(settings: Settings) {
            self.init(
                selection: InferenceRequestSelection(rawValue: settings.inferenceRequestSelection) ?? .reference,
                similarityWindowMs: settings.requestSimilarityTimeWindowMs)
        }
    }

    private let pool: any LLMWorkerPool
    private let results: any InferenceResultSink
    private let status: any PeerStatusPublisher
    private let configuration: Configuration
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var random: SeededRandom

    private var waiting: [String: InferenceRequestItem] = [:]
    /// Every request this node has started (or found already done), so none runs twice.
    private var started: Set<String> = []
    /// Requests handed to the engine and not yet finished, per model.
    private var running: [String: Int] = [:]
    private var runner = CoalescingRunner()
    private var closed = false
    private var finishedWaiters: [CheckedContinuation<Void, Never>] = []
    /// Tokens this node has generated, as `completed_inference` reports them.
    public private(set) var totalTokens = 0
    public private(set) var expiredCount = 0

    public init(
        pool: any LLMWorkerPool, results: any InferenceResultSink, status: any PeerStatusPublisher,
        configuration: Configuration = Configuration(), seed: UInt64 = .random(in: .min ... .max),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "rakis.domain.inference-queue")
    ) {
        self.pool = pool
        self.results = results
        self.status = status
        self.configuration = configuration
        self.random = SeededRandom(seed: seed)
        self.now = now
        self.logger = logger
    }

    /// The engine's events, for `follow(_:)`: subscribed before any worker loads, so that none is missed.
    func engineEvents() async -> AsyncStream<LLMEngine.Event> { await pool.events() }

    /// Follows the engine until its events end or the task is cancelled: a freed or loaded
    /// worker re-runs the matching, and a loaded worker is announced with `loaded_worker`.
    func follow(_ events: AsyncStream<LLMEngine.Event>) async {
        for await event in events {
            switch event {
            case .workerLoaded(let model, _, let totalWorkers):
                await status.publish(.loadedWorker(modelName: model, totalWorkers: totalWorkers))
                await process()
            case .workerFree:
                await process()
            default:
                break
            }
        }
    }

    /// Stops taking requests and starting inferences (for shutdown); running ones finish.
    public func close() {
        closed = true
        waiting = [:]
    }

    /// Adds a request; one this node has seen before, or already has a result for, is ignored.
    public func add(_ request: InferenceRequestItem) async {
        guard !closed else { return }
        guard !started.contains(request.requestId), waiting[request.requestId] == nil else { return }
        if await results.hasInferenceResult(requestId: request.requestId) {
            started.insert(request.requestId)
            return
        }
        // The store lookup suspended; the same request may have been added meanwhile.
        guard !started.contains(request.requestId), waiting[request.requestId] == nil else { return }
        waiting[request.requestId] = request
        await process()
    }

    /// Requests waiting for a worker, latest-ending first.
    public func waitingRequests() -> [InferenceRequestItem] {
        waiting.values.sorted { ($0.endingAt, $0.requestId) > ($1.endingAt, $1.requestId) }
    }

    public var runningCount: Int { running.values.reduce(0, +) }

    /// Returns once nothing this queue started is still running.
    public func waitUntilIdle() async {
        if runningCount == 0 { return }
        await withCheckedContinuation { finishedWaiters.append($0) }
    }

    /// Matches requests to workers until no waiting request has a free worker. Re-entrant calls
    /// (from events that arrive while it awaits the engine) make it go round once more.
    public func process() async {
        guard runner.begin() else { return }
        repeat { await matchOnce() } while runner.again()
    }

    private func matchOnce() async {
        guard !closed else { return }
        let moment = now()
        for (id, request) in waiting where request.endingAt <= moment {
            waiting[id] = nil
            expiredCount += 1
            logger.debug("request ended before a worker was free", metadata: ["requestId": "\(id)"])
        }
        guard !waiting.isEmpty else { return }
        // A worker this queue just handed a request to may not show as busy in the engine yet,
        // so free workers are capped by the loaded ones this queue is not already using.
        var free: [String: Int] = [:]
        for availability in await pool.availability() {
            free[availability.model] = min(availability.free, availability.count - (running[availability.model] ?? 0))
        }
        while true {
            let candidates = waiting.values.filter { InferenceRequestSelection.model(for: $0, freeWorkers: free) != nil }
            guard let request = configuration.selection.pick(
                from: candidates, similarityWindowMs: configuration.similarityWindowMs, using: &random),
                let model = InferenceRequestSelection.model(for: request, freeWorkers: free)
            else { return }
            free[model, default: 0] -= 1
            waiting[request.requestId] = nil
            started.insert(request.requestId)
            running[model, default: 0] += 1
            Task { await self.run(request, on: model) }
        }
    }

    private func run(_ request: InferenceRequestItem, on model: String) async {
        await status.publish(.inferencing(modelName: model))
        let startedAt = now()
        let outcome: InferenceResult.Outcome
        do {
            let completion = try await pool.complete(
                model: model,
                request: LLMRequest(
                    prompt: request.prompt, temperature: request.temperature, maxTokens: request.maxTokens,
                    seed: ConsensusVersion.decodingSeed(requestId: request.requestId)))
            totalTokens += completion.tokenCount
            outcome = .success(text: completion.text, tokenCount: completion.tokenCount, tokensPerSecond: completion.tokensPerSecond)
            await status.publish(.completedInference(tps: completion.tokensPerSecond, modelName: model, totalTokens: totalTokens))
        } catch {
            if closed && (error == .shutDown || error == .cancelled) {
                // Cut short by shutdown: nothing is recorded, so that the next start runs it again
                // while the request is still open.
                logger.info("inference interrupted by shutdown; it runs again when the node restarts", metadata: ["requestId": "\(request.requestId)"])
                finished(on: model)
                return
            }
            outcome = .failure(reason: error.description)
            logger.warning("inference failed", metadata: ["requestId": "\(request.requestId)", "model": "\(model)", "error": "\(error)"])
        }
        let result = InferenceResult(
            requestId: request.requestId, inferenceId: UUID().uuidString.lowercased(), modelName: model,
            startedAt: startedAt, completedAt: now(), outcome: outcome)
        await results.saveInferenceResult(result)
        finished(on: model)
        await process()
    }

    private func finished(on model: String) {
        running[model, default: 1] -= 1
        if runningCount == 0 {
            for waiter in finishedWaiters { waiter.resume() }
            finishedWaiters = []
        }
    }
}
