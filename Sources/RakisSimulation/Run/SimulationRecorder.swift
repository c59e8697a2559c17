import RakisCore

/// Collects what the invariants and the report need while a run goes on.
struct SimulationRecorder {
    struct Finish {
        let node: Int
        let outcome: NodeOutcome
        let at: Int64
    }

    var finishes: [String: [Finish]] = [:]
    var prompts: [String: Int] = [:]
    var endings: [String: Int64] = [:]
    var honestRejections = 0
    var firstHonestRejection: String?
    var honestRejectionReasons: [String: Int] = [:]
    var equivocations: Set<String> = []
    var caught: Set<String> = []
    var refusedOutsideCommittee = 0

    mutating func record(_ effect: NodeEffect, by node: SimulatedNode, honest: Set<String>, at now: Int64) {
        switch effect {
        case .rejected(let synthientId, let requestId, let reason) where node.strategy == .honest && honest.contains(synthientId):
            honestRejections += 1
            if firstHonestRejection == nil { firstHonestRejection = "\(synthientId.prefix(12))… on \(requestId) by node \(node.index): \(reason)" }
            honestRejectionReasons[NetworkSimulation.kind(of: reason), default: 0] += 1
        case .caughtEquivocator(let synthientId, let requestId) where node.strategy == .honest:
            caught.insert(requestId + "/" + synthientId)
        case .finished(let requestId, let outcome) where node.strategy == .honest:
            finishes[requestId, default: []].append(Finish(node: node.index, outcome: outcome, at: now))
        case .refusedOutsideCommittee where node.strategy == .honest:
            refusedOutsideCommittee += 1
        case .sendLater(.inferenceCommit(let commit), _, .some) where node.strategy == .equivocator:
            equivocations.insert(commit.requestId + "/" + node.synthientId)
        default:
            break
        }
    }
}
