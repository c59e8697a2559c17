public import Foundation
public import Logging
public import RakisCore
import Synchronization

/// Layer 1 as the rest of the node sees it: every configured transport, the packet intake
/// behind them, and the peer table. Broadcasts go out on every transport that is up; what
/// arrives on any of them is parsed, then queued into the one `PacketDB`.
public actor P2PLayer {
    public nonisolated let packetDB: PacketDB
    private let transports: TransportSet
    private let settings: Settings
    private let logger: Logger
    private var pumps: [Task<Void, Never>] = []
    private let malformed = Counter()

    public init(
        identity: NodeIdentity, settings: Settings, database: P2PDatabase, transports: [any P2PTransport],
        clock: any NodeClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "rakis.p2p")
    ) {
        let set = TransportSet(transports, settings: settings, logger: logger)
        self.transports = set
        self.settings = settings
        self.logger = logger
        self.packetDB = PacketDB(
            database: database, identity: identity, settings: settings,
            transmitter: { await set.broadcast($0.wireBytes) }, clock: clock, random: random, logger: logger)
    }

    /// Packets from peers that could not be parsed (each was logged and dropped).
    public nonisolated var malformedPackets: Int { malformed.value }

    /// Starts every transport, waiting up to `waitForP2PBootupMs` for them to connect. A
    /// transport that reaches nobody yet keeps trying in the background (the node runs, and
    /// `transportStatus()` says what is down); only misconfiguration fails the start.
    public func start() async throws(P2PError) {
        let failures = await transports.startAll(timeout: .milliseconds(settings.waitForP2PBootupMs))
        if !failures.isEmpty {
            await transports.shutdownAll()
            throw .misconfigured(failures)
        }
        if transports.all.isEmpty {
            logger.warning("no transports configured: this node is offline and only sees its own packets")
        } else {
            let down = await transportStatus().filter { !$0.connected }
            if down.count == transports.all.count {
                logger.notice("no transport connected yet; the node runs and keeps trying", metadata: [
                    "down": "\(down.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))",
                ])
            }
        }
        let limits = PacketLimits(maxBytes: settings.maxPacketBytes)
        for transport in transports.all {
            pumps.append(Task { [packetDB, logger, malformed] in
                for await delivery in transport.incoming {
                    do {
                        let envelope = try PacketEnvelope.decode(wire: delivery.bytes, limits: limits)
                        await packetDB.receive(envelope, deliveredThrough: transport.name)
                    } catch {
                        malformed.increment()
                        logger.debug("dropped a malformed packet", metadata: [
                            "transport": "\(transport.name)", "from": "\(delivery.from ?? "?")", "error": "\(error)",
                        ])
                    }
                }
            })
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

    /// Drops off the network at once without flushing intake, as a killed process would (for
    /// fault injection in tests and the devnet).
    public func disconnect() async {
        await transports.shutdownAll()
        for pump in pumps { pump.cancel() }
        pumps = []
    }

    /// Stops the transports, lets intake finish what it holds, and ends its event streams.
    public func shutdown() async {
        await transports.shutdownAll()
        for pump in pumps { await pump.value }
        pumps = []
        await packetDB.shutdown()
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

    /// Starts all transports concurrently and returns the reasons of those that cannot run
    /// (misconfigured). Those still connecting when `timeout` is over carry on in the background.
    func startAll(timeout: Duration) async -> [String] {
        guard !all.isEmpty else { return [] }
        enum Outcome: Sendable { case started, failed(String), timedOut }
        let failures = await withTaskGroup(of: Outcome.self) { group in
            for transport in all {
                group.addTask {
                    do {
                        try await transport.start()
                        return .started
                    } catch {
                        return .failed("\(error)")
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            var failures: [String] = []
            var answered = 0
            waiting: for await outcome in group {
                switch outcome {
                case .started:
                    answered += 1
                case .failed(let reason):
                    answered += 1
                    failures.append(reason)
                case .timedOut:
                    logger.notice("not every transport connected in time; they keep trying in the background")
                    break waiting
                }
                if answered == all.count { break }
            }
            // Ends the timer; a transport's start returns when cancelled, its retries going on.
            group.cancelAll()
            return failures
        }
        if failures.isEmpty { started.withLock { $0 = true } }
        return failures
    }

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

    func shutdownAll() async {
        await withTaskGroup(of: Void.self) { group in
            for transport in all { group.addTask { await transport.shutdown() } }
        }
        started.withLock { $0 = false }
    }
}

/// A thread-safe counter that closures can share.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
