public import Foundation

/// The one clock a node's protocol reads: packet timestamps, request windows, reveal and
/// consensus deadlines, queue expiry and the shutdown grace. Production nodes run on
/// `SystemClock`; tests run request windows in virtual time on a clock they advance.
public protocol NodeClock: Sendable {
    /// Now, as the protocol sees it.
    func now() -> Date
    /// Returns at `deadline` on this clock (at once when it has passed); throws
    /// `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

extension NodeClock {
    /// Returns after `duration` on this clock.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now().addingTimeInterval(duration.seconds))
    }
}

/// The machine's wall clock.
public struct SystemClock: NodeClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up))))
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
