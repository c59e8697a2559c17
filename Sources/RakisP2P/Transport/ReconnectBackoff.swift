/// Jittered exponential backoff between reconnection attempts: the n-th consecutive failure
/// waits a random time in [½, 1] × min(maximum, base × 2ⁿ), so that nodes cut off together
/// do not all come back in the same instant.
public struct ReconnectBackoff: Sendable {
    public var base: Duration
    public var maximum: Duration

    public init(base: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.base = base
        self.maximum = maximum
    }

    /// `unit` is a random number in [0, 1).
    public func delay(afterFailures failures: Int, unit: Double) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        let ceiling = min(maximum, base * (1 << exponent))
        return ceiling * (0.5 + 0.5 * min(max(unit, 0), 1))
    }
}
