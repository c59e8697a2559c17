import Foundation

/// Runs the built `rakis` binary as a user would.
struct RakisProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

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

    /// Runs `rakis` to the end on a thread of its own, so that a long run never holds one of
    /// the few threads of Swift's cooperative pool that every other test shares.
    static func run(_ arguments: [String], password: String? = "correct horse battery") async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try runBlocking(arguments, password: password) }) }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], password: String?) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment(password: password)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rakis-cli-\(UUID().uuidString)").path
    }
}
