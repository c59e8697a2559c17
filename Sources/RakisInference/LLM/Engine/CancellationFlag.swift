import Synchronization

/// Set once when a caller gives up on an inference; read by the worker between tokens, and
/// runs the handlers registered to interrupt work that does not poll (an HTTP request).
final class CancellationFlag: Sendable {
    private let state = Mutex<(cancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func cancel() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.handlers = [] }
            return state.handlers
        }
        handlers.forEach { $0() }
    }

    /// Runs `handler` on cancellation, or at once when already cancelled.
    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }
}
