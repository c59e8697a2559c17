import Foundation
import Synchronization

/// The test chain that `rakis devnet --chain` runs: `scripts/test-chain.py` of a rakis checkout
/// (a real EVM, eth-tester on py-evm, behind standard JSON-RPC), started with the checkout's
/// `.venv` Python on a free loopback port. It ends when `stop()` is called, and, as it watches
/// its standard input, also when this process ends in any other way (a signal, a crash).
final class TestChainProcess: Sendable {
    let url: String
    private let process: Process
    private let input: Pipe

    private init(url: String, process: Process, input: Pipe) {
        self.url = url
        self.process = process
        self.input = input
    }

    /// Finds the script in the checkout this binary was built in or run from:
    /// `RAKIS_SOURCE_DIR`, the working directory, or a folder above the executable.
    static func locate() throws -> (python: String, script: String) {
        var roots: [URL] = []
        if let source = ProcessInfo.processInfo.environment["RAKIS_SOURCE_DIR"] { roots.append(URL(fileURLWithPath: source)) }
        roots.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            roots.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        guard let root = roots.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("scripts/test-chain.py").path) }) else {
            throw CLIError("""
                --chain needs the test chain of a rakis checkout (scripts/test-chain.py): run rakis from the checkout, \
                or set RAKIS_SOURCE_DIR to it (make setup installs its Python packages)
                """)
        }
        let venv = root.appendingPathComponent(".venv/bin/python").path
        return (FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3", root.appendingPathComponent("scripts/test-chain.py").path)
    }

    /// Starts the chain and waits until it takes calls (at most `timeout`).
    static func start(chainId: UInt64, timeout: Duration = .seconds(60)) async throws -> TestChainProcess {
        let (python, script) = try locate()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "0", "--chain-id", "\(chainId)", "--exit-on-stdin-eof"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let announced = AnnouncedURL()
        do { try process.run() } catch { throw CLIError("cannot start the test chain with \(python): \(error)") }
        // Blocking reads on threads of their own: FileHandle's readabilityHandler can crash
        // libdispatch on Linux when such pipes close (swift-corelibs-foundation issue 3276).
        let errorHandle = errors.fileHandleForReading, outputHandle = output.fileHandleForReading
        Thread.detachNewThread { readAll(errorHandle) { announced.readError($0) } }
        Thread.detachNewThread {
            readAll(outputHandle) { announced.read($0) }
            process.waitUntilExit()
            announced.ended()
        }
        let url: String
        do { url = try await announced.wait(timeout: timeout) } catch {
            process.terminate()
            throw error
        }
        return TestChainProcess(url: url, process: process, input: input)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// Reads `handle` to its end, handing on each chunk.
private func readAll(_ handle: FileHandle, _ chunk: (Data) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(handle.fileDescriptor, &buffer, buffer.count)
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return }
        chunk(Data(buffer[0..<count]))
    }
}

/// The first `listening on URL` line of the chain's output, or why none came.
private final class AnnouncedURL: Sendable {
    private struct State {
        var output = ""
        var errors = ""
        var result: Result<String, CLIError>?
        var waiter: CheckedContinuation<String, any Error>?
    }

    private let state = Mutex(State())

    func read(_ data: Data) {
        state.withLock { state in
            state.output += String(decoding: data, as: UTF8.self)
            if let line = state.output.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                finish(&state, .success(String(line.dropFirst("listening on ".count))))
            }
        }
    }

    /// Keeps the last few kilobytes: enough for a Python traceback.
    func readError(_ data: Data) { state.withLock { $0.errors = String(($0.errors + String(decoding: data, as: UTF8.self)).suffix(8192)) } }

    func ended() {
        state.withLock { state in
            let reason = state.errors.split(separator: "\n").suffix(3).joined(separator: " | ")
            let hint = reason.contains("No module named") ? " (run make setup in the checkout to install its Python packages)" : ""
            finish(&state, .failure(CLIError("the test chain exited before it took calls: \(reason)\(hint)")))
        }
    }

    func wait(timeout: Duration) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    self.state.withLock { state in
                        if let result = state.result { continuation.resume(with: result) } else { state.waiter = continuation }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                // Resumes the waiter too, so that the group can end.
                let failure = CLIError("the test chain did not take calls within \(timeout)")
                self.state.withLock { self.finish(&$0, .failure(failure)) }
                throw failure
            }
            defer { group.cancelAll() }
            guard let url = try await group.next() else { throw CLIError("the test chain did not start") }
            return url
        }
    }

    private func finish(_ state: inout State, _ result: Result<String, CLIError>) {
        guard state.result == nil else { return }
        state.result = result
        state.waiter?.resume(with: result.mapError { $0 as any Error })
        state.waiter = nil
    }
}
