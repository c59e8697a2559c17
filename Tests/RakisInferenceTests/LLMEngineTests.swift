import Foundation
import RakisCore
@testable import RakisInference
import RakisTestSupport
import Synchronization
import Testing

/// The LLM engine on the real default model (Gemma 3 270M, Q4_K_M) through llama.cpp.
/// Generations are kept short so that the suite stays quick on two cores.
@Suite(.serialized) struct LLMEngineTests {
    let prompt = LLMRequest(prompt: "Count from one to ten.", maxTokens: 12)

    private func engine(workers: Int, contextLength: Int = 512) async throws -> LLMEngine {
        let engine = LLMEngine(models: [try LLMFixtures.gemma(contextLength: contextLength, threads: 1)])
        try await engine.scaleLLMWorkers(model: ModelLocator.defaultLLMName, count: workers)
        // A guard against a hang, not a speed check: on a fresh, loaded machine (cold page cache,
        // every suite at once) loading took over 30 s.
        #expect(await eventually(timeout: .seconds(180)) { await engine.availability(model: ModelLocator.defaultLLMName).free == workers })
        return engine
    }

    /// Engines that run one GGUF file at the same time (the nodes of `rakis devnet`) share one
    /// loaded copy of it: its weights and its 262k-token vocabulary are loaded once.
    @Test func oneGGUFFileInUseIsLoadedOncePerProcess() async throws {
        let path = try LLMFixtures.gemmaPath
        let (first, second) = try await onOwnThread {
            (try LoadedLlamaModels.model(path: path, progress: { _ in }), try LoadedLlamaModels.model(path: path, progress: { _ in }))
        }
        #expect(first === second)
    }

    @Test func greedyGenerationIsRepeatableAndStreamsWhatItReturns() async throws {
        let engine = try await engine(workers: 1)
        let model = ModelLocator.defaultLLMName
        let first = try await engine.complete(model: model, request: prompt)
        var streamed = ""
        var completion: LLMCompletion?
        for try await event in engine.stream(model: model, request: prompt) {
            switch event {
            case .text(let piece): streamed += piece
            case .completed(let done): completion = done
            }
        }
        #expect(first.tokenCount > 0 && first.tokenCount <= 12)
        #expect(!first.text.isEmpty)
        #expect(first.tokensPerSecond > 0)
        #expect(first.promptTokenCount > 0)
        #expect(completion?.text == first.text, "greedy decoding gives the same text every time")
        #expect(completion?.tokenCount == first.tokenCount)
        #expect(streamed == first.text, "the streamed pieces add up to the returned text")
        await engine.shutdown()
    }

    @Test func seededSamplingIsRepeatableAndSeedsDiffer() async throws {
        let engine = try await engine(workers: 1)
        let model = ModelLocator.defaultLLMName
        var request = LLMRequest(prompt: "Write a short poem about the sea.", temperature: 1.0, maxTokens: 16, seed: 42)
        let a = try await engine.complete(model: model, request: request)
        let b = try await engine.complete(model: model, request: request)
        request.seed = 7
        let c = try await engine.complete(model: model, request: request)
        #expect(a.text == b.text)
        #expect(a.text != c.text)
        await engine.shutdown()
    }

