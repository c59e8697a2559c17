import Foundation
public import RakisCoordination
import RakisCore

extension RakisNode {
    /// The latest stretch in which this node heard nothing (before its start, or with no
    /// transport reaching anyone); nil before the start.
    public nonisolated var lastListeningGap: ListeningGap? { quorums.listening.gaps.last }

    /// Records a listening gap for every stretch in which no transport reached anyone, from the
    /// transports' own changes, until they shut down. A node without transports hears only
    /// itself by design and records none.
    nonisolated func followTransports() async {
        // Subscribed before the first status is read, so that no change is missed.
        let changes = p2p.transportChanges()
        await observeTransports()
        for await _ in changes { await observeTransports() }
    }

    private nonisolated func observeTransports() async {
        let statuses = await p2p.transportStatus()
        let reachesAnyone = statuses.isEmpty || statuses.contains(where: \.connected)
        switch quorums.listening.observe(reachesAnyone: reachesAnyone, at: clock.now()) {
        case .wentDeaf(let since)?:
            logger.warning("no transport reaches anyone: until one does, this node hears nothing, and it leaves requests it may miss packets of to the others", metadata: [
                "since": "\(since.map(ISO8601Timestamp.format) ?? "its first start")",
                "transports": "\(statuses.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))",
            ])
        case .heardAgain(let gap)?:
            logger.notice("a transport reaches others again: requests whose windows fell in part in the stretch with none are decided here only if no packet was missed", metadata: [
                "from": "\(gap.from.map(ISO8601Timestamp.format) ?? "its first start")", "until": "\(ISO8601Timestamp.format(gap.until))",
            ])
            // A quorum waiting now may have missed packets: its next step looks again.
            scheduler.evaluateSoon()
        case nil:
            break
        }
    }
}
