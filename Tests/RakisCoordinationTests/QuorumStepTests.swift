import Foundation
import RakisCoordination
import RakisCore
import Testing

/// The scheduler's decisions, as a pure function of a quorum's stored state and the time.
struct QuorumStepTests {
    let endingAt = Date(timeIntervalSince1970: 1_800_000_000)
    var deadlines: QuorumDeadlines { QuorumDeadlines(endingAt: endingAt, settings: Settings()) }

    func state(
        _ status: QuorumStatus, commits: Int = 3, reveals: Int = 0, everyone: Bool = false, queuedAt: Date? = nil, inQueue: Bool = false,
        knownRequest: Bool = true
    ) -> QuorumStep.State {
        QuorumStep.State(
            status: status, deadlines: knownRequest ? deadlines : nil, quorum: 3, commits: commits, acceptedReveals: reveals,
            everyMemberRevealed: everyone, consensusQueuedAt: queuedAt, consensusInQueue: inQueue)
    }

    @Test func deadlinesFollowTheSettings() {
        #expect(deadlines.revealRequestIssueBy == endingAt.addingTimeInterval(15))
        #expect(deadlines.revealBy == endingAt.addingTimeInterval(35))
        #expect(deadlines.consensusBy(queuedAt: endingAt) == endingAt.addingTimeInterval(40))
    }

    @Test func commitsAreAwaitedUntilEndingAtThenRevealsAreRequested() {
        #expect(QuorumStep.next(state(.awaitingCommitments), now: endingAt.addingTimeInterval(-1)) == .wait(until: endingAt))
        #expect(QuorumStep.next(state(.awaitingCommitments), now: endingAt) == .requestReveals)
        guard case .fail(let reason) = QuorumStep.next(state(.awaitingCommitments, commits: 2), now: endingAt) else {
            Issue.record("too few commits must fail")
            return
        }
        #expect(reason == "quorum not reached: 2 of 3 commits by endingAt")
    }

    @Test func aNodeThatWasDownPastTheIssueWindowFailsTheRequest() {
        guard case .fail(let reason) = QuorumStep.next(state(.awaitingCommitments), now: deadlines.revealRequestIssueBy) else {
            Issue.record("a passed issue window must fail")
            return
        }
        #expect(reason.contains("it was down"))
    }

    @Test func revealsFinishEarlyWhenEveryMemberRevealed() {
        let early = endingAt.addingTimeInterval(2)
        #expect(QuorumStep.next(state(.awaitingReveal, reveals: 2), now: early) == .wait(until: deadlines.revealBy))
        #expect(QuorumStep.next(state(.awaitingReveal, reveals: 3, everyone: true), now: early) == .queueConsensus)
        #expect(QuorumStep.next(state(.awaitingReveal, commits: 5, reveals: 3), now: deadlines.revealBy) == .queueConsensus)
        guard case .fail(let reason) = QuorumStep.next(state(.awaitingReveal, reveals: 2), now: deadlines.revealBy) else {
            Issue.record("too few reveals must fail")
            return
        }
        #expect(reason.hasPrefix("only 2 of 3 needed reveals"))
    }

    @Test func aQueuedConsensusIsRequeuedAfterARestartUntilItsWindowCloses() {
        let queuedAt = endingAt.addingTimeInterval(3)
        let expiry = queuedAt.addingTimeInterval(40)
        #expect(QuorumStep.next(state(.awaitingConsensus, queuedAt: queuedAt, inQueue: true), now: queuedAt) == .wait(until: expiry))
        #expect(QuorumStep.next(state(.awaitingConsensus, queuedAt: queuedAt), now: queuedAt) == .requeueConsensus(expiresAt: expiry))
        guard case .fail = QuorumStep.next(state(.verifyingConsensus, queuedAt: queuedAt), now: expiry) else {
            Issue.record("a closed consensus window must fail")
            return
        }
    }

    @Test func finalAndRequestlessQuorumsWait() {
        #expect(QuorumStep.next(state(.completed), now: endingAt) == .wait(until: nil))
        #expect(QuorumStep.next(state(.failed), now: endingAt) == .wait(until: nil))
        #expect(QuorumStep.next(state(.awaitingCommitments, knownRequest: false), now: endingAt) == .wait(until: nil))
    }
}
