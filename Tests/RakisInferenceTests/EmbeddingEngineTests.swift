import Foundation
import RakisCore
@testable import RakisInference
import RakisTestSupport
import Synchronization
import Testing

@Suite struct EmbeddingEngineTests {
    @Test func embedsOnWorkerThreadsAndLoadsTheModelOnce() async throws {
        let embedder = GatedEmbedder()
        let loads = Mutex(0)
        let engine = EmbeddingEngine(loader: { _, progress in
            loads.withLock { $0 += 1 }
            progress(0.5)
            return embedder
        })
        let events = await engine.events()
        await engine.scaleEmbeddingWorkers(model: "m", count: 3)
        #expect(await eventually { await engine.freeWorkerCount(model: "m") == 3 })
        #expect(loads.withLock { $0 } == 1, "the weights are loaded once and shared")
        let vectors = try await engine.embed(["a", "bb", "ccc"], model: "m")
        #expect(vectors == [[1], [2], [3]])
        #expect(embedder.threadNames.allSatisfy { $0.hasPrefix("rakis-embed-m-") }, "\(embedder.threadNames)")
        #expect(await engine.freeWorkerCount(model: "m") == 3, "the worker is free by the time the caller has its result")
        await engine.shutdown()
        var seen: [EmbeddingEngine.Event] = []
        for await event in events { seen.append(event) }
        #expect(seen.contains { if case .workerLoaded("m", 0, _) = $0 { true } else { false } })
        #expect(seen.contains(.workerBusy(model: "m", worker: 0)))
        #expect(seen.contains(.workerFree(model: "m", worker: 0)))
        #expect(seen.contains { if case .workerLoading(_, _, let p) = $0 { p == 0.5 } else { false } })
    }

    @Test func unknownModelsAndModelsWithoutWorkersFailAtOnce() async throws {
        let engine = EmbeddingEngine(loader: { _, _ in GatedEmbedder() })
        await #expect(throws: EmbeddingError.unknownModel("nobody")) { try await engine.embed(["x"], model: "nobody") }
        await engine.scaleEmbeddingWorkers(model: "m", count: 1)
        #expect(await eventually { await engine.freeWorkerCount(model: "m") == 1 })
        await engine.scaleEmbeddingWorkers(model: "m", count: 0)
        await #expect(throws: EmbeddingError.noWorkers(model: "m")) { try await engine.embed(["x"], model: "m") }
    }

    @Test func aFailingJobIsReportedAndTheEngineKeepsServing() async throws {
        let engine = EmbeddingEngine(loader: { _, _ in GatedEmbedder() })
        await engine.scaleEmbeddingWorkers(model: "m", count: 1)
        await #expect(throws: GatedEmbedder.Failure.self) { try await engine.embed(["ok", "fail"], model: "m") }
        #expect(try await engine.embed(["four"], model: "m") == [[4]])
    }

    @Test func aWorkerThatCannotLoadFailsItsJobsAndOtherModelsKeepServing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-missing-\(UUID().uuidString)")
        let real = SentenceEmbeddingModel.loader(directories: ["broken": directory])
        let engine = EmbeddingEngine(loader: { name, progress in
            name == "broken" ? try real(name, progress) : GatedEmbedder()
        })
        await engine.scaleEmbeddingWorkers(model: "broken", count: 1)
        await engine.scaleEmbeddingWorkers(model: "good", count: 1)
        #expect(await eventually { await engine.status().contains { $0.model == "broken" && $0.state.isFailed } })
        let status = await engine.status().first { $0.model == "broken" }
        guard case .failed(let reason)? = status?.state else { Issue.record("expected a failed worker"); return }
        #expect(reason.contains("config.json"))
        await #expect(throws: EmbeddingError.self) { try await engine.embed(["x"], model: "broken") }
        #expect(try await engine.embed(["xy"], model: "good") == [[2]])
    }

    @Test func scalingDownStopsIdleWorkersFirstAndLetsBusyOnesFinish() async throws {
        let embedder = GatedEmbedder(gated: true)
        let engine = EmbeddingEngine(loader: { _, _ in embedder })
        await engine.scaleEmbeddingWorkers(model: "m", count: 2)
        #expect(await eventually { await engine.freeWorkerCount(model: "m") == 2 })
        let busyJob = Task { try await engine.embed(["busy"], model: "m") }
        #expect(await eventually { await engine.freeWorkerCount(model: "m") == 1 })
        let busyWorker = try #require(await engine.status().first { $0.state == .busy }).id

        await engine.scaleEmbeddingWorkers(model: "m", count: 1)
        var status = await engine.status()
        #expect(status.map(\.id) == [busyWorker], "the idle worker was stopped, the busy one kept")
        await engine.scaleEmbeddingWorkers(model: "m", count: 0)
        status = await engine.status()
        #expect(status.first?.retiring == true, "the busy worker retires after its job")

        embedder.release()
        #expect(try await busyJob.value == [[4]], "its job completes")
        #expect(await eventually { await engine.status().isEmpty })
    }

    @Test func scalingUpAndDownUnderLoadLosesNoJob() async throws {
        let engine = EmbeddingEngine(loader: { _, _ in GatedEmbedder() })
        await engine.scaleEmbeddingWorkers(model: "m", count: 1)
        let results = await withTaskGroup(of: [[Float]]?.self) { group in
            for n in 0..<200 {
                group.addTask { try? await engine.embed([String(repeating: "x", count: n % 17)], model: "m") }
                if n == 50 { await engine.scaleEmbeddingWorkers(model: "m", count: 4) }
                if n == 120 { await engine.scaleEmbeddingWorkers(model: "m", count: 2) }
            }
            var all: [[[Float]]?] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0 != nil }, "every job completed")
        #expect(await engine.status().count == 2)
    }

    @Test func theRealModelGivesIdenticalBitsOnOneOrTwoWorkers() async throws {
        let model = try ReferenceFixture.model.get()
        let texts = ReferenceFixture.shared.texts.map(\.text)
        let one = EmbeddingEngine(loader: { _, _ in model })
        await one.scaleEmbeddingWorkers(model: "minilm", count: 1)
        let two = EmbeddingEngine(loader: { _, _ in model })
        await two.scaleEmbeddingWorkers(model: "minilm", count: 2)
        let single = try await one.embed(texts, model: "minilm")
        let parallel = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try! await two.embed([text], model: "minilm")[0]) }
            }
            var results = [[Float]](repeating: [], count: texts.count)
            for await (index, vector) in group { results[index] = vector }
            return results
        }
        #expect(parallel == single)
        #expect(single.map { BinaryEmbedding.pack($0) } == texts.map { BinaryEmbedding.pack(model.embed($0)) })
    }
}
