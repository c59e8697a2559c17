import Synchronization

/// How the starts of a node's transports went, reported by their services and awaited by the
/// node before it announces itself: it waits for every report or for the boot-up time.
final class TransportStarts: Sendable {
    enum Outcome: Sendable {
        case started
        case failed(String)
    }

    private let count: Int
    private let reports: AsyncStream<Outcome>
    private let input: AsyncStream<Outcome>.Continuation
    private let failures = Mutex<[String]>([])

    init(count: Int) {
        self.count = count
        (reports, input) = AsyncStream.makeStream(of: Outcome.self)
    }

    func report(_ outcome: Outcome) { input.yield(outcome) }

    /// The reasons of the transports that failed to start, once all have reported or `timeout`
    /// has passed (`timedOut`); those still connecting then carry on in the background. Called once.
    func wait(timeout: Duration) async -> (failures: [String], timedOut: Bool) {
        guard count > 0 else { return ([], false) }
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask { [self] in
                var answered = 0
                for await outcome in reports {
                    if case .failed(let reason) = outcome { failures.withLock { $0.append(reason) } }
                    answered += 1
                    if answered == count { break }
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return true
            }
            let first = await group.next() ?? true
            group.cancelAll()
            return first
        }
        return (failures.withLock { $0 }, timedOut)
    }
}
