import Synchronization

/// Whether the node has started, for those who wait on it (the devnet, tests): set once, by
/// the node's service, to started or to the reason it could not start.
final class NodeReadiness: Sendable {
    private enum State {
        case pending([CheckedContinuation<Void, any Error>])
        case started
        case failed(any Error)
    }

    private let state = Mutex(State.pending([]))

    func succeed() { settle(nil) }

    func fail(_ error: any Error) { settle(error) }

    private func settle(_ error: (any Error)?) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard case .pending(let waiters) = state else { return [] }
            state = error.map { .failed($0) } ?? .started
            return waiters
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = state.withLock { state in
                switch state {
                case .pending(let waiters):
                    state = .pending(waiters + [continuation])
                    return nil
                case .started: return .success(())
                case .failed(let error): return .failure(error)
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
