import Foundation
import RakisCore
import RakisTestSupport
import Testing

@Suite struct CommandLineTests {
    let dataDir = RakisProcess.temporaryDataDirectory()

    func initNode() async throws -> String {
        let result = try await RakisProcess.run(["init", "--data-dir", dataDir])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(result.stdout.split(separator: " ").dropFirst(2).first.map { String($0.prefix(64)) })
    }

    @Test func initThenIdPrintsTheSameSynthientId() async throws {
        let created = try await initNode()
        #expect(Hex.isLowercaseHex(created, byteCount: 32))
        let id = try await RakisProcess.run(["id", "--data-dir", dataDir])
        #expect(id.status == 0)
        #expect(id.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == created)

        let keyFile = URL(fileURLWithPath: dataDir).appendingPathComponent("identity.key").path
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let token = URL(fileURLWithPath: dataDir).appendingPathComponent("api-token").path
        #expect((try FileManager.default.attributesOfItem(atPath: token)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: dataDir).appendingPathComponent("config.json").path))
    }

    @Test func wrongPasswordExitsNonZeroAndSaysSo() async throws {
        _ = try await initNode()
        let result = try await RakisProcess.run(["id", "--data-dir", dataDir], password: "not the password")
        #expect(result.status != 0)
        #expect(result.stderr.contains("wrong password"))
        #expect(result.stdout.isEmpty)
    }

    @Test func noPasswordAndNoTerminalIsAClearError() async throws {
        _ = try await initNode()
        let result = try await RakisProcess.run(["id", "--data-dir", dataDir], password: nil)
        #expect(result.status != 0)
        #expect(result.stderr.contains("RAKIS_PASSWORD"))
    }

    @Test func initRefusesToOverwriteWithoutForce() async throws {
        let first = try await initNode()
        let again = try await RakisProcess.run(["init", "--data-dir", dataDir])
        #expect(again.status != 0)
        #expect(again.stderr.contains("--force"))
        #expect(try await RakisProcess.run(["id", "--data-dir", dataDir]).stdout.hasPrefix(first))

        let forced = try await RakisProcess.run(["init", "--data-dir", dataDir, "--force"])
        #expect(forced.status == 0)
        #expect(try await !RakisProcess.run(["id", "--data-dir", dataDir]).stdout.hasPrefix(first))
    }

