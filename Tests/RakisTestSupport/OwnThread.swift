public import Foundation

/// Runs blocking work (a forward pass, a wait) on a thread of its own and awaits its result, so
/// that a test does not hold one of the cooperative pool's few threads (two on a 2-core machine)
/// while other tests' tasks wait for it.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
