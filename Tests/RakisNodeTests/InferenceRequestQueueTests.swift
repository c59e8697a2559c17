import Foundation
import RakisCoordination
import RakisCore
import RakisInference
@testable import RakisNode
import RakisTestSupport
import Synchronization
import Testing

/// A worker pool whose workers and inferences the test controls: each inference waits until
/// the test releases it.
private actor ScriptedPool: LLMWorkerPool {
    var workers: [String: Int]
    private var busy: [String: Int] = [:]
    private(set) var calls: [(model: String, request: LLMRequest)] = []
    private var gates: [CheckedContinuation<Void, Never>] = []
    private var failNext = false
    private let (stream, continuation) = AsyncStream.makeStream(of: LLMEngine.Event.self)

    init(workers: [String: Int]) { self.workers = workers }

    func availability() -> [LLMEngine.Availability] {
        workers.map { LLMEngine.Availability(model: $0.key, count: $0.value, free: $0.value - (busy[$0.key] ?? 0)) }
    }

    func events() -> AsyncStream<LLMEngine.Event> { stream }

    func complete(model: String, request: LLMRequest) async throws(LLMError) -> LLMCompletion {
        calls.append((model, request))
        busy[model, default: 0] += 1
        await withCheckedContinuation { gates.append($0) }
        busy[model, default: 0] -= 1
        continuation.yield(.workerFree(model: model, worker: 0))
        if failNext {
            failNext = false
            throw .decodeFailed(code: -3)
        }
        return LLMCompletion(text: "answer to \(request.messages[0].content)", tokenCount: 5, promptTokenCount: 3, tokensPerSecond: 50, finishReason: .stop)
    }

    func releaseAll() {
        for gate in gates { gate.resume() }
        gates = []
    }

    func failTheNextOne() { failNext = true }
    var waitingCount: Int { gates.count }
    func load(model: String, total: Int) {
        workers[model] = total
        continuation.yield(.workerLoaded(model: model, worker: 9, totalWorkers: total))
    }
}

private final class RecordingSink: InferenceResultSink, PeerStatusPublisher {
    let results = Mutex<[InferenceResult]>([])
    let statuses = Mutex<[PeerStatusUpdate.Status]>([])
    let alreadyDone: Set<String>

    init(alreadyDone: Set<String> = []) { self.alreadyDone = alreadyDone }

    func hasInferenceResult(requestId: String) async -> Bool {
        alreadyDone.contains(requestId) || results.withLock { $0.contains { $0.requestId == requestId } }
    }

    func saveInferenceResult(_ result: InferenceResult) async { results.withLock { $0.append(result) } }
    func publish(_ status: PeerStatusUpdate.Status) async { statuses.withLock { $0.append(status) } }
}

@Suite struct InferenceRequestQueueTests {
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    private func request(_ id: String, endsIn seconds: Double, models: [String] = ["a"]) -> InferenceRequestItem {
        InferenceRequestItem(requestId: id, prompt: "prompt \(id)", acceptedModels: models, temperature: 0, maxTokens: 8,
                             endingAt: base.addingTimeInterval(seconds))
    }

