import Logging
public import RakisCore
public import ServiceLifecycle

/// One transport as a service of the node's group: it starts the transport, feeds what arrives
/// into intake until the transport ends, and shuts the transport down when the group stops
/// (gracefully, or cancelled as when the process dies). Misconfiguration ends the group with
/// the reason.
public struct TransportService: Service {
    let transport: any P2PTransport
    let packetDB: PacketDB
    let starts: TransportStarts
    let limits: PacketLimits
    let malformed: Counter
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

    /// Parses what the transport delivers and queues it into intake, until `incoming` ends.
    private func receive() async {
        for await delivery in transport.incoming {
            do {
                let envelope = try PacketEnvelope.decode(wire: delivery.bytes, limits: limits)
                await packetDB.receive(envelope, deliveredThrough: transport.name, from: delivery.from)
            } catch {
                malformed.increment()
                logger.debug("dropped a malformed packet", metadata: [
                    "transport": "\(transport.name)", "from": "\(delivery.from ?? "?")", "error": "\(error)",
                ])
            }
        }
    }
}