    @Test func twoWorkersGenerateAtTheSameTime() async throws {
        let engine = try await engine(workers: 2)
        let model = ModelLocator.defaultLLMName
        let secondStarted = DispatchSemaphore(value: 0)
        let overlapped = Mutex<Bool?>(nil)
        // The first inference holds its worker (on its first token) until the second one has
        // produced text; with a single worker the second could not start and the wait times out.
        async let first = engine.complete(model: model, request: prompt) { _ in
            overlapped.withLock { seen in
                if seen == nil { seen = secondStarted.wait(timeout: .now() + 60) == .success }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        async let second = engine.complete(model: model, request: prompt) { _ in secondStarted.signal() }
        let (a, b) = try await (first, second)
        #expect(overlapped.withLock { $0 } == true)
        // Side by side in one batch, not one after the other. (Their texts may differ in rare
        // cases: llama.cpp computes a batch of several rows with other kernels than one row.)
        #expect(a.batchedWith == 2 && b.batchedWith == 2, "both were decoded in the same steps")
        #expect(!a.text.isEmpty && !b.text.isEmpty)
        let threads = await engine.status().map(\.id)
        #expect(threads.count == 2)
        await engine.shutdown()
    }

    @Test func fourRequestsDecodeInOneBatchEachWithItsOwnLimits() async throws {
        let engine = try await engine(workers: 4)
        let model = ModelLocator.defaultLLMName
        let requests = [
            LLMRequest(prompt: "Name a colour.", maxTokens: 6), LLMRequest(prompt: "Write a long story about the sea.", maxTokens: 40),
            LLMRequest(prompt: "Name a colour.", maxTokens: 6), LLMRequest(prompt: "Count from one to ten.", temperature: 0.7, maxTokens: 20, seed: 7),
        ]
        func runAll() async throws -> [LLMCompletion] {
            try await withThrowingTaskGroup(of: (Int, LLMCompletion).self) { group in
                for (index, request) in requests.enumerated() { group.addTask { (index, try await engine.complete(model: model, request: request)) } }
                var results: [Int: LLMCompletion] = [:]
                for try await (index, completion) in group { results[index] = completion }
                return (0..<requests.count).map { results[$0]! }
            }
        }
        let first = try await runAll()
        #expect(first.map(\.batchedWith).max() ?? 0 >= 2, "requests shared decode steps: \(first.map(\.batchedWith))")
        for (request, completion) in zip(requests, first) {
            #expect(completion.tokenCount <= request.maxTokens && completion.tokenCount > 0)
            #expect(completion.finishReason == .stop || completion.tokenCount == request.maxTokens)
        }
        // Alone in the batch, a request decodes exactly as it always did: the same text every time.
        let alone = try await engine.complete(model: model, request: requests[1])
        let again = try await engine.complete(model: model, request: requests[1])
        #expect(alone.batchedWith == 1 && again.batchedWith == 1)
        #expect(alone.text == again.text && alone.tokenCount == 40)
        await engine.shutdown()
    }

    @Test func scalingDownWhileBusyLetsTheInferenceFinish() async throws {
        let engine = try await engine(workers: 1)
        let model = ModelLocator.defaultLLMName
        let events = await engine.events()
        let stream = engine.stream(model: model, request: LLMRequest(prompt: "Tell me a story.", maxTokens: 24))
        var iterator = stream.makeAsyncIterator()
        guard case .text? = try await iterator.next() else { Issue.record("no text"); return }
        try await engine.scaleLLMWorkers(model: model, count: 0)
        #expect(await engine.status().first?.retiring == true)
        var completion: LLMCompletion?
        while let event = try await iterator.next() { if case .completed(let done) = event { completion = done } }
        #expect(completion != nil, "the busy worker finished its inference")
        #expect(await eventually { await engine.status().isEmpty })
        await #expect(throws: LLMError.noWorkers(model: model)) { try await engine.complete(model: model, request: prompt) }
        await engine.shutdown()
        var seen: [LLMEngine.Event] = []
        for await event in events { seen.append(event) }
        #expect(seen.contains(.workerStopped(model: model, worker: 0)))
        #expect(!seen.contains(.workerFree(model: model, worker: 0)), "a retiring worker unloads instead of coming free")
    }

    @Test func cancellationStopsGenerationAndFreesTheWorker() async throws {
        let engine = try await engine(workers: 1)
        let model = ModelLocator.defaultLLMName
        let pieces = Mutex(0)
        let task = Task {
            try await engine.complete(model: model, request: LLMRequest(prompt: "Tell me a long story.", maxTokens: 400)) { _ in
                pieces.withLock { $0 += 1 }
            }
        }
        #expect(await eventually { pieces.withLock { $0 } >= 2 })
        task.cancel()
        await #expect(throws: LLMError.cancelled) { try await task.value }
        #expect(pieces.withLock { $0 } < 400)
        #expect(await engine.availability(model: model).free == 1, "the worker is free again")
        let after = try await engine.complete(model: model, request: prompt)
        #expect(after.tokenCount > 0)
        await engine.shutdown()
    }

    @Test func badRequestsGetClearErrors() async throws {
        let engine = try await engine(workers: 1, contextLength: 256)
        let model = ModelLocator.defaultLLMName
        await #expect(throws: LLMError.emptyPrompt) { try await engine.complete(model: model, request: LLMRequest(prompt: "  \n")) }
        await #expect(throws: LLMError.invalidParameter(name: "maxTokens", reason: "must be at least 1, got 0")) {
            try await engine.complete(model: model, request: LLMRequest(prompt: "hi", maxTokens: 0))
        }
        await #expect(throws: LLMError.self) { try await engine.complete(model: model, request: LLMRequest(prompt: "hi", temperature: -0.5)) }
        await #expect(throws: LLMError.unknownModel("gpt-9", known: [model])) {
            try await engine.complete(model: "gpt-9", request: prompt)
        }
        let long = String(repeating: "word ", count: 400)
        await #expect(throws: LLMError.self) { try await engine.complete(model: model, request: LLMRequest(prompt: long)) }
        // A million tokens is clamped, and generation stops at the end of the 256-token context.
        let capped = try await engine.complete(model: model, request: LLMRequest(prompt: long.prefix(900) + "and", maxTokens: 1_000_000))
        #expect(capped.tokenCount + capped.promptTokenCount <= 256)
        #expect(await engine.availability(model: model).free == 1, "no error leaves the worker busy")
        await engine.shutdown()
    }

