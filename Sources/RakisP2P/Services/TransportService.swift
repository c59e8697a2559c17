import Logging
import RakisCore
public import ServiceLifecycle

/// One transport as a service of the node's group: it starts the transport, feeds what arrives
/// into intake until the transport ends, and shuts the transport down when the group stops
/// (gracefully, or cancelled as when the process dies). Misconfiguration ends the group with
/// the reason.
public struct TransportService: Service {
    let transport: any P2PTransport
    let packetDB: PacketDB
    let starts: TransportStarts
    let logger: Logger

    public func run() async throws {
        do {
            try await transport.start()
        } catch {
            starts.report(.failed("\(error)"))
            await transport.shutdown()
            throw P2PError.misconfigured(["\(error)"])
        }
        starts.report(.started)
        await withDiscardingTaskGroup { group in
            group.addTask { await receive() }
            // Cancellation (a killed node) drops off the network as promptly as a graceful stop.
            try? await gracefulShutdown()
            await transport.shutdown()
        }
    }

    /// Queues what the transport delivers into intake, which parses and verifies it on its own
    /// threads unless the transport did, until `incoming` ends.
    private func receive() async {
        for await delivery in transport.incoming {
            if let verified = delivery.verified {
                await packetDB.receive(verified: verified, wire: delivery.bytes, deliveredThrough: transport.name, from: delivery.from)
            } else {
                await packetDB.receive(wire: delivery.bytes, deliveredThrough: transport.name, from: delivery.from)
            }
        }
    }
}
