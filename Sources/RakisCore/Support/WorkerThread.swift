import Foundation
import Synchronization

/// An OS thread of its own for blocking work (model forward passes, signature checks), so that
/// it never blocks Swift's cooperative thread pool. It runs one job at a time from its mailbox
/// until told to stop.
package final class WorkerThread: Sendable {
    package typealias Job = @Sendable () -> Void

    private struct Mailbox {
        var jobs: [Job] = []
        var stopping = false
    }

    private let mailbox = Mutex(Mailbox())
    private let wakeUp = DispatchSemaphore(value: 0)

    /// The name of the worker thread running the caller, nil on any other thread.
    package static var currentName: String? { Thread.current.threadDictionary[nameKey] as? String }
    private static let nameKey = "rakis.worker.name"

    package init(name: String) {
        let thread = Thread { [self] in
            Thread.current.threadDictionary[Self.nameKey] = name
            run()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    package func submit(_ job: @escaping Job) {
        mailbox.withLock { $0.jobs.append(job) }
        wakeUp.signal()
    }

    /// Finishes the jobs already submitted, then ends the thread.
    package func stop() {
        mailbox.withLock { $0.stopping = true }
        wakeUp.signal()
    }

    private func run() {
        while true {
            wakeUp.wait()
            while let job = mailbox.withLock({ $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) { job() }
            if mailbox.withLock({ $0.stopping && $0.jobs.isEmpty }) { return }
        }
    }
}
