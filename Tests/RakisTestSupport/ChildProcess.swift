public import Foundation

/// What a child process printed and how it ended.
public struct ChildProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to its end on threads of their own (waiting on a process must not hold one
/// of the cooperative pool's few threads), reading its standard output and standard error at
/// the same time so that neither pipe can fill up and stall it.
public func runToEnd(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, in directory: URL? = nil
) async throws -> ChildProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let environment { process.environment = environment }
            if let directory { process.currentDirectoryURL = directory }
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            do { try process.runWithStopSignals() } catch {
                continuation.resume(throwing: error)
                return
            }
            let errors = ErrorBytes()
            let reader = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
            reader.start()
            let output = out.fileHandleForReading.readDataToEndOfFile()
            while process.isRunning || !errors.isSet { usleep(10_000) }
            continuation.resume(returning: ChildProcessResult(
                status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                stderr: String(decoding: errors.data, as: UTF8.self)))
        }
    }
}

private final class ErrorBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?
    func set(_ data: Data) { lock.withLock { value = data } }
    var isSet: Bool { lock.withLock { value != nil } }
    var data: Data { lock.withLock { value ?? Data() } }
}
