import RakisCore
import Synchronization

/// A transport on an `InMemoryNetwork`.
public final class InMemoryTransport: P2PTransport {
    public let name: String
    public let incoming: AsyncStream<TransportDelivery>
    private let continuation: AsyncStream<TransportDelivery>.Continuation
    private let network: InMemoryNetwork
    private let endpoint = Mutex<Int?>(nil)
    private let isShutDown = Mutex(false)
    private let changes = EventHub<Void>()

    init(network: InMemoryNetwork, name: String) {
        self.network = network
        self.name = name
        (incoming, continuation) = AsyncStream.makeStream(of: TransportDelivery.self, bufferingPolicy: .unbounded)
    }

    public func start() async throws(TransportError) {
        guard !isShutDown.withLock({ $0 }) else { throw .shutDown(transport: name) }
        let id: Int
        if let existing = endpoint.withLock({ $0 }) {
            id = existing
        } else {
            id = await network.allocateEndpoint()
            endpoint.withLock { $0 = id }
        }
        await network.attach(id, continuation)
        changes.publish(())
    }

    public func status() async -> TransportStatus {
        let attached = if let id = endpoint.withLock({ $0 }) { await network.isAttached(id) } else { false }
        return TransportStatus(name: name, connected: attached, detail: attached ? "attached to the in-memory network" : "not attached")
    }

    public func statusChanges() -> AsyncStream<Void> { changes.subscribe() }

    public func broadcast(_ envelope: [UInt8]) async throws(TransportError) {
        guard !isShutDown.withLock({ $0 }) else { throw .shutDown(transport: name) }
        guard let id = endpoint.withLock({ $0 }), await network.isAttached(id) else { throw .notStarted(transport: name) }
        await network.deliver(envelope, from: id)
    }

    /// Leaves the network as a pulled cable would: nothing arrives and sends fail until
    /// `restart()` attaches it again. For tests of a node that loses its network while it runs.
    public func disconnect() async {
        if let id = endpoint.withLock({ $0 }) { await network.detach(id) }
        changes.publish(())
    }

    public func restart() async throws(TransportError) {
        if let id = endpoint.withLock({ $0 }) { await network.detach(id) }
        try await start()
    }

    public func shutdown() async {
        isShutDown.withLock { $0 = true }
        if let id = endpoint.withLock({ $0 }) { await network.detach(id) }
        continuation.finish()
        changes.finish()
    }
}
