public import Foundation
public import RakisInference
import RakisCore
import RakisP2P
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The real models and programs that LLM tests run, as set-up installs them.
public enum LLMFixtures {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The default Gemma GGUF file; tests fail with this reason when set-up has not run.
    public static var gemmaPath: String {
        get throws {
            guard let path = ModelLocator.defaultLLMPath(root: packageRoot) else { throw FixtureMissing("the default LLM is not installed; run `make setup`") }
            return path
        }
    }

    public static var llamaServerPath: String { packageRoot.appendingPathComponent(".llama/bin/llama-server").path }

    /// The default model with small contexts and one thread, as `rakis run` starts it. With more,
    /// llama.cpp's OpenMP threads spin at every barrier, and on a 2-core machine running the
    /// whole suite that spinning took a tenth of all CPU time.
    public static func gemma(contextLength: Int = 512, threads: Int = 1) throws -> LLMModelConfiguration {
        LLMModelConfiguration(name: ModelLocator.defaultLLMName, source: .gguf(path: try gemmaPath), contextLength: contextLength, threads: threads)
    }

    /// A TCP port on loopback that nothing listens on right now.
    public static func freePort() -> Int {
        // Only fails when no socket can be opened at all, and then no test here can run.
        try! LoopbackPort.free()
    }
}

public struct FixtureMissing: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A server process started by a test on loopback, stopped by `stop()` (or when it is freed).
public final class ServerProcess: @unchecked Sendable {
    public let port: Int
    public let process: Process
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts `executable` with `arguments`, then waits until GET `readyPath` answers 200 (with
    /// the process's pid as the body when `readyAnswersPid`: then another server that took the
    /// same port in the meantime is not mistaken for this one).
    public init(executable: String, arguments: [String], port: Int, readyPath: String = "/health", readyAnswersPid: Bool = false) async throws {
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runWithStopSignals()
        LeftoverProcesses.register(process)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw FixtureMissing("\(executable) exited with status \(process.terminationStatus)") }
            let expected = readyAnswersPid ? "\(process.processIdentifier)" : nil
            if await Self.ready(URL(string: "http://127.0.0.1:\(port)\(readyPath)")!, answering: expected) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw FixtureMissing("\(executable) did not become ready on port \(port)")
    }

    /// llama-server from the project's llama.cpp build, serving the default Gemma model.
    public static func llamaServer(threads: Int = 1) async throws -> ServerProcess {
        let port = LLMFixtures.freePort()
        return try await ServerProcess(
            executable: LLMFixtures.llamaServerPath,
            arguments: ["-m", try LLMFixtures.gemmaPath, "--host", "127.0.0.1", "--port", "\(port)", "-t", "\(threads)",
                        "-c", "1024", "-np", "1", "--no-webui"],
            port: port)
    }

    /// The scripted misbehaving server of Tests/Fixtures/fake-openai-server.py in `mode` (`say`
    /// answers `text` to everything).
    public static func fakeOpenAI(mode: String, text: String? = nil) async throws -> ServerProcess {
        let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/fake-openai-server.py").path
        return try await fixtureScript(executable: "/usr/bin/env") { ["python3", script, mode, "\($0)"] + (text.map { [$0] } ?? []) }
    }

    /// One of this project's fixture scripts, whose GET /ready answers its pid. Another process
    /// can take a free port before the script binds it, and the script then exits: it is started
    /// again on another port.
    public static func fixtureScript(executable: String, readyPath: String = "/ready", arguments: (Int) -> [String]) async throws -> ServerProcess {
        var attempt = 1
        while true {
            let port = LLMFixtures.freePort()
            do {
                return try await ServerProcess(executable: executable, arguments: arguments(port), port: port, readyPath: readyPath, readyAnswersPid: true)
            } catch let error as FixtureMissing where attempt < 3 && error.description.contains("exited") {
                attempt += 1
            }
        }
    }

    private static func ready(_ url: URL, answering expected: String?) async -> Bool {
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (body, response) = try? await URLSession.shared.data(for: request) else { return false }
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { return false }
        return expected.map { String(decoding: body, as: UTF8.self) == $0 } ?? true
    }

    /// SIGTERM, then SIGKILL if it lingers. (Foundation's waitUntilExit spins a core on Linux.)
    public func stop() {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        Glibc.kill(pid, SIGTERM)
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { Glibc.kill(pid, SIGKILL) }
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
    }

    /// SIGKILL to the process and every process under it (gunicorn's workers, say), as when a
    /// machine dies: nothing gets to close its connections. How tests stop a relay: on SIGTERM,
    /// gunicorn under nostr-relay drains connections for up to 30 s.
    public func kill() {
        ProcessTree.kill(process.processIdentifier)
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
    }

    deinit { stop() }
}
