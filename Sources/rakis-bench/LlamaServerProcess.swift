import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// llama.cpp's llama-server for a benchmark, tied to this process: it runs under a shell that
/// waits on a pipe from us and kills the server when the pipe closes, which happens when
/// `stop()` is called and also when this process ends any other way (a signal, a crash).
struct LlamaServerProcess {
    let base: URL
    private let shell: Process
    private let lifeline: Pipe
    /// URLSession's default allows six connections to one host: more requests at once would
    /// queue in the client, not in the server.
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.default
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    /// Starts the server in the background and waits for the pipe to close; then asks it to stop,
    /// and kills it if it is still there after two seconds (llama-server can hang in its SIGTERM
    /// handler, which is how one outlived an earlier version of this benchmark by 22 minutes).
    private static let lifeline = #"""
        "$@" & child=$!
        read _ignored
        kill "$child" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            kill -0 "$child" 2>/dev/null || exit 0
            sleep 0.1
        done
        kill -9 "$child" 2>/dev/null
        wait "$child"
        """#

    static func start(server: String, model: String, threads: Int, parallel: Int, contextPerSequence: Int) async throws -> LlamaServerProcess {
        let port = Int.random(in: 20_000...60_000)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", Self.lifeline, "llama-server-lifeline", server,
            "-m", model, "--host", "127.0.0.1", "--port", "\(port)", "-t", "\(threads)", "-tb", "\(threads)",
            "-c", "\(contextPerSequence * parallel)", "-np", "\(parallel)", "--threads-http", "\(parallel + 2)", "--no-webui",
        ]
        let lifeline = Pipe()
        shell.standardInput = lifeline
        shell.standardOutput = FileHandle.nullDevice
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        let started = LlamaServerProcess(base: URL(string: "http://127.0.0.1:\(port)")!, shell: shell, lifeline: lifeline)
        do { try await started.waitForHealth() } catch {
            started.stop()
            throw error
        }
        return started
    }

    /// Ends the server and waits until it is gone.
    func stop() {
        try? lifeline.fileHandleForWriting.close()
        shell.waitUntilExit()
    }

    private func waitForHealth() async throws {
        for _ in 0..<600 {
            guard shell.isRunning else { throw ValidationError("llama-server exited at start") }
            var request = URLRequest(url: base.appendingPathComponent("health"))
            request.timeoutInterval = 2
            if let (_, response) = try? await Self.session.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("llama-server did not start")
    }

    /// One greedy completion from the native endpoint: its text, tokens generated, and its own
    /// timing of the generation phase (prompt processing excluded).
    func completion(prompt: String, tokens: Int) async throws -> (text: String, predicted: Int, perSecond: Double) {
        var request = URLRequest(url: base.appendingPathComponent("completion"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.timeoutInterval = 600
        let body: [String: Any] = ["prompt": prompt, "n_predict": tokens, "temperature": 0, "cache_prompt": false, "stream": false, "stop": ["\nQuestion:"]]
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, _) = try await Self.session.data(for: request)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let content = json["content"] as? String,
              let timings = json["timings"] as? [String: Any],
              let predicted = timings["predicted_n"] as? Int,
              let perSecond = timings["predicted_per_second"] as? Double
        else { throw ValidationError("unexpected llama-server answer: \(String(decoding: data.prefix(300), as: UTF8.self))") }
        return (content, predicted, perSecond)
    }
}
