import Foundation
import RakisCore
import RakisInference
@testable import RakisNode
import RakisTestSupport
import Synchronization
import Testing

/// A recording fake of both consumer protocols: what the coordination layer would receive.
actor RecordingConsumers: InferenceEmbeddingConsumer, ConsensusVerificationConsumer {
    enum Record: Equatable {
        case saved(InferenceEmbedding)
        case embeddingFailed(requestId: String, reason: String)
        case verified(requestId: String, embeddings: [VerifiedEmbedding])
        case verificationFailed(requestId: String, reason: String)

        var requestId: String {
            switch self {
            case .saved(let e): e.requestId
            case .embeddingFailed(let id, _), .verified(let id, _), .verificationFailed(let id, _): id
            }
        }
    }

    private(set) var records: [Record] = []

    func saveEmbedding(_ embedding: InferenceEmbedding) { records.append(.saved(embedding)) }
    func embeddingFailed(requestId: String, inferenceId: String, reason: String) { records.append(.embeddingFailed(requestId: requestId, reason: reason)) }
    func verifiedEmbeddings(requestId: String, embeddings: [VerifiedEmbedding]) { records.append(.verified(requestId: requestId, embeddings: embeddings)) }
    func verificationFailed(requestId: String, reason: String) { records.append(.verificationFailed(requestId: requestId, reason: reason)) }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite struct EmbeddingQueueTests {
    let synthientId = String(repeating: "ab", count: 32)
    let clock = ManualClock()

    func result(_ id: String, expiresIn seconds: Double, output: String = "text") -> EmbeddingQueueItem {
        EmbeddingQueueItem(kind: .resultEmbedding(requestId: id, inferenceId: "inf-\(id)", output: output), model: "m",
                           expiresAt: clock.now.addingTimeInterval(seconds))
    }

    func verification(_ id: String, expiresIn seconds: Double, mine: Bool) -> EmbeddingQueueItem {
        EmbeddingQueueItem(
            kind: .consensusVerification(requestId: id, reveals: [
                .init(inferenceId: "a", synthientId: "peer-a", output: "one"),
                .init(inferenceId: "b", synthientId: "peer-b", output: "three"),
            ]),
            model: "m", expiresAt: clock.now.addingTimeInterval(seconds), hasMyContribution: mine)
    }

    func makeQueue(embedder: GatedEmbedder, workers: Int = 1) async -> (EmbeddingQueue, EmbeddingEngine, RecordingConsumers) {
        let engine = EmbeddingEngine(loader: { _, _ in embedder })
        await engine.scaleEmbeddingWorkers(model: "m", count: workers)
        _ = await eventually { await engine.freeWorkerCount(model: "m") == workers }
        let consumers = RecordingConsumers()
        let clock = self.clock
        let queue = EmbeddingQueue(engine: engine, synthientId: synthientId, results: consumers, consensus: consumers, now: { clock.now })
        await queue.followInBackground()
        return (queue, engine, consumers)
    }

    @Test func ordersItemsExactlyAsTheSeedSays() async throws {
        let embedder = GatedEmbedder(gated: true)
        let (queue, _, consumers) = await makeQueue(embedder: embedder)
        await queue.enqueue(result("blocker", expiresIn: 100))  // takes the only worker
        #expect(await queue.pendingItems().isEmpty)

        await queue.enqueue(verification("other-verification", expiresIn: 10, mine: false))
        await queue.enqueue(result("result-late", expiresIn: 30))
        await queue.enqueue(verification("my-verification-late", expiresIn: 50, mine: true))
        await queue.enqueue(result("result-early", expiresIn: 20))
        await queue.enqueue(verification("my-verification-early", expiresIn: 40, mine: true))
        let expected = ["my-verification-early", "my-verification-late", "result-early", "result-late", "other-verification"]
        #expect(await queue.pendingItems().map(\.requestId) == expected)

        embedder.release(20)
        #expect(await eventually { await consumers.records.count == 6 })
        #expect(await consumers.records.map(\.requestId) == ["blocker"] + expected)
    }

    @Test func resultEmbeddingsCarryTheBinaryEmbeddingAndItsHash() async throws {
        let (queue, _, consumers) = await makeQueue(embedder: GatedEmbedder())
        await queue.enqueue(result("r", expiresIn: 10, output: "abcd"))
        #expect(await eventually { await consumers.records.count == 1 })
        guard case .saved(let saved)? = await consumers.records.first else { Issue.record("expected a saved embedding"); return }
        #expect(saved.embedding == [4])
        #expect(saved.bEmbedding == [0x80])
        #expect(saved.bEmbeddingHash == BinaryEmbedding.hash([0x80], synthientId: synthientId))
    }

    @Test func verificationsEmbedEveryRevealedOutput() async throws {
        let (queue, _, consumers) = await makeQueue(embedder: GatedEmbedder())
        await queue.enqueue(verification("v", expiresIn: 10, mine: false))
        #expect(await eventually { await consumers.records.count == 1 })
        guard case .verified(_, let embeddings)? = await consumers.records.first else { Issue.record("expected verified embeddings"); return }
        #expect(embeddings.map(\.inferenceId) == ["a", "b"])
        #expect(embeddings.map(\.embedding) == [[3], [5]])
        #expect(embeddings.map(\.synthientId) == ["peer-a", "peer-b"])
    }

    @Test func dropsExpiredItemsOnTheNextChangeAndSaysSo() async throws {
        let embedder = GatedEmbedder(gated: true)
        let (queue, _, consumers) = await makeQueue(embedder: embedder)
        await queue.enqueue(result("blocker", expiresIn: 100))
        await queue.enqueue(result("short-lived", expiresIn: 5))
        await queue.enqueue(verification("short-verification", expiresIn: 6, mine: true))
        await queue.enqueue(result("long-lived", expiresIn: 50))
        clock.advance(10)
        embedder.release(10)  // the worker frees up: a change
        #expect(await eventually { await consumers.records.count == 4 })
        let records = await consumers.records
        #expect(records.contains { if case .embeddingFailed("short-lived", let reason) = $0 { reason.contains("expired") } else { false } })
        #expect(records.contains { if case .verificationFailed("short-verification", let reason) = $0 { reason.contains("expired") } else { false } })
        #expect(records.contains { if case .saved(let e) = $0 { e.requestId == "long-lived" } else { false } })
        #expect(await queue.expired == 2)
    }

    @Test func usesEveryFreeWorkerOfTheItemsModel() async throws {
        let embedder = GatedEmbedder(gated: true)
        let (queue, engine, consumers) = await makeQueue(embedder: embedder, workers: 3)
        for n in 0..<5 { await queue.enqueue(result("r\(n)", expiresIn: 100)) }
        #expect(await engine.freeWorkerCount(model: "m") == 0)
        #expect(await queue.pendingItems().count == 2)
        embedder.release(5)
        #expect(await eventually { await consumers.records.count == 5 })
        #expect(await queue.inFlight == 0)
    }

    @Test func aFailingWorkerIsReportedToTheConsumer() async throws {
        let (queue, _, consumers) = await makeQueue(embedder: GatedEmbedder())
        await queue.enqueue(result("bad", expiresIn: 10, output: "fail"))
        await queue.enqueue(result("good", expiresIn: 10, output: "fine"))
        #expect(await eventually { await consumers.records.count == 2 })
        let records = await consumers.records
        #expect(records.contains { if case .embeddingFailed("bad", _) = $0 { true } else { false } })
        #expect(records.contains { if case .saved(let e) = $0 { e.requestId == "good" } else { false } })
    }

    /// Items that waited go to the freed worker as one job, in order, each getting its own
    /// vectors; when the packed job fails, each item runs again alone, so only the bad one fails.
    @Test func waitingItemsShareAJobAndABadOneFailsAlone() async throws {
        let embedder = GatedEmbedder(gated: true)
        let (queue, _, consumers) = await makeQueue(embedder: embedder)
        await queue.enqueue(result("blocker", expiresIn: 100))
        await queue.enqueue(result("a", expiresIn: 100, output: "aa"))
        await queue.enqueue(verification("v", expiresIn: 100, mine: true))
        await queue.enqueue(result("b", expiresIn: 100, output: "bbbb"))
        #expect(await queue.pendingItems().count == 3)
        embedder.release(1)
        #expect(await eventually { let pending = await queue.pendingItems(); return pending.isEmpty } , "the three go together")
        embedder.release(10)
        #expect(await eventually { await consumers.records.count == 4 })
        #expect(await consumers.records.map(\.requestId) == ["blocker", "v", "a", "b"])
        guard case .verified(_, let embeddings)? = await consumers.records.dropFirst().first else { Issue.record("expected v first"); return }
        #expect(embeddings.map(\.embedding) == [[3], [5]])
        #expect(await consumers.records.contains { if case .saved(let e) = $0 { e.requestId == "b" && e.embedding == [4] } else { false } })

        await queue.enqueue(result("blocker-2", expiresIn: 100))
        await queue.enqueue(result("good-1", expiresIn: 100, output: "x"))
        await queue.enqueue(result("bad", expiresIn: 100, output: "fail"))
        await queue.enqueue(result("good-2", expiresIn: 100, output: "yy"))
        embedder.release(20)
        #expect(await eventually { await consumers.records.count == 8 })
        let later = await consumers.records.dropFirst(4)
        #expect(later.filter { if case .saved = $0 { true } else { false } }.map(\.requestId).sorted() == ["blocker-2", "good-1", "good-2"])
        #expect(later.contains { if case .embeddingFailed("bad", _) = $0 { true } else { false } })
        #expect(await queue.inFlight == 0)
    }

    @Test func packingGivesEachFreeWorkerAnEqualShareInOrder() {
        #expect(EmbeddingJobPacking.jobs(textsPerItem: [1, 1], freeWorkers: 3) == [[0], [1]])
        #expect(EmbeddingJobPacking.jobs(textsPerItem: [1, 1, 1, 1, 1], freeWorkers: 2) == [[0, 1, 2], [3, 4]])
        #expect(EmbeddingJobPacking.jobs(textsPerItem: [5, 1, 1], freeWorkers: 1) == [[0, 1, 2]])
        #expect(EmbeddingJobPacking.jobs(textsPerItem: [20, 10, 5, 1], freeWorkers: 1) == [[0, 1]], "at most 32 texts a job")
        #expect(EmbeddingJobPacking.jobs(textsPerItem: [40, 1], freeWorkers: 1) == [[0]], "an item over the limit goes alone")
        #expect(EmbeddingJobPacking.jobs(textsPerItem: [1, 1], freeWorkers: 0).isEmpty)
    }

    @Test func itemsWaitForAModelThatIsStillLoading() async throws {
        let embedder = GatedEmbedder()
        let engine = EmbeddingEngine(loader: { _, _ in
            Thread.sleep(forTimeInterval: 0.2)
            return embedder
        })
        let consumers = RecordingConsumers()
        let clock = self.clock
        let queue = EmbeddingQueue(engine: engine, synthientId: synthientId, results: consumers, consensus: consumers, now: { clock.now })
        await queue.followInBackground()
        await engine.scaleEmbeddingWorkers(model: "m", count: 1)
        await queue.enqueue(result("early", expiresIn: 10))
        #expect(await queue.pendingItems().count == 1, "no worker is loaded yet")
        #expect(await eventually { await consumers.records.count == 1 }, "the worker's loaded event runs the queue")
    }
}

extension EmbeddingQueue {
    /// Follows the engine's events on a task of the test's, which ends with the engine's events
    /// (the node runs this as a child of its service).
    func followInBackground() async {
        let events = await engineEvents()
        Task { await follow(events) }
    }
}
