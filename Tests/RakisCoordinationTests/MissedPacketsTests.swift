import Foundation
@testable import RakisCoordination
import RakisCore
import RakisTestSupport
import Testing

/// What a node that was not listening for a while makes of a request whose windows it overlapped:
/// the signs of packets it missed, read from a real quorum store, and the scheduler's step.
@Suite final class MissedPacketsTests {
    let directory: URL
    let request = SamplePackets.request
    var endingAt: Date { request.payload.endingAt }
    var deadlines: QuorumDeadlines { QuorumDeadlines(endingAt: endingAt, settings: Settings()) }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-missed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func commit(_ node: String) -> InferenceCommit {
        InferenceCommit(requestId: request.requestId, inferenceId: "inf-\(node)", bEmbeddingHash: BinaryEmbedding.hash([1, 2], synthientId: node), createdAt: endingAt)
    }

    private func reveal(_ node: String) -> InferenceReveal {
        InferenceReveal(requestedSynthientId: node, requestId: request.requestId, inferenceId: "inf-\(node)",
                        output: "output of \(node)", embedding: [0.5, -0.5], bEmbedding: [1, 2], createdAt: endingAt)
    }

    /// A gap inside the commit window, from 10 s to 5 s before it closed.
    var gapInsideCommits: ListeningGap { ListeningGap(from: endingAt.addingTimeInterval(-10), until: endingAt.addingTimeInterval(-5)) }

    @Test func aGapOverlapsTheWindowsItFallsInAndCoversTheDeadlinesThatPassedInIt() {
        let gap = gapInsideCommits
        #expect(gap.overlaps(from: endingAt.addingTimeInterval(-20), to: deadlines.revealBy))
        #expect(!gap.overlaps(from: endingAt.addingTimeInterval(-4), to: deadlines.revealBy), "the window began after the gap")
        #expect(!gap.covers(endingAt))
        #expect(ListeningGap(from: endingAt.addingTimeInterval(-1), until: endingAt.addingTimeInterval(1)).covers(endingAt))
        #expect(ListeningGap(from: nil, until: endingAt).overlaps(from: .distantPast, to: endingAt), "a first start heard nothing before")
        // A request signed in the millisecond the node came up (packets carry milliseconds) came after.
        #expect(!ListeningGap(from: nil, until: endingAt.addingTimeInterval(0.0004)).overlaps(from: endingAt, to: deadlines.revealBy))
    }

