/// A rate limit: `rate` units a second on average, bursts up to `burst`. A mesh connection's
/// reader charges one unit per packet (or other frame) its peer sends; its writer's forwarding
/// budget charges one per packet passed on, so that a node never sends a peer more than the
/// peer's own limit allows.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    public init(rate: Double, burst: Double, now: ContinuousClock.Instant = .now) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = now
    }

    /// Takes `count` tokens at once; false (taking none) when fewer are left: the sender is over its rate.
    public mutating func take(_ count: Int = 1, now: ContinuousClock.Instant = .now) -> Bool {
        refill(now: now)
        guard tokens >= Double(count) else { return false }
        tokens -= Double(count)
        return true
    }

    /// Takes as many of `count` tokens as are left and returns how many it took.
    public mutating func take(upTo count: Int, now: ContinuousClock.Instant = .now) -> Int {
        refill(now: now)
        let granted = min(count, Int(tokens.rounded(.down)))
        tokens -= Double(granted)
        return granted
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
    }
}