    @Test func referenceRulePicksOnlyAmongTheLatestEndingWithinTheWindow() {
        let candidates = [request("early", endsIn: 10), request("late1", endsIn: 60), request("late2", endsIn: 61.5), request("mid", endsIn: 59)]
        var picks: Set<String> = []
        var random = SeededRandom(seed: 1)
        for _ in 0..<200 {
            picks.insert(InferenceRequestSelection.reference.pick(from: candidates, similarityWindowMs: 2000, using: &random)!.requestId)
        }
        #expect(picks == ["late1", "late2"], "mid ends 2.5 s before the latest, outside the 2 s window")
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5)
        let first = (0..<20).map { _ in InferenceRequestSelection.reference.pick(from: candidates, similarityWindowMs: 2000, using: &a)!.requestId }
        let again = (0..<20).map { _ in InferenceRequestSelection.reference.pick(from: candidates.reversed(), similarityWindowMs: 2000, using: &b)!.requestId }
        #expect(first == again, "a seed fixes the picks whatever order the candidates come in")
        #expect(InferenceRequestSelection.earliestEnding.pick(from: candidates, similarityWindowMs: 2000, using: &random)?.requestId == "early")
        #expect(InferenceRequestSelection.reference.pick(from: [], similarityWindowMs: 2000, using: &random) == nil)
    }

    @Test func runsOnTheFirstAcceptedModelThatHasAFreeWorker() {
        let item = request("r", endsIn: 10, models: ["x", "b", "a"])
        #expect(InferenceRequestSelection.model(for: item, freeWorkers: ["a": 1, "b": 1]) == "b")
        #expect(InferenceRequestSelection.model(for: item, freeWorkers: ["a": 1, "b": 0]) == "a")
        #expect(InferenceRequestSelection.model(for: item, freeWorkers: ["x": 0, "z": 3]) == nil)
    }

    @Test func matchesRequestsToFreeWorkersOfAnyAcceptedModelAndSavesEveryResult() async throws {
        let pool = ScriptedPool(workers: ["a": 1, "b": 1])
        let sink = RecordingSink()
        let queue = InferenceRequestQueue(pool: pool, results: sink, status: sink, seed: 3, now: { [base] in base })
        let following = await queue.followInBackground()
        await queue.add(request("r1", endsIn: 30, models: ["a", "b"]))
        await queue.add(request("r2", endsIn: 30, models: ["a", "b"]))
        await queue.add(request("r3", endsIn: 30, models: ["a"]))
        #expect(await eventually { await pool.waitingCount == 2 })
        let models = await pool.calls.map(\.model).sorted()
        #expect(models == ["a", "b"], "the second request runs on b, the accepted model with a free worker")
        #expect(await queue.waitingRequests().map(\.requestId) == ["r3"])
        await pool.failTheNextOne()
        await pool.releaseAll()
        #expect(await eventually { await pool.waitingCount == 1 }, "r3 starts once a worker of a is free")
        await pool.releaseAll()
        await queue.waitUntilIdle()
        let results = sink.results.withLock { $0 }
        #expect(Set(results.map(\.requestId)) == ["r1", "r2", "r3"])
        #expect(Set(results.map(\.inferenceId)).count == 3, "every result has a fresh inferenceId")
        let failures = results.filter { if case .failure = $0.outcome { true } else { false } }
        #expect(failures.count == 1)
        if case .failure(let reason)? = failures.first?.outcome { #expect(reason.contains("llama_decode returned -3")) }
        let statuses = sink.statuses.withLock { $0 }
        #expect(statuses.filter { if case .inferencing = $0 { true } else { false } }.count == 3)
        #expect(statuses.contains(.completedInference(tps: 50, modelName: "a", totalTokens: 10)))
        following.cancel()
    }

    @Test func neverRunsARequestTwiceAndSkipsEndedOnes() async throws {
        let pool = ScriptedPool(workers: ["a": 2])
        let sink = RecordingSink(alreadyDone: ["done-before-restart"])
        let clock = Mutex(base)
        let queue = InferenceRequestQueue(pool: pool, results: sink, status: sink, now: { clock.withLock { $0 } })
        await queue.add(request("once", endsIn: 30))
        await queue.add(request("once", endsIn: 30))
        await queue.add(request("done-before-restart", endsIn: 30))
        #expect(await eventually { await pool.waitingCount == 1 })
        await pool.releaseAll()
        await queue.waitUntilIdle()
        await queue.add(request("once", endsIn: 30))
        await queue.add(request("ended", endsIn: -1))
        await queue.process()
        #expect(await pool.calls.map(\.model).count == 1)
        #expect(await queue.expiredCount == 1)
        #expect(await queue.waitingRequests().isEmpty)
    }

    @Test func requestsWithoutAHostedModelWaitUntilOneLoads() async throws {
        let pool = ScriptedPool(workers: [:])
        let sink = RecordingSink()
        let queue = InferenceRequestQueue(pool: pool, results: sink, status: sink, now: { [base] in base })
        let following = await queue.followInBackground()
        await queue.add(request("r", endsIn: 30, models: ["c"]))
        #expect(await queue.waitingRequests().count == 1)
        await pool.load(model: "c", total: 1)
        #expect(await eventually { await pool.waitingCount == 1 })
        #expect(sink.statuses.withLock { $0 }.contains(.loadedWorker(modelName: "c", totalWorkers: 1)))
        await pool.releaseAll()
        await queue.waitUntilIdle()
        following.cancel()
    }

    @Test func resultsGoToTheInferenceStoreAndARestartDoesNotRunThemAgain() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let status = RecordingSink()
        do {
            let pool = ScriptedPool(workers: ["a": 1])
            let store = InferenceStore(database: try CoordinationDatabase(directory: directory))
            let queue = InferenceRequestQueue(pool: pool, results: StoredInferenceResults(store: store), status: status, now: { [base] in base })
            await queue.add(request("persisted", endsIn: 30))
            #expect(await eventually { await pool.waitingCount == 1 })
            await pool.releaseAll()
            await queue.waitUntilIdle()
            let saved = try await store.results(requestId: "persisted")
            #expect(saved.count == 1)
            #expect(saved.first?.output == "answer to prompt persisted")
            #expect(saved.first?.tokenCount == 5)
        }
        // A new queue over the reopened store, as after a restart: the request is not run again.
        let pool = ScriptedPool(workers: ["a": 1])
        let store = InferenceStore(database: try CoordinationDatabase(directory: directory))
        let queue = InferenceRequestQueue(pool: pool, results: StoredInferenceResults(store: store), status: status, now: { [base] in base })
        await queue.add(request("persisted", endsIn: 30))
        await queue.process()
        #expect(await pool.calls.isEmpty)
        #expect(await queue.waitingRequests().isEmpty)
    }

    @Test func runsRequestsOnTheRealEngine() async throws {
        let engine = LLMEngine(models: [try LLMFixtures.gemma(contextLength: 256)])
        let sink = RecordingSink()
        let queue = InferenceRequestQueue(pool: engine, results: sink, status: sink)
        let following = await queue.followInBackground()
        try await engine.scaleLLMWorkers(model: ModelLocator.defaultLLMName, count: 1)
        let ending = Date().addingTimeInterval(300)
        for id in ["one", "two"] {
            await queue.add(InferenceRequestItem(requestId: id, prompt: "Say \(id).", acceptedModels: ["other", ModelLocator.defaultLLMName],
                                                 temperature: 0, maxTokens: 6, endingAt: ending))
        }
        // Loading the model and two short answers; generous, as the whole suite shares two cores.
        #expect(await eventually(timeout: .seconds(120)) { sink.results.withLock { $0.count } == 2 })
        for result in sink.results.withLock({ $0 }) {
            guard case .success(let text, let tokens, let tps) = result.outcome else { Issue.record("\(result.outcome)"); continue }
            #expect(!text.isEmpty && tokens > 0 && tps > 0)
            #expect(result.modelName == ModelLocator.defaultLLMName)
        }
        #expect(sink.statuses.withLock { $0 }.contains(.loadedWorker(modelName: ModelLocator.defaultLLMName, totalWorkers: 1)))
        following.cancel()
        await engine.shutdown()
    }
}

extension InferenceRequestQueue {
    /// Follows the engine's events on a task of the test's (the node runs this as a child of its service).
    func followInBackground() async -> Task<Void, Never> {
        let events = await engineEvents()
        return Task { await follow(events) }
    }
}
