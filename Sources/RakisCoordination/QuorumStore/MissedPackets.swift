import Foundation
import RakisCore

/// Signs that a node which was not listening for part of a request's windows (`ListeningGap`)
/// missed packets of the request. A window that closed in the gap: whatever came in its last
/// stretch arrived too late to count, however early it was sent, and whether anything came
/// cannot be known. Otherwise, what the stores show: a reveal whose commit was never filed, a
/// reveal after the reveal window, a commit without any reveal. Any sign means the node's view
/// of the quorum may differ from the view of the nodes that heard everything, and a consensus
/// on it could select under another `validInferenceJointHash`.
public struct MissedPackets: Sendable, Hashable {
    public let gap: ListeningGap
    /// One line per sign, naming the member it concerns.
    public let signs: [String]

    public init(gap: ListeningGap, signs: [String]) {
        self.gap = gap
        self.signs = signs
    }

    /// What the node missed, from the request's commits and every reveal filed for it.
    public init(gap: ListeningGap, deadlines: QuorumDeadlines, commits: [QuorumStore.Commit], reveals: [QuorumStore.Reveal]) {
        self.init(gap: gap, signs: Self.signs(gap: gap, deadlines: deadlines, commits: commits, reveals: reveals))
    }

    /// The gaps to look for missed packets in, for a quorum that waits for reveals: those that
    /// overlap its windows (from the request's creation to `revealBy`). None for any other quorum,
    /// whose stores need not be read.
    public static func gaps(_ gaps: [ListeningGap], concerning snapshot: QuorumSnapshot, deadlines: QuorumDeadlines) -> [ListeningGap] {
        guard snapshot.record?.status == .awaitingReveal, let request = snapshot.request else { return [] }
        return gaps.filter { $0.overlaps(from: request.payload.createdAt, to: deadlines.revealBy) }
    }

    /// What the node missed over `gaps` (each overlapping the request's windows): the first gap
    /// that shows a sign, else the first gap with none (the node heard everything that counts,
    /// and waits out the reveal window); nil without gaps.
    public init?(gaps: [ListeningGap], deadlines: QuorumDeadlines, commits: [QuorumStore.Commit], reveals: [QuorumStore.Reveal]) {
        let found = gaps.map { MissedPackets(gap: $0, deadlines: deadlines, commits: commits, reveals: reveals) }
        guard let chosen = found.first(where: { !$0.signs.isEmpty }) ?? found.first else { return nil }
        self = chosen
    }

    /// The signs of packets missed, from the request's commits and every reveal filed for it
    /// (refused ones included).
    public static func signs(
        gap: ListeningGap, deadlines: QuorumDeadlines, commits: [QuorumStore.Commit], reveals: [QuorumStore.Reveal]
    ) -> [String] {
        func short(_ synthientId: String) -> String { String(synthientId.prefix(12)) + "…" }
        var signs: [String] = []
        if gap.covers(deadlines.endingAt) { signs.append("the commit window closed meanwhile") }
        if gap.covers(deadlines.revealBy) { signs.append("the reveal window closed meanwhile") }
        let revealBy = deadlines.revealBy
        for reveal in reveals {
            if reveal.rejectReason == RevealRejectionReason.noCommit.description {
                signs.append("a reveal from \(short(reveal.synthientId)) without its commit")
            } else if reveal.receivedAt > revealBy {
                signs.append("a reveal from \(short(reveal.synthientId)) after the reveal window")
            }
        }
        let revealed = Set(reveals.map(\.synthientId))
        for commit in commits where !revealed.contains(commit.synthientId) {
            signs.append("a commit from \(short(commit.synthientId)) without a reveal")
        }
        return signs
    }

    /// Why the node leaves the request to the others, for its failure reason (the kind first,
    /// then the times and signs).
    public var reason: String {
        let from = gap.from.map { "from \(ISO8601Timestamp.format($0))" } ?? "before its first start"
        return "missed packets while not listening: this node heard nothing \(from) to \(ISO8601Timestamp.format(gap.until)), "
            + "within this request's windows (\(signs.joined(separator: "; "))); its view could differ from the nodes' that heard it all, "
            + "so it leaves the result to them"
    }
}
