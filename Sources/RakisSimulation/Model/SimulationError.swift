/// Why a simulation could not run, with what to do about it.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    case answersUnreadable(reason: String)
    case storeFailed(node: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let problem): "invalid simulation: \(problem)"
        case .answersUnreadable(let reason): "cannot read the simulation's answers: \(reason)"
        case .storeFailed(let node, let reason): "simulated node \(node)'s store failed: \(reason)"
        }
    }
}
