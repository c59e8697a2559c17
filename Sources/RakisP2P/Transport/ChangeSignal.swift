package import RakisCore
import Synchronization

/// Lets a transport's `start()` wait for the states of its connections to change instead of
/// polling: the parts that change state call `fire()`, and a waiter iterates `changes()`.
/// Every change also goes to `observers`, the transport's `statusChanges()`.
package final class ChangeSignal: Sendable {
    private let waiter = Mutex<AsyncStream<Void>.Continuation?>(nil)
    package let observers = EventHub<Void>()

    /// A fresh stream of changes, replacing any earlier waiter's; it starts with one change so
    /// that the waiter looks at the current state first.
    package init() {}

    package func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield()
        waiter.withLock { $0?.finish(); $0 = continuation }
        return stream
    }

    package func fire() {
        _ = waiter.withLock { $0?.yield() }
        observers.publish(())
    }

    /// Ends the current waiter's stream.
    package func finish() { waiter.withLock { $0?.finish(); $0 = nil } }
}
