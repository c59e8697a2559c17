import Foundation
import RakisTestSupport
import Testing

/// `make install`'s script puts `rakis` where a person runs it from: the binary, the dashboard
/// beside it and the llama.cpp libraries under the prefix, found from any working directory with
/// the default models from the per-user data directory.
@Suite(.serialized) struct InstallTests {
    @Test func anInstalledRakisRunsFromTheRootDirectoryWithTheDefaultModels() async throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-prefix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        // The debug build the tests run (a release build takes long); `make install` builds release.
        let installed = try await runToEnd(
            "/bin/bash", [LLMFixtures.packageRoot.appendingPathComponent("scripts/install.sh").path],
            environment: ProcessInfo.processInfo.environment.merging(
                ["PREFIX": prefix.path, "BIN_PATH": RakisProcess.binary.deletingLastPathComponent().path]) { $1 })
        #expect(installed.status == 0, "\(installed.stderr)")
        let binary = prefix.appendingPathComponent("bin/rakis")
        #expect(FileManager.default.isExecutableFile(atPath: binary.path))
        // It looks for llama.cpp beside itself, never in the checkout.
        let runpath = try await runToEnd("/usr/bin/patchelf", ["--print-rpath", binary.path]).stdout
        #expect(runpath.hasPrefix("$ORIGIN/../lib/rakis") && !runpath.contains(".llama"), "\(runpath)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: prefix.appendingPathComponent("lib/rakis").path).contains { $0.hasPrefix("libllama.so") })

        let dataDir = RakisProcess.temporaryDataDirectory()
        let root = URL(fileURLWithPath: "/")
        // The simulation's answers come with it.
        let simulated = try await runToEnd(binary.path, ["simulate", "--nodes", "4", "--requests", "1"], in: root)
        #expect(simulated.status == 0 && simulated.stdout.contains("1 of 1 requests agreed"), "\(simulated.stdout)\(simulated.stderr)")
        let created = try await runToEnd(binary.path, ["init", "--data-dir", dataDir], environment: RakisProcess.environment(password: "correct horse battery"), in: root)
        #expect(created.status == 0, "\(created.stderr)")
        let port = LLMFixtures.freePort()
        let (node, log) = try await RakisProcess.start(
            ["run", "--data-dir", dataDir, "--offline", "--http", "127.0.0.1:\(port)"], until: "models ready", executable: binary, directory: root)
        defer { node.terminate() }
        #expect(node.isRunning && log.text.contains("models ready"), "\(log.text)")
        let base = "http://127.0.0.1:\(port)"
        let page = try await HTTPExchange.send("GET", base + "/")
        #expect(page.status == 200 && page.text.contains("<title>rakis node</title>"))
        let body = HTTPExchange.json(["prompt": "Name a colour.", "maxTokens": 8, "securityFrame": ["quorum": 1, "maxTimeMs": 4000]])
        let sent = try await HTTPExchange.send("POST", base + "/api/inferences", body: body, token: try RakisProcess.token(dataDir))
        #expect(sent.status == 202, "\(sent.text)")
        let location = try #require(sent.headers["location"])
        var status = ""
        let deadline = ContinuousClock.now + .seconds(120)
        while !["completed", "failed"].contains(status), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            status = try await HTTPExchange.send("GET", base + location).json?["status"] as? String ?? ""
        }
        #expect(status == "completed", "\(log.text)")
        try await RakisProcess.interrupt(node)
        #expect(node.terminationStatus == 0, "\(log.text)")
    }
}
