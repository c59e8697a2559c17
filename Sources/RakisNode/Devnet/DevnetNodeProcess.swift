import Logging
import ServiceLifecycle

/// One devnet node as its own process would run it: its services in a group of their own.
/// A kill cancels the group, as the process dying would; a stop shuts it down gracefully, as
/// SIGTERM would. The task running the group stands for the process.
final class DevnetNodeProcess: Sendable {
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init(node: RakisNode, logger: Logger) {
        let group = ServiceGroup(configuration: .init(services: node.services.map { .init(service: $0) }, logger: logger))
        self.group = group
        running = Task { try await group.run() }
    }

    /// Why the group ended with an error, once it has ended; nil when it ended cleanly.
    func failure() async -> (any Error)? {
        if case .failure(let error) = await running.result { return error }
        return nil
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    func kill() async {
        running.cancel()
        _ = await running.result
    }
}