    @Test func missingAndCorruptModelFilesFailTheWorkerWithTheirReason() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-llm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.gguf")
        try Data("not a model".utf8).write(to: garbage)
        let truncated = directory.appendingPathComponent("truncated.gguf")
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: try LLMFixtures.gemmaPath))
        try handle.read(upToCount: 2_000_000)!.write(to: truncated)
        try handle.close()
        let engine = LLMEngine(models: [
            LLMModelConfiguration(name: "missing", source: .gguf(path: directory.appendingPathComponent("none.gguf").path)),
            LLMModelConfiguration(name: "garbage", source: .gguf(path: garbage.path)),
            LLMModelConfiguration(name: "truncated", source: .gguf(path: truncated.path)),
        ])
        for name in ["missing", "garbage", "truncated"] {
            try await engine.scaleLLMWorkers(model: name, count: 1)
            #expect(await eventually { await engine.status().contains { $0.model == name && $0.state.isFailed } })
            await #expect(throws: LLMError.self) { try await engine.complete(model: name, request: prompt) }
        }
        let reasons = await engine.status().compactMap { status -> String? in
            if case .failed(let reason) = status.state { reason } else { nil }
        }
        #expect(reasons.count == 3)
        #expect(reasons.contains { $0.contains("no GGUF model file") })
        #expect(reasons.contains { $0.contains("GGUF magic") })
        #expect(reasons.contains { $0.contains("could not load") })
        await engine.shutdown()
    }

    @Test func utf8SplitAcrossTokensIsHeldBackUntilComplete() {
        var decoder = UTF8StreamDecoder()
        let bytes = Array("é😀".utf8)
        #expect(decoder.append([bytes[0]]) == "")
        #expect(decoder.append([bytes[1], bytes[2]]) == "é")
        #expect(decoder.append(Array(bytes[3...4])) == "")
        #expect(decoder.append(Array(bytes[5...])) == "😀")
        #expect(decoder.append([0xF0]) == "")
        #expect(decoder.finish() == "\u{FFFD}")
    }
}