    @Test func revealsWithoutCommitsLateRevealsAndSilentCommitsAreSigns() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        let before = endingAt.addingTimeInterval(-1)
        for node in ["a", "b", "silent"] { try await store.addCommit(commit(node), from: node, receivedAt: before) }
        let inTime = endingAt.addingTimeInterval(2)
        _ = try await store.addReveal(reveal("a"), from: "a", receivedAt: inTime, revealDeadline: deadlines.revealBy)
        let late = deadlines.revealBy.addingTimeInterval(1)
        _ = try await store.addReveal(reveal("b"), from: "b", receivedAt: late, revealDeadline: deadlines.revealBy)
        _ = try await store.addReveal(reveal("uncommitted"), from: "uncommitted", receivedAt: inTime, revealDeadline: deadlines.revealBy)
        let signs = MissedPackets.signs(
            gap: gapInsideCommits, deadlines: deadlines, commits: try await store.commits(requestId: request.requestId),
            reveals: try await store.reveals(requestId: request.requestId))
        #expect(signs.sorted() == [
            "a commit from silent… without a reveal", "a reveal from b… after the reveal window", "a reveal from uncommitted… without its commit",
        ])
    }

    @Test func aWholeViewHasNoSignsUnlessAWindowClosedInTheGap() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        for node in ["a", "b"] {
            try await store.addCommit(commit(node), from: node, receivedAt: endingAt.addingTimeInterval(-1))
            _ = try await store.addReveal(reveal(node), from: node, receivedAt: endingAt.addingTimeInterval(2), revealDeadline: deadlines.revealBy)
        }
        let commits = try await store.commits(requestId: request.requestId)
        let reveals = try await store.reveals(requestId: request.requestId)
        #expect(MissedPackets.signs(gap: gapInsideCommits, deadlines: deadlines, commits: commits, reveals: reveals).isEmpty)
        let acrossEndingAt = ListeningGap(from: endingAt.addingTimeInterval(-3), until: endingAt.addingTimeInterval(1))
        #expect(MissedPackets.signs(gap: acrossEndingAt, deadlines: deadlines, commits: commits, reveals: reveals) == ["the commit window closed meanwhile"])
    }

    /// A node that heard nothing twice (a stop, then an outage) looks at the gaps that overlap
    /// the request's windows, and takes the one that shows a sign.
    @Test func ofSeveralGapsTheOneOverlappingTheWindowsWithASignDecides() async throws {
        let store = QuorumStore(database: try CoordinationDatabase(directory: directory))
        for node in ["a", "b"] {
            try await store.addCommit(commit(node), from: node, receivedAt: endingAt.addingTimeInterval(-1))
            _ = try await store.addReveal(reveal(node), from: node, receivedAt: endingAt.addingTimeInterval(2), revealDeadline: deadlines.revealBy)
        }
        let (commits, reveals) = (try await store.commits(requestId: request.requestId), try await store.reveals(requestId: request.requestId))
        let longBefore = ListeningGap(from: nil, until: request.payload.createdAt.addingTimeInterval(-60))
        let acrossEndingAt = ListeningGap(from: endingAt.addingTimeInterval(-3), until: endingAt.addingTimeInterval(1))
        let record = QuorumStore.Record(
            requestId: request.requestId, status: .awaitingReveal, statusReason: nil, updatedAt: endingAt,
            revealRequestSentAt: nil, revealSentAt: nil, consensusQueuedAt: nil)
        let snapshot = QuorumSnapshot(
            request: InferenceStore.StoredRequest(requestId: request.requestId, fromSynthientId: "a", payload: request.payload),
            record: record, commitCount: 2, acceptedRevealCount: 2, everyMemberRevealed: true)
        let overlapping = MissedPackets.gaps([longBefore, gapInsideCommits, acrossEndingAt], concerning: snapshot, deadlines: deadlines)
        #expect(overlapping == [gapInsideCommits, acrossEndingAt], "the gap that ended before the request concerns it not")
        let missed = try #require(MissedPackets(gaps: overlapping, deadlines: deadlines, commits: commits, reveals: reveals))
        #expect(missed.gap == acrossEndingAt && missed.signs == ["the commit window closed meanwhile"])
        let clean = try #require(MissedPackets(gaps: [gapInsideCommits], deadlines: deadlines, commits: commits, reveals: reveals))
        #expect(clean.signs.isEmpty, "a gap with no sign still makes the node wait out the reveal window")
        #expect(MissedPackets(gaps: [], deadlines: deadlines, commits: commits, reveals: reveals) == nil)
    }

    func state(reveals: Int, everyone: Bool, missed: MissedPackets?) -> QuorumStep.State {
        QuorumStep.State(
            status: .awaitingReveal, deadlines: deadlines, quorum: 2, commits: 2, acceptedReveals: reveals, everyMemberRevealed: everyone,
            consensusQueuedAt: nil, consensusInQueue: false, missedPackets: missed)
    }

    @Test func aNodeThatWasNotListeningWaitsOutTheRevealWindowAndFailsOnASign() {
        let early = endingAt.addingTimeInterval(2)
        let nothingMissed = MissedPackets(gap: gapInsideCommits, signs: [])
        #expect(QuorumStep.next(state(reveals: 2, everyone: true, missed: nil), now: early) == .queueConsensus)
        #expect(QuorumStep.next(state(reveals: 2, everyone: true, missed: nothingMissed), now: early) == .wait(until: deadlines.revealBy))
        #expect(QuorumStep.next(state(reveals: 2, everyone: true, missed: nothingMissed), now: deadlines.revealBy) == .queueConsensus)
        let missed = MissedPackets(gap: gapInsideCommits, signs: ["a reveal from x… without its commit"])
        guard case .fail(let reason) = QuorumStep.next(state(reveals: 2, everyone: true, missed: missed), now: deadlines.revealBy) else {
            Issue.record("a sign of missed packets must fail the request")
            return
        }
        #expect(reason.hasPrefix("missed packets while not listening: this node heard nothing from \(ISO8601Timestamp.format(gapInsideCommits.from!))"))
        #expect(reason.contains("a reveal from x… without its commit"))
    }
}
