/// Runs a pass of work, and one more pass when it was asked again while a pass ran — however often
/// it was asked. For an actor's "process the queue" work, whose triggers (events) may arrive while
/// a pass awaits something.
///
///     guard runner.begin() else { return }
///     repeat { await passOnce() } while runner.again()
struct CoalescingRunner: Sendable {
    private var running = false
    private var requested = false

    /// True when the caller should run passes now; false when a pass is running (it will run once more).
    mutating func begin() -> Bool {
        if running {
            requested = true
            return false
        }
        running = true
        requested = false
        return true
    }

    /// Whether to run another pass; when not, the runner is idle again.
    mutating func again() -> Bool {
        if requested {
            requested = false
            return true
        }
        running = false
        return false
    }
}
