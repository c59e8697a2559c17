import ArgumentParser
import Foundation
import RakisInference

/// Generated tokens per second through `LLMEngine` (llama.cpp in process, continuous batching)
/// and, in the same run, through llama.cpp's own llama-server from the same build: same model,
/// prompt, greedy decoding and threads. For each level of concurrency N, N requests at once on a
/// model with N workers (N sequences of one batch) against `llama-server -np N`.
struct LLMBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "Tokens per second of LLMEngine against llama-server (same build, model, prompt and threads), alone and with requests at once.")

    @Option(help: "Tokens to generate per request.") var tokens = 128
    @Option(help: "Measured runs at each level (after one warm-up run).") var runs = 3
    @Option(help: "llama.cpp threads for both.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Requests at once, comma-separated.") var concurrency = "1,2,4,8"
    @Option(help: "The prompt.") var prompt = "Write a long story about a lighthouse keeper and a storm."

    static let contextPerSequence = 1024

    func run() async throws {
        guard let model = ModelLocator.defaultLLMPath() else { throw ValidationError("the default LLM is not installed; run `make setup`") }
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        guard !levels.isEmpty else { throw ValidationError("--concurrency needs one or more positive counts, e.g. 1,2,4,8") }
        let server = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".llama/bin/llama-server").path
        print("llm benchmark: \(URL(fileURLWithPath: model).lastPathComponent), \(tokens) tokens per request, \(runs) runs per level, \(threads) threads, greedy")

        let engine = LLMEngine(models: [LLMModelConfiguration(
            name: "bench", source: .gguf(path: model), contextLength: Self.contextPerSequence, threads: threads)])
        // The question-and-answer transcript LLMEngine gives a GGUF without a chat template,
        // tokenised with BOS, and the same stop sequence.
        let formatted = "Question: \(prompt)\nAnswer:"
        for level in levels {
            try await scale(engine, to: level)
            let llamaServer = try await LlamaServerProcess.start(
                server: server, model: model, threads: threads, parallel: level, contextPerSequence: Self.contextPerSequence)
            defer { llamaServer.stop() }
            try await measure(level: level, engine: engine, server: llamaServer, formatted: formatted)
        }
        await engine.shutdown()
    }

    private func scale(_ engine: LLMEngine, to workers: Int) async throws {
        let events = await engine.events()
        try await engine.scaleLLMWorkers(model: "bench", count: workers)
        var loaded = await engine.status().filter { $0.state.isLoaded && !$0.retiring }.count
        guard loaded < workers else { return }
        for await event in events {
            if case .workerLoaded = event { loaded += 1 }
            if case .workerFailed(_, _, let reason) = event { throw ValidationError(reason) }
            if loaded >= workers { return }
        }
    }

    /// Runs alternate between the two, so that load from elsewhere on a shared machine falls on
    /// both alike. Aggregate: all requests' generated tokens over the wall time from sending the
    /// first to the last answer (prompt processing included, for both).
    private func measure(level: Int, engine: LLMEngine, server: LlamaServerProcess, formatted: String) async throws {
        let request = LLMRequest(prompt: prompt, temperature: 0, maxTokens: tokens)
        var ours: [Double] = [], theirs: [Double] = [], oursAlone: [Double] = [], theirsAlone: [Double] = []
        var sameText = true
        for run in 0...runs {
            let (ourRate, ourCompletions) = try await timed(level) { try await engine.complete(model: "bench", request: request) }
            guard ourCompletions.allSatisfy({ $0.tokenCount == tokens }) else {
                throw ValidationError("the model stopped before \(tokens) tokens; choose a prompt that runs longer")
            }
            let (theirRate, theirCompletions) = try await timed(level) { try await server.completion(prompt: formatted, tokens: tokens) }
            guard theirCompletions.allSatisfy({ $0.predicted == tokens }) else { throw ValidationError("llama-server generated fewer than \(tokens) tokens") }
            guard run > 0 else { continue }
            ours.append(ourRate)
            theirs.append(theirRate)
            oursAlone.append(ourCompletions.map(\.tokensPerSecond).reduce(0, +) / Double(level))
            theirsAlone.append(theirCompletions.map(\.perSecond).reduce(0, +) / Double(level))
            // LLMEngine drops the space the answer starts with after "Answer:".
            sameText = sameText && level == 1 && ourCompletions[0].text == String(theirCompletions[0].text.drop { $0.isWhitespace })
        }
        let ourMedian = median(ours), theirMedian = median(theirs)
        print(String(
            format: "  %d at once: LLMEngine %6.1f tokens/s, llama-server -np %d %6.1f tokens/s, ratio %.3f (aggregate medians; runs %@ / %@)",
            level, ourMedian, level, theirMedian, ourMedian / theirMedian, list(ours), list(theirs)))
        print(String(
            format: "             per request while generating: LLMEngine %.1f, llama-server %.1f tokens/s", median(oursAlone), median(theirsAlone)))
        if level == 1 { print("             same generated text: \(sameText ? "yes" : "no")") }
    }

    private func timed<T: Sendable>(_ count: Int, _ work: @escaping @Sendable () async throws -> T) async throws -> (Double, [T]) {
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: T.self) { group in
            for _ in 0..<count { group.addTask { try await work() } }
            return try await group.reduce(into: [T]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(count * tokens) / seconds, results)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    private func list(_ values: [Double]) -> String { values.map { String(format: "%.1f", $0) }.joined(separator: " ") }
}
