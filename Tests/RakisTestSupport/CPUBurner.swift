import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps every core busy with spinning child processes, for tests that must hold up on a loaded
/// machine. `stop()` (or freeing it) kills them.
public final class CPUBurner: @unchecked Sendable {
    private let processes: [Process]

    /// One spinning process per core unless `count` says otherwise.
    public init(processes count: Int? = nil) throws {
        processes = try (0..<(count ?? ProcessInfo.processInfo.activeProcessorCount)).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "while :; do :; done"]
            try process.run()
            return process
        }
    }

    public func stop() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes { for _ in 0..<50 where process.isRunning { usleep(20_000) } }
    }

    deinit { stop() }
}
