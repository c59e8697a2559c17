public import Foundation
import RakisCore

/// What one open quorum needs next, as a pure function of its stored state and the time. The
/// scheduler evaluates it for every open quorum whenever something changes or a deadline
/// comes, which is what lets a restarted node resume each request where it was.
public enum QuorumStep: Sendable, Hashable {
    /// Nothing to do before `until` (nil: only a new packet can move it on).
    case wait(until: Date?)
    /// Enough commits at `endingAt`: move to awaiting_reveal and send the reveal request.
    case requestReveals
    /// Reveals are in (all of them, or the window closed with enough): queue consensus verification.
    case queueConsensus
    /// A verification was queued before a restart and its window is still open: queue it again.
    case requeueConsensus(expiresAt: Date)
    case fail(reason: String)

    /// The snapshot of one quorum that the step depends on.
    public struct State: Sendable, Hashable {
        public var status: QuorumStatus
        public var deadlines: QuorumDeadlines?
        public var quorum: Int
        public var commits: Int
        public var acceptedReveals: Int
        public var everyMemberRevealed: Bool
        public var consensusQueuedAt: Date?
        /// Whether this process has the verification in its queue (false right after a restart).
        public var consensusInQueue: Bool
        /// Set when this node was not listening for part of the request's windows: what it
        /// missed (its signs may be none).
        public var missedPackets: MissedPackets?

        public init(
            status: QuorumStatus, deadlines: QuorumDeadlines?, quorum: Int, commits: Int, acceptedReveals: Int,
            everyMemberRevealed: Bool, consensusQueuedAt: Date?, consensusInQueue: Bool, missedPackets: MissedPackets? = nil
        ) {
            self.status = status
            self.deadlines = deadlines
            self.quorum = quorum
            self.commits = commits
            self.acceptedReveals = acceptedReveals
            self.everyMemberRevealed = everyMemberRevealed
            self.consensusQueuedAt = consensusQueuedAt
            self.consensusInQueue = consensusInQueue
            self.missedPackets = missedPackets
        }
    }

    public static func next(_ state: State, now: Date) -> QuorumStep {
        // Commits can arrive before their request; such a quorum waits for the request.
        guard let deadlines = state.deadlines else { return .wait(until: nil) }
        switch state.status {
        case .awaitingCommitments:
            if now < deadlines.endingAt { return .wait(until: deadlines.endingAt) }
            if now >= deadlines.revealRequestIssueBy {
                return .fail(reason: "the reveal-request window closed at \(ISO8601Timestamp.format(deadlines.revealRequestIssueBy)) before this node could request reveals (it was down or too busy)")
            }
            guard state.commits >= state.quorum else {
                return .fail(reason: "quorum not reached: \(state.commits) of \(state.quorum) commits by endingAt")
            }
            return .requestReveals
        case .awaitingReveal:
            // A node that was not listening for a while waits out the reveal window: a member
            // whose commit it missed may still reveal, and that is how it learns what it missed.
            let mayStopEarly = state.everyMemberRevealed && state.missedPackets == nil
            if mayStopEarly || now >= deadlines.revealBy {
                if let missed = state.missedPackets, !missed.signs.isEmpty { return .fail(reason: missed.reason) }
                if state.acceptedReveals >= state.quorum { return .queueConsensus }
                return .fail(reason: "only \(state.acceptedReveals) of \(state.quorum) needed reveals by \(ISO8601Timestamp.format(deadlines.revealBy))")
            }
            return .wait(until: deadlines.revealBy)
        case .awaitingConsensus, .verifyingConsensus:
            let queuedAt = state.consensusQueuedAt ?? deadlines.revealBy
            let expiresAt = deadlines.consensusBy(queuedAt: queuedAt)
            if now >= expiresAt {
                return .fail(reason: "the consensus window closed at \(ISO8601Timestamp.format(expiresAt)) before consensus was computed")
            }
            return state.consensusInQueue ? .wait(until: expiresAt) : .requeueConsensus(expiresAt: expiresAt)
        case .completed, .failed:
            return .wait(until: nil)
        }
    }
}
