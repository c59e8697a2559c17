import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RakisInference

/// Generated tokens per second through `LLMEngine` (llama.cpp in process) and, in the same
/// run, through llama.cpp's own llama-server from the same build, same model, same prompt,
/// greedy decoding and the same thread count.
struct LLMBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm",
        abstract: "Tokens per second of LLMEngine against llama-server (same build, model, prompt and threads).")

    @Option(help: "Tokens to generate per run.") var tokens = 128
    @Option(help: "Measured runs of each (after one warm-up run).") var runs = 5
    @Option(help: "llama.cpp threads for both.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "The prompt.") var prompt = "Write a long story about a lighthouse keeper and a storm."

    func run() async throws {
        guard let model = ModelLocator.defaultLLMPath() else {
            throw ValidationError("the default LLM is not installed; run `make setup`")
        }
        let server = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".llama/bin/llama-server").path
        print("llm benchmark: \(URL(fileURLWithPath: model).lastPathComponent), \(tokens) tokens per run, \(runs) runs, \(threads) threads, greedy")

        let engine = LLMEngine(models: [LLMModelConfiguration(
            name: "bench", source: .gguf(path: model), contextLength: 1024, threadsPerWorker: threads)])
        let events = await engine.events()
        try await engine.scaleLLMWorkers(model: "bench", count: 1)
        for await event in events {
            if case .workerLoaded = event { break }
            if case .workerFailed(_, _, let reason) = event { throw ValidationError(reason) }
        }
        let port = Int.random(in: 20_000...60_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", "\(port)", "-t", "\(threads)", "-tb", "\(threads)",
                             "-c", "1024", "-np", "1", "--no-webui"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate() }
        let base = URL(string: "http://127.0.0.1:\(port)")!
        try await waitForHealth(base)

        // Runs alternate between the two, so that load from elsewhere on a shared machine falls
        // on both alike. The server gets the same text that LLMEngine gives the model: the
        // question-and-answer transcript for a GGUF without a chat template, tokenised with BOS,
        // and the same stop sequence.
        let request = LLMRequest(prompt: prompt, temperature: 0, maxTokens: tokens)
        let formatted = "Question: \(prompt)\nAnswer:"
        var ours: [Double] = [], theirs: [Double] = []
        var ourText = "", theirText = ""
        for run in 0...runs {
            let completion = try await engine.complete(model: "bench", request: request)
            guard completion.tokenCount == tokens else {
                throw ValidationError("the model stopped after \(completion.tokenCount) tokens; choose a prompt that runs longer")
            }
            let (text, predicted, perSecond) = try await serverCompletion(base, prompt: formatted)
            guard predicted == tokens else { throw ValidationError("llama-server generated \(predicted) tokens, not \(tokens)") }
            if run > 0 {
                ours.append(completion.tokensPerSecond)
                theirs.append(perSecond)
            }
            ourText = completion.text
            // LLMEngine drops the space the answer starts with after "Answer:".
            theirText = String(text.drop { $0.isWhitespace })
        }
        await engine.shutdown()

        let ourMedian = median(ours), theirMedian = median(theirs)
        print(String(format: "  LLMEngine     %6.1f tokens/s (median; runs %@)", ourMedian, ours.map { String(format: "%.1f", $0) }.joined(separator: " ")))
        print(String(format: "  llama-server  %6.1f tokens/s (median; runs %@)", theirMedian, theirs.map { String(format: "%.1f", $0) }.joined(separator: " ")))
        print(String(format: "  ratio LLMEngine / llama-server: %.3f", ourMedian / theirMedian))
        print("  same generated text: \(ourText == theirText ? "yes" : "no")")
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    private func waitForHealth(_ base: URL) async throws {
        for _ in 0..<600 {
            var request = URLRequest(url: base.appendingPathComponent("health"))
            request.timeoutInterval = 2
            if let (_, response) = try? await URLSession.shared.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("llama-server did not start")
    }

    /// One greedy completion from llama-server's native endpoint, with its own timing of the
    /// generation phase (prompt processing excluded, as LLMEngine's figure).
    private func serverCompletion(_ base: URL, prompt: String) async throws -> (String, Int, Double) {
        var request = URLRequest(url: base.appendingPathComponent("completion"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.timeoutInterval = 600
        let body: [String: Any] = ["prompt": prompt, "n_predict": tokens, "temperature": 0, "cache_prompt": false, "stream": false, "stop": ["\nQuestion:"]]
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let content = json["content"] as? String,
              let timings = json["timings"] as? [String: Any],
              let predicted = timings["predicted_n"] as? Int,
              let perSecond = timings["predicted_per_second"] as? Double
        else { throw ValidationError("unexpected llama-server answer: \(String(decoding: data.prefix(300), as: UTF8.self))") }
        return (content, predicted, perSecond)
    }
}
