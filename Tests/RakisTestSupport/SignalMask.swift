public import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// `run()` with the stop signals unblocked for the child. The threads of Swift's
    /// cooperative pool block most signals and a child inherits the mask of the thread that
    /// spawns it: a Python server or llama-server started from a test would hold SIGTERM
    /// pending and only die of the SIGKILL that follows seconds later. Only the stop signals
    /// are unblocked, and only while spawning, so that no other signal (SIGCHLD, which
    /// Foundation reads through a signalfd) can reach this thread's default handler.
    public func runWithStopSignals() throws {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&stopSignals, signal) }
        var previous = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try run()
    }
}