    @Test func shortPasswordsAreRefused() async throws {
        let result = try await RakisProcess.run(["init", "--data-dir", dataDir], password: "short")
        #expect(result.status != 0)
        #expect(result.stderr.contains("at least 8"))
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: dataDir).appendingPathComponent("identity.key").path))
    }

    @Test func damagedKeyFilesAreReported() async throws {
        _ = try await initNode()
        let keyFile = URL(fileURLWithPath: dataDir).appendingPathComponent("identity.key")
        let original = try Data(contentsOf: keyFile)

        try original.prefix(100).write(to: keyFile)
        let truncated = try await RakisProcess.run(["id", "--data-dir", dataDir])
        #expect(truncated.status != 0)
        #expect(truncated.stderr.contains("damaged or truncated"))

        var edited = String(decoding: original, as: UTF8.self)
        let range = try #require(edited.range(of: "\"ciphertext\":\""))
        let index = range.upperBound
        edited.replaceSubrange(index...index, with: edited[index] == "a" ? "b" : "a")
        try Data(edited.utf8).write(to: keyFile)
        let tampered = try await RakisProcess.run(["id", "--data-dir", dataDir])
        #expect(tampered.status != 0)
        #expect(tampered.stderr.contains("modified after it was written"))
    }

    @Test func runRejectsBadSettingsByName() async throws {
        _ = try await initNode()
        let flag = try await RakisProcess.run(["run", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--set", "maxPacketDBSize=-5"])
        #expect(flag.status != 0)
        #expect(flag.stderr.contains("maxPacketDBSize"))

        let config = URL(fileURLWithPath: dataDir).appendingPathComponent("config.json")
        try Data(#"{"quorumRevealTimeoutMs": "soon"}"#.utf8).write(to: config)
        let file = try await RakisProcess.run(["run", "--data-dir", dataDir])
        #expect(file.status != 0)
        #expect(file.stderr.contains("quorumRevealTimeoutMs"))
        #expect(file.stderr.contains("config.json"))

        let other = URL(fileURLWithPath: dataDir).appendingPathComponent("other.json")
        try Data(#"{"maxPacketDBSize": "many"}"#.utf8).write(to: other)
        let chosen = try await RakisProcess.run(["run", "--data-dir", dataDir, "--config", other.path])
        #expect(chosen.status != 0)
        #expect(chosen.stderr.contains("maxPacketDBSize = many (from config file \(other.path))"), "\(chosen.stderr)")
        let missing = try await RakisProcess.run(["run", "--data-dir", dataDir, "--config", dataDir + "/nope.json"])
        #expect(missing.stderr.contains("no settings file at"), "\(missing.stderr)")

        let valid = URL(fileURLWithPath: dataDir).appendingPathComponent("valid.json")
        try Data("{}".utf8).write(to: valid)
        for (arguments, message) in [
            (["--http", "8080"], "invalid HTTP address"), (["--llm", "gemma"], "MODEL=COUNT"),
            (["--llm", "/nope/model.gguf=1"], "no such file"), (["--llm", "mystery=1"], "unknown model"),
            (["--embedder", "/nope=1"], "holds no model.safetensors"), (["--no-models", "--llm", "x=1"], "cannot be combined"),
        ] {
            let bad = try await RakisProcess.run(["run", "--data-dir", dataDir, "--config", valid.path, "--offline"] + arguments)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains(message), "\(arguments): \(bad.stderr)")
        }
    }

    @Test func runWithoutADataDirectorySaysHowToCreateOne() async throws {
        let result = try await RakisProcess.run(["run", "--data-dir", dataDir])
        #expect(result.status != 0)
        #expect(result.stderr.contains("rakis init"))
    }

    @Test func runStopsCleanlyOnSIGINT() async throws {
        _ = try await initNode()
        let (process, log) = try await RakisProcess.start(["run", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--offline", "--no-models"], until: "node started")
        #expect(log.text.contains("node started"))
        try await RakisProcess.interrupt(process)
        #expect(process.terminationStatus == 0)
        #expect(log.text.contains("shut down cleanly"))
        #expect(log.text.contains("packetsStored=1"))
    }

    @Test func jsonLogsAreOneObjectPerLine() async throws {
        _ = try await initNode()
        let (process, log) = try await RakisProcess.start(
            ["run", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--offline", "--no-models", "--log-format", "json"], until: "node started")
        try await RakisProcess.interrupt(process)
        #expect(process.terminationStatus == 0)
        let lines = log.text.split(separator: "\n")
        #expect(lines.count >= 4)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String && object?["metadata"] is [String: Any], "\(line)")
        }
        #expect(lines.contains { $0.contains("\"message\":\"shut down cleanly\"") })
    }

    @Test func generateStreamsTheAnswerAndReportsTokensPerSecond() async throws {
        let first = try await RakisProcess.run(["generate", "--log-level", "warning", "--max-tokens", "8", "Name a colour."])
        let second = try await RakisProcess.run(["generate", "--log-level", "warning", "--max-tokens", "8", "Name a colour."])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(first.stdout == second.stdout, "greedy by default: the same prompt gives the same text")
        #expect(first.stderr.contains(/\d+ tokens,/) && first.stderr.contains("tokens/s"), "\(first.stderr)")
    }

    @Test(arguments: [
        (["generate", "--max-tokens", "0", "hi"], "invalid maxTokens: must be at least 1"),
        (["generate", "--temperature=-1", "hi"], "invalid temperature"),
        (["generate", " "], "the prompt is empty"),
        (["generate", "--gguf", "/nonexistent/model.gguf", "hi"], "no GGUF model file at /nonexistent/model.gguf"),
        (["generate", "--model", "gpt-9", "hi"], "no installed LLM named \"gpt-9\""),
        (["generate", "--openai", "http://127.0.0.1:9", "hi"], "--openai needs --remote-model"),
        (["generate", "--openai", "http://127.0.0.1:9", "--remote-model", "m", "hi"], "cannot reach the LLM backend at http://127.0.0.1:9/v1/chat/completions"),
    ])
    func generateRefusesBadInputWithOneClearLine(_ arguments: [String], _ message: String) async throws {
        let result = try await RakisProcess.run(arguments + ["--log-level", "critical"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test(arguments: [[], ["init"], ["id"], ["run"], ["devnet"], ["generate"]])
    func everyCommandHasHelp(_ command: [String]) async throws {
        let result = try await RakisProcess.run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }

    @Test func devnetReachesConsensusAndPrintsEveryNodesView() async throws {
        // A window of 30 s: under the whole suite on a slow machine, two nodes once needed more than 8 s to answer.
        let result = try await RakisProcess.run(["devnet", "--nodes", "2", "--time", "30", "--max-tokens", "8", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("models loaded on every node"), "progress goes to stderr")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["agreed"] as? Bool == true)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.count == 2)
        let selected = nodes.compactMap { ($0["consensus"] as? [String: Any])?["selected"] as? [String: Any] }
        #expect(selected.count == 2)
        #expect(selected.compactMap { $0["output"] as? String }.count == 2)
        #expect(Set(selected.compactMap { $0["output"] as? String }).count == 1, "both nodes select the same output")
        for node in nodes {
            #expect(node["status"] as? String == "completed")
            #expect((node["quorum"] as? [Any])?.count == 2)
            #expect(((node["consensus"] as? [String: Any])?["validInferences"] as? [Any])?.count == 2)
        }
    }

    @Test func devnetRefusesAQuorumLargerThanTheNetwork() async throws {
        let result = try await RakisProcess.run(["devnet", "--nodes", "2", "--quorum", "3"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--quorum must be between 1 and --nodes (2)"), "\(result.stderr)")
    }

    /// `rakis embed` on each kernel path through whole forward passes — the widest the CPU has
    /// (AVX-512 here), AVX2 with FMA (RAKIS_KERNELS=avx2) and the portable one (C's fmaf, scalar
    /// exp and erf; RAKIS_PORTABLE_KERNELS=1) — prints the same vectors: a CPU with any of them
    /// computes the same embeddings.
    @Test func everyKernelPathGivesTheSameBits() async throws {
        let texts = ["Paris", "The capital of France is Paris.", "🦀 mixed Ελληνικά text, with punctuation!"]
        let widest = try await RakisProcess.run(["embed", "--json"] + texts, password: nil)
        #expect(widest.status == 0, "\(widest.stderr)")
        #expect(widest.stdout.split(separator: "\n").count == texts.count)
        for narrower in [["RAKIS_KERNELS": "avx2"], ["RAKIS_PORTABLE_KERNELS": "1"]] {
            let run = try await RakisProcess.run(["embed", "--json"] + texts, password: nil, extra: narrower)
            #expect(run.status == 0, "\(narrower): \(run.stderr)")
            #expect(run.stdout == widest.stdout, "\(narrower)")
        }
    }

    /// Texts of random lengths embedded one per job, and again in batches that share forward
    /// passes: through the portable and the AVX2 kernels, and on one CPU (taskset), each text has
    /// the bits it has alone on the widest kernels with both cores.
    @Test func batchesOnEitherPathAndOneOrTwoCPUsGiveEachTextItsBitsAlone() async throws {
        var state: UInt64 = 2026
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let words = "nodes agree on one output through embedding cluster consensus without any server quorum reveal commit".split(separator: " ")
        let texts = (0..<12).map { _ in (0...next(40)).map { _ in String(words[next(words.count)]) }.joined(separator: " ") }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-embed-\(UUID().uuidString).txt")
        try texts.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        func embed(_ prefix: [String], _ batch: Int, kernels: [String: String] = [:]) async throws -> String {
            let command = (prefix + [RakisProcess.binary.path, "embed", "--json", "--batch", "\(batch)", "-", "<", input.path]).joined(separator: " ")
            let run = try await runToEnd("/bin/sh", ["-c", command], environment: RakisProcess.environment(password: nil).merging(kernels) { $1 })
            #expect(run.status == 0, "\(command): \(run.stderr)")
            return run.stdout
        }
        let alone = try await embed([], 1)
        #expect(alone.split(separator: "\n").count == texts.count)
        // The portable kernels call libm's fmaf per multiply-add, so they run once.
        #expect(try await embed([], 5, kernels: ["RAKIS_PORTABLE_KERNELS": "1"]) == alone, "batches of 5, portable kernels")
        #expect(try await embed([], 7, kernels: ["RAKIS_KERNELS": "avx2"]) == alone, "batches of 7, AVX2 kernels")
        #expect(try await embed(["taskset", "-c", "0"], 12) == alone, "one batch of 12 on one CPU")
    }
}

/// Accumulates a pipe's output as it arrives.
