import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension NetworkSimulation {
    /// Runs a simulation on a thread of its own (it blocks on its nodes' SQLite transactions for
    /// its whole run, which must not hold a thread of the cooperative pool) and returns its report.
    /// `progress` hears the simulated time and the events handled, every 100,000 events, on that thread.
    public static func run(
        _ configuration: SimulationConfiguration, answers: Answers, progress: (@Sendable (_ simulatedMs: Int64, _ events: Int) -> Void)? = nil
    ) async throws(SimulationError) -> SimulationReport {
        let outcome: Result<SimulationReport, SimulationError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                lowerThisThreadsPriority()
                continuation.resume(returning: Result { () throws(SimulationError) -> SimulationReport in
                    var simulation = try NetworkSimulation(configuration, answers: answers)
                    return try simulation.run(progress: progress)
                })
            }
            thread.name = "rakis.simulation"
            thread.start()
        }
        return try outcome.get()
    }
}

/// A simulation is a batch job that keeps its core busy for minutes: it runs at the lowest
/// priority (nice 19), so that the machine's other work (a node, the tests' other suites, whose
/// waits time out under load) goes first.
private func lowerThisThreadsPriority() {
    #if canImport(Glibc)
    // On Linux the nice value belongs to the thread, and 0 names the calling one.
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
    #endif
}
