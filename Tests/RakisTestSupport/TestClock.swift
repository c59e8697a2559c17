public import Foundation
public import RakisCore
import Synchronization

/// A `NodeClock` that stands still until a test advances it, so that request windows of seconds
/// pass at once. Sleepers wake in deadline order as time passes their deadlines.
public final class TestClock: NodeClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var nextId: UInt64 = 0
        var cancelled: Set<UInt64> = []
    }

    private let state: Mutex<State>

    public init(now: Date = Date()) {
        state = Mutex(State(now: now))
    }

    public func now() -> Date { state.withLock { $0.now } }

    /// The earliest deadline anything sleeps until; nil when nothing sleeps.
    public var nextDeadline: Date? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state in
            defer { state.nextId += 1 }
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: (any Error)?? = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .some(CancellationError()) }
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .none
                }
                switch outcome {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time to `date` (never backwards), waking every sleeper whose deadline it reaches.
    public func advance(to date: Date) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, date)
            let due = state.sleepers.filter { $0.deadline <= state.now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= state.now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public func advance(by duration: Duration) {
        advance(to: now().addingTimeInterval(duration.seconds))
    }
}

/// Waits until `condition` holds, checking it every 20 ms of real time; false when it still does
/// not after `timeout`. For tests that wait on work done on real threads (an inference, an
/// embedding, a packet crossing a transport), whatever clock the protocol runs on. Two minutes by
/// default: early in the whole suite on a slow machine, work of milliseconds was once held up for
/// over 30 s; a condition that holds returns as soon as it does.
public func eventually(timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return true
}

extension Sequence {
    /// `allSatisfy` for a condition that awaits (a store read, an actor's state).
    public func allSatisfy(_ condition: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await !condition(element) { return false }
        return true
    }
}
