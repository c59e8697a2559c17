import Foundation
public import Logging
public import RakisCore
public import ServiceLifecycle
import Synchronization

/// Layer 1 as the rest of the node sees it: every configured transport, the packet intake
/// behind them, and the peer table. Broadcasts go out on every transport that is up; what
/// arrives on any of them is queued into the one `PacketDB`, which parses and verifies it. Intake and the
/// transports run as services (`services`) in the node's group.
public actor P2PLayer {
    public nonisolated let packetDB: PacketDB
    private let transports: TransportSet
    private let starts: TransportStarts
    private let settings: Settings
    private let logger: Logger

    public init(
        identity: NodeIdentity, settings: Settings, database: P2PDatabase, transports: [any P2PTransport],
        clock: any NodeClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "rakis.p2p")
    ) {
        let set = TransportSet(transports, settings: settings, logger: logger)
        self.transports = set
        self.starts = TransportStarts(count: transports.count)
        self.settings = settings
        self.logger = logger
        self.packetDB = PacketDB(
            database: database, identity: identity, settings: settings,
            transmitter: { await set.broadcast($0.wireBytes) }, clock: clock, random: random, logger: logger)
    }

    /// Packets from peers that could not be parsed (each was logged and dropped).
    public nonisolated var malformedPackets: Int { packetDB.malformedPackets }

    /// Intake, then one service per transport: in this order in the group, so that the
    /// transports stop first and intake then processes what they delivered.
    public nonisolated var services: [any Service] {
        [PacketIntakeService(packetDB: packetDB)] + transports.all.map { transport in
            TransportService(transport: transport, packetDB: packetDB, starts: starts, logger: logger)
        }
    }

    /// Waits up to `waitForP2PBootupMs` for the transport services to start them. A transport
    /// that reaches nobody yet keeps trying in the background (the node runs, and
    /// `transportStatus()` says what is down); only misconfiguration fails.
    public func waitForTransports() async throws(P2PError) {
        let (failures, timedOut) = await starts.wait(timeout: .milliseconds(settings.waitForP2PBootupMs))
        if !failures.isEmpty { throw .misconfigured(failures) }
        transports.markStarted()
        if transports.all.isEmpty {
            logger.warning("no transports configured: this node is offline and only sees its own packets")
            return
        }
        if timedOut { logger.notice("not every transport connected in time; they keep trying in the background") }
        let down = await transportStatus().filter { !$0.connected }
        if down.count == transports.all.count {
            logger.notice("no transport connected yet; the node runs and keeps trying", metadata: [
                "down": "\(down.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))",
            ])
        }
    }

    /// Runs intake and the transports for as long as `body` runs (a client that only sends a
    /// request and collects answers), then stops them in order.
    public func running<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Result?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            defer { tasks.cancelAll() }
            do {
                try await waitForTransports()
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Yields whenever some transport's connectivity may have changed; ends when all are shut down.
    public nonisolated func transportChanges() -> AsyncStream<Void> {
        let streams = transports.all.map { $0.statusChanges() }
        return AsyncStream { continuation in
            let merge = Task {
                await withDiscardingTaskGroup { group in
                    for stream in streams { group.addTask { for await _ in stream { continuation.yield() } } }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in merge.cancel() }
        }
    }

    /// Every transport's connectivity, in the order they were configured.
    public func transportStatus() async -> [TransportStatus] {
        var statuses: [TransportStatus] = []
        for transport in transports.all { statuses.append(await transport.status()) }
        return statuses
    }

    /// Signs a packet, stores and publishes it locally, and sends it on every transport.
    @discardableResult
    public func transmit(_ packet: Packet) async throws -> TransmittedPacket {
        try await packetDB.transmit(packet)
    }
}

public enum P2PError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Transports that cannot run as configured, each with its reason.
    case misconfigured([String])

    public var description: String {
        switch self {
        case .misconfigured(let reasons):
            "cannot start the network: \(reasons.joined(separator: "; ")); check the relay URLs, the listen address and the peers"
        }
    }
}

/// The transports of one node, with the count of consecutive send errors of each: after
/// `maxTransmissionErrorsBeforeRestart` in a row a transport is restarted.
final class TransportSet: Sendable {
    let all: [any P2PTransport]
    private let started = Mutex(false)
    private let consecutiveErrors: Mutex<[Int: Int]> = Mutex([:])
    private let maxErrors: Int
    private let logger: Logger

    init(_ transports: [any P2PTransport], settings: Settings, logger: Logger) {
        self.all = transports
        self.maxErrors = settings.maxTransmissionErrorsBeforeRestart
        self.logger = logger
    }

    /// From now on broadcasts go out (before, the transports are still being started).
    func markStarted() { started.withLock { $0 = true } }

    func broadcast(_ bytes: [UInt8]) async {
        // A transport that is down keeps what it is given until it is back.
        guard started.withLock({ $0 }) else { return }
        await withTaskGroup(of: Void.self) { group in
            for (index, transport) in all.enumerated() {
                group.addTask { [self] in
                    do {
                        try await transport.broadcast(bytes)
                        consecutiveErrors.withLock { $0[index] = 0 }
                    } catch {
                        let count = consecutiveErrors.withLock { errors in
                            errors[index, default: 0] += 1
                            return errors[index]!
                        }
                        logger.warning("transport could not send", metadata: ["transport": "\(transport.name)", "error": "\(error)"])
                        if count >= maxErrors {
                            consecutiveErrors.withLock { $0[index] = 0 }
                            logger.warning("restarting transport after repeated errors", metadata: ["transport": "\(transport.name)"])
                            do { try await transport.restart() } catch {
                                logger.error("transport restart failed", metadata: ["transport": "\(transport.name)", "error": "\(error)"])
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A thread-safe counter that closures can share.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
