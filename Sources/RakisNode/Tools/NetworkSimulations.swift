public import RakisSimulation

/// Runs simulations of a network of nodes on simulated time (see `NetworkSimulation`).
public enum NetworkSimulations {
    /// Runs `configuration` with the evaluation set bundled with rakis; `progress` hears the
    /// simulated time and the events handled, every 100,000 events.
    public static func run(
        _ configuration: SimulationConfiguration, progress: (@Sendable (_ simulatedMs: Int64, _ events: Int) -> Void)? = nil
    ) async throws(SimulationError) -> SimulationReport {
        try await NetworkSimulation.run(configuration, answers: try Answers.bundled(), progress: progress)
    }
}
