import Foundation
import RakisTestSupport
import Testing

/// `rakis run` as a service with its HTTP API, and the client commands that use it:
/// `rakis submit --node` and `rakis status`.
@Suite struct HTTPCommandLineTests {
    let dataDir = RakisProcess.temporaryDataDirectory()

    @Test func submitThroughTheNodeWaitsForConsensusAndStatusShowsIt() async throws {
        // Two requests at once for the default LLM, from the settings rather than --llm-workers.
        let (process, log, base) = try await RakisProcess.startNode(dataDir, ["--offline", "--set", "llmWorkers=2"])
        #expect(log.text.contains("HTTP API and dashboard listening"))

        // A 20-s window: under the whole suite a 10-s one once closed before the node committed.
        let waited = try await RakisProcess.run(
            ["submit", "--node", base, "--data-dir", dataDir, "--prompt", "Name a colour.", "--quorum", "1", "--time", "20", "--max-tokens", "8", "--wait"])
        #expect(waited.status == 0, "\(waited.stderr)\n\(log.text)")
        #expect(waited.stdout.contains("consensus: 1 of 1 reveals agree; selected"), "\(waited.stdout)")
        #expect(waited.stderr.contains("waiting for consensus"))
        #expect(waited.stderr.contains("submit: status completed"), "the node's quorum events were followed: \(waited.stderr)")

        let quick = try await RakisProcess.run(
            ["submit", "--node", base, "--prompt", "Name a fruit.", "--quorum", "1", "--time", "4", "--json"], extra: ["RAKIS_TOKEN": try RakisProcess.token(dataDir)])
        #expect(quick.status == 0, "\(quick.stderr)")
        #expect(quick.stdout.contains("\"requestId\""))

        let status = try await RakisProcess.run(["status", "--node", base])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("status     ok"), "\(status.stdout)")
        #expect(status.stdout.contains("worker     gemma-3-270m-q4_k_m #0") && status.stdout.contains("worker     gemma-3-270m-q4_k_m #1"), "\(status.stdout)")
        #expect(status.stdout.contains("\"Name a colour.\""), "\(status.stdout)")
        let json = try await RakisProcess.run(["status", "--node", base, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["health", "stats", "workers", "inferences"])

        for (arguments, extra, message) in [
            (["submit", "--node", base, "--prompt", "x"], ["RAKIS_TOKEN": "wrong"], "wrong bearer token"),
            (["submit", "--node", base, "--prompt", "x", "--quorum", "0"], [:], "securityFrame.quorum must be 1 to 100; got 0"),
            (["submit", "--node", base, "--data-dir", dataDir, "--prompt", "x", "--models", "nope"], [:], "unknown model nope"),
            (["submit", "--node", "ftp://x", "--prompt", "x"], [:], "not an http:// URL"),
            (["submit", "--node", "http://127.0.0.1:\(LLMFixtures.freePort())", "--data-dir", dataDir, "--prompt", "x"], [:], "cannot reach the node"),
            (["submit", "--node", base, "--data-dir", dataDir + "-missing", "--prompt", "x"], [:], "needs the node's API token"),
            (["status", "--node", "http://127.0.0.1:\(LLMFixtures.freePort())"], [:], "cannot reach the node"),
        ] as [([String], [String: String], String)] {
            let result = try await RakisProcess.run(arguments, extra: extra)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let elapsed = try await RakisProcess.terminate(process)
        #expect(process.terminationStatus == 0, "\(log.text)")
        #expect(elapsed < .seconds(30), "a guard against a hung shutdown")
        #expect(log.text.contains("shut down cleanly"))
    }

    @Test func runServesAnOpenAICompatibleBackendAndScalesItsWorkers() async throws {
        let backend = try await ServerProcess.llamaServer()
        defer { backend.stop() }
        let (process, log, base) = try await RakisProcess.startNode(
            dataDir, ["--offline", "--llm", "remote-gemma@\(backend.baseURL.absoluteString)/v1=2", "--embedder", "all-MiniLM-L6-v2=1"])
        let token = try RakisProcess.token(dataDir)
        let workers = try #require(try await HTTPExchange.send("GET", base + "/api/workers").json)
        #expect(workers["llmModels"] as? [String] == ["remote-gemma"], "only the model given with --llm")
        #expect((workers["llm"] as? [Any])?.count == 2)

        let sent = try await HTTPExchange.send("POST", base + "/api/inferences", body: HTTPExchange.json([
            "prompt": "Name a colour.", "acceptedModels": ["remote-gemma"], "maxTokens": 8, "securityFrame": ["quorum": 1, "maxTimeMs": 20000],
        ]), token: token)
        #expect(sent.status == 202, "\(sent.text)")
        let requestId = try #require(sent.json?["requestId"] as? String)
        var detail: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(90)
        while detail["consensus"] == nil, detail["status"] as? String != "failed", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            detail = try #require(try await HTTPExchange.send("GET", base + "/api/inferences/\(requestId)").json)
        }
        #expect((detail["consensus"] as? [String: Any])?["succeeded"] as? Bool == true, "\(detail)\n\(log.text.suffix(3000))")
        #expect((detail["ownResults"] as? [[String: Any]])?.first?["model"] as? String == "remote-gemma")

        let scaled = try await HTTPExchange.send(
            "PUT", base + "/api/workers/llm/remote-gemma", body: HTTPExchange.json(["count": 1]), token: token)
        #expect(scaled.status == 200, "\(scaled.text)")
        let firstBase = base
        #expect(await eventually {
            ((try? await HTTPExchange.send("GET", firstBase + "/api/workers").json?["llm"] as? [Any]) ?? []).count == 1
        })
        try await RakisProcess.terminate(process)
        #expect(process.terminationStatus == 0, "\(log.text.suffix(2000))")
    }

    @Test func sigtermDuringAnInferenceExitsWithinSecondsAndTheNextStartRunsItAgain() async throws {
        var (process, log, base) = try await RakisProcess.startNode(dataDir, ["--offline"])
        let token = try RakisProcess.token(dataDir)
        let body = HTTPExchange.json([
            // Long enough to be running when SIGTERM comes, short enough to run again in seconds.
            "prompt": "Count from 1 to 100, one number per line.", "maxTokens": 300,
            "securityFrame": ["quorum": 1, "maxTimeMs": 300_000],
        ])
        let sent = try await HTTPExchange.send("POST", base + "/api/inferences", body: body, token: token)
        #expect(sent.status == 202, "\(sent.text)")
        let requestId = try #require(sent.json?["requestId"] as? String)
        let firstBase = base
        #expect(await eventually {
            let workers = (try? await HTTPExchange.send("GET", firstBase + "/api/workers").json?["llm"] as? [[String: Any]]) ?? []
            return workers.contains { $0["state"] as? String == "inferencing" }
        })

        let elapsed = try await RakisProcess.terminate(process)
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0, "\(log.text)")
        // The shutdown grace for running inferences is 3 s; the rest is closing stores and transports.
        #expect(elapsed < .seconds(15), "SIGTERM took \(elapsed)")
        #expect(log.text.contains("inference interrupted by shutdown"), "\(log.text)")
        #expect(log.text.contains("shut down cleanly"))

        (process, log, base) = try await RakisProcess.startNode(dataDir, ["--offline"])
        var outputs: [String] = []
        let deadline = ContinuousClock.now + .seconds(120)
        while outputs.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let detail = try await HTTPExchange.send("GET", base + "/api/inferences/\(requestId)")
            outputs = ((detail.json?["ownResults"] as? [[String: Any]]) ?? []).compactMap { $0["output"] as? String }
        }
        #expect(outputs.count == 1, "the restarted node ran the interrupted inference again\n\(log.text)")
        #expect(outputs.first?.contains("1") == true)
        try await RakisProcess.terminate(process)
        #expect(process.terminationStatus == 0)
    }

    @Test func schemathesisFindsNoFailuresAgainstTheServedDocument() async throws {
        // The fuzzer accepts hundreds of inferences and scales workers up and down; what it tests
        // is the API, so the default model's name is served by an OpenAI-compatible backend that
        // answers at once, rather than by llama.cpp computing answers nobody reads (that took a
        // quarter of the whole suite's CPU time).
        let backend = try await ServerProcess.fakeOpenAI(mode: "say", text: "Blue.")
        defer { backend.stop() }
        let (process, log, base) = try await RakisProcess.startNode(
            dataDir, ["--offline", "--llm", "gemma-3-270m-q4_k_m@\(backend.baseURL.absoluteString)/v1=1"])
        let token = try RakisProcess.token(dataDir)
        let schemathesis = LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/schemathesis").path
        // Tests/Fixtures/schemathesis.toml says which checks and why. The event stream never
        // ends by design, so it is not fuzzed; its own test reads it.
        let result = try await runToEnd(schemathesis, [
            "--config-file", LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/schemathesis.toml").path,
            "run", base + "/openapi.json", "--header", "Authorization: Bearer \(token)", "--exclude-path", "/api/events",
            "--max-examples", "40", "--no-color",
        ], environment: ProcessInfo.processInfo.environment.merging(["SCHEMATHESIS_HOOKS": ""]) { $1 }, in: URL(fileURLWithPath: dataDir))
        #expect(result.status == 0, "\(result.stdout.suffix(6000))\n\(result.stderr.suffix(2000))")
        #expect(result.stdout.contains("passed"), "\(result.stdout.suffix(3000))")
        #expect(!result.stdout.contains(" failed"), "\(result.stdout.suffix(3000))")
        // The node is still healthy after the fuzzing and stops cleanly.
        #expect(try await HTTPExchange.send("GET", base + "/api/health").status == 200)
        try await RakisProcess.terminate(process)
        #expect(process.terminationStatus == 0, "\(log.text.suffix(3000))")
    }
}
