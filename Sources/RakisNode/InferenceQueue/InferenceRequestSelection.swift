import Foundation

/// How a node with a free worker picks among the active requests it can serve
/// (setting `inferenceRequestSelection`).
public enum InferenceRequestSelection: String, Sendable, CaseIterable {
    /// The reference's rule: at random among the requests whose `endingAt` lies within
    /// `requestSimilarityTimeWindowMs` of the latest-ending one. Favouring late requests
    /// leaves time to embed and commit; the randomness spreads nodes over requests.
    case reference
    /// The request that ends soonest first: most urgent first, no randomness.
    case earliestEnding

    /// Picks one of `candidates` (requests this node could run now), or nil when there are none.
    public func pick(
        from candidates: [InferenceRequestItem], similarityWindowMs: Int, using random: inout some RandomNumberGenerator
    ) -> InferenceRequestItem? {
        switch self {
        case .reference:
            guard let latest = candidates.map(\.endingAt).max() else { return nil }
            let window = Double(max(0, similarityWindowMs)) / 1000
            // Sorted first so that a seeded generator always gives the same pick.
            let similar = candidates
                .filter { latest.timeIntervalSince($0.endingAt) <= window }
                .sorted { ($0.endingAt, $0.requestId) < ($1.endingAt, $1.requestId) }
            return similar.randomElement(using: &random)
        case .earliestEnding:
            return candidates.min { ($0.endingAt, $0.requestId) < ($1.endingAt, $1.requestId) }
        }
    }

    /// The accepted model to run `request` on: the first one, in the request's order, that has
    /// a free worker here (the reference always used the first accepted model).
    public static func model(for request: InferenceRequestItem, freeWorkers: [String: Int]) -> String? {
        request.acceptedModels.first { (freeWorkers[$0] ?? 0) > 0 }
    }
}
