import Foundation
import Testing
import RakisCore
import RakisTestSupport

/// Runs the built `rakis` binary as a user would.
struct RakisProcess {
    typealias Result = ChildProcessResult

    /// The `rakis` executable next to the test bundle (SwiftPM builds it for this test target).
    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["RAKIS_BINARY"] { return URL(fileURLWithPath: override) }
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ].compactMap { $0?.appendingPathComponent("rakis") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    static func environment(password: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["RAKIS_PASSWORD"] = password
        environment["RAKIS_DATA_DIR"] = nil
        for key in environment.keys where key.hasPrefix("RAKIS_") && key != "RAKIS_PASSWORD" { environment[key] = nil }
        return environment
    }

    /// Runs `rakis` to the end (on threads of its own, so that a long run never holds one of
    /// the few threads of Swift's cooperative pool that every other test shares).
    static func run(_ arguments: [String], password: String? = "correct horse battery", extra: [String: String] = [:]) async throws -> Result {
        try await runToEnd(binary.path, arguments, environment: environment(password: password).merging(extra) { $1 })
    }

    /// Starts `rakis ARGUMENTS` in the background with its standard error collected, and waits
    /// until the log contains `ready` or the process ends (three minutes at most: a guard against
    /// hangs, not a speed check; a minute was once too short for `devnet --chain` to start while
    /// the whole suite started at once on this machine's kind).
    static func start(
        _ arguments: [String], until ready: String, executable: URL = binary, directory: URL? = nil
    ) async throws -> (Process, LogCollector) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment(password: "correct horse battery")
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let log = LogCollector(err.fileHandleForReading)
        try process.runWithStopSignals()
        LeftoverProcesses.register(process)
        let deadline = ContinuousClock.now + .seconds(180)
        while !log.text.contains(ready), ContinuousClock.now < deadline, process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        return (process, log)
    }

    /// Starts `rakis run` on a data directory (created if needed) with its API on a free port,
    /// and waits until the server listens and, when `models` is set, the models are loaded.
    static func startNode(_ dataDir: String, _ extra: [String] = [], models: Bool = true) async throws -> (Process, LogCollector, base: String) {
        if !FileManager.default.fileExists(atPath: dataDir + "/identity.key") {
            let created = try await run(["init", "--data-dir", dataDir])
            guard created.status == 0 else { throw NodeStartFailed(log: created.stderr) }
        }
        let port = LLMFixtures.freePort()
        var arguments = ["run", "--data-dir", dataDir, "--http", "127.0.0.1:\(port)"] + extra
        if !models { arguments.append("--no-models") }
        let (process, log) = try await start(arguments, until: models ? "models ready" : "HTTP API and dashboard listening")
        guard process.isRunning, log.text.contains(models ? "models ready" : "listening") else { throw NodeStartFailed(log: log.text) }
        return (process, log, "http://127.0.0.1:\(port)")
    }

    struct NodeStartFailed: Error, CustomStringConvertible {
        let log: String
        var description: String { "rakis run did not come up:\n\(log)" }
    }

    static func token(_ dataDir: String) throws -> String {
        try #require(DataDirectory(dataDir).apiToken(), "rakis init wrote an API token")
    }

    /// SIGTERM, then waits (a minute at most) for the process to end; returns how long it took.
    @discardableResult
    static func terminate(_ process: Process) async throws -> Duration {
        let started = ContinuousClock.now
        process.terminate()
        while process.isRunning, ContinuousClock.now - started < .seconds(60) { try await Task.sleep(for: .milliseconds(50)) }
        return ContinuousClock.now - started
    }

    /// SIGINT, then waits (a minute at most) for the process to end.
    static func interrupt(_ process: Process) async throws {
        process.interrupt()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    static func temporaryDataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rakis-cli-\(UUID().uuidString)").path
    }
}

/// Collects what a child process writes to a pipe, on a thread of its own with blocking
/// reads. (FileHandle's readabilityHandler puts a dispatch source on the pipe, and libdispatch
/// on Linux can crash in _dispatch_event_loop_drain when such pipes close while several
/// processes run: swift-corelibs-foundation issue 3276.)
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
        let descriptor = handle.fileDescriptor
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(descriptor, &chunk, chunk.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }
                lock.withLock { bytes += chunk[0..<count] }
            }
        }
    }

    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
