public import ServiceLifecycle

/// Intake as a service, listed before the transports so that it stops after them: once no
/// transport delivers any more, it processes what is queued and ends its event streams.
public struct PacketIntakeService: Service {
    let packetDB: PacketDB

    public func run() async throws {
        try? await gracefulShutdown()
        await packetDB.shutdown()
    }
}
