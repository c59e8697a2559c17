public import Foundation
public import RakisCore

/// The commit–reveal deadlines of one request, all derived from its `endingAt` and the
/// settings, so that a restarted node computes the same ones from its store.
public struct QuorumDeadlines: Sendable, Hashable {
    /// Commits are filed until then; from then on reveals may be requested.
    public let endingAt: Date
    /// A reveal request is issued only before this (`endingAt + quorumRevealRequestIssueTimeoutMs`).
    public let revealRequestIssueBy: Date
    /// Reveals count until this (`endingAt + quorumRevealTimeoutMs`).
    public let revealBy: Date
    /// How long a queued consensus verification may take (`quorumConsensusWindowMs`).
    public let consensusWindow: TimeInterval

    public init(endingAt: Date, settings: Settings) {
        self.endingAt = endingAt
        revealRequestIssueBy = endingAt.addingTimeInterval(Double(settings.quorumRevealRequestIssueTimeoutMs) / 1000)
        revealBy = endingAt.addingTimeInterval(Double(settings.quorumRevealTimeoutMs) / 1000)
        consensusWindow = Double(settings.quorumConsensusWindowMs) / 1000
    }

    /// When a consensus verification queued at `queuedAt` expires.
    public func consensusBy(queuedAt: Date) -> Date { queuedAt.addingTimeInterval(consensusWindow) }
}
