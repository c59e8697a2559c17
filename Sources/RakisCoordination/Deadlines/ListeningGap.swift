public import Foundation

/// A stretch in which this node heard nothing: from the newest packet it had stored when it
/// stopped (from always, on its first start) until its transports were up again. Packets sent
/// then may never be filed here: a relay replays only its last seconds, and a commit or reveal
/// that arrives after its window is refused however early it was sent. A request whose windows
/// the gap overlaps may have been seen in part (`MissedPackets`).
public struct ListeningGap: Sendable, Hashable {
    /// nil: the node never listened before this run.
    public let from: Date?
    public let until: Date

    /// `until` is kept to the millisecond, as packets carry their times: a request created in
    /// the millisecond the node came up, and signed with that time, came after the gap.
    public init(from: Date?, until: Date) {
        self.from = from
        self.until = Date(timeIntervalSince1970: (until.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Whether `moment` passed while the node was not listening.
    public func covers(_ moment: Date) -> Bool {
        (from ?? .distantPast) < moment && moment <= until
    }

    /// Whether the gap falls in part inside `[start, end]`.
    public func overlaps(from start: Date, to end: Date) -> Bool {
        (from ?? .distantPast) < end && until > start
    }
}
