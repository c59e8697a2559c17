public import Foundation
import Synchronization

/// The long-running child processes tests start (nodes, servers). A test that fails half-way
/// (a `#require` that throws) skips its own clean-up; whatever it started and is still running
/// is then sent SIGTERM when the test process exits, so that no node or server outlives the run.
public enum LeftoverProcesses {
    private struct Started: @unchecked Sendable {
        var processes: [Process] = []
        var exitHandlerInstalled = false
    }

    private static let state = Mutex(Started())

    /// Remembers `process` (already running) until the test process exits.
    public static func register(_ process: Process) {
        let install = state.withLock { state -> Bool in
            state.processes.removeAll { !$0.isRunning }
            state.processes.append(process)
            defer { state.exitHandlerInstalled = true }
            return !state.exitHandlerInstalled
        }
        if install { atexit { LeftoverProcesses.terminateAll() } }
    }

    static func terminateAll() {
        for process in state.withLock({ $0.processes }) where process.isRunning { process.terminate() }
    }
}
