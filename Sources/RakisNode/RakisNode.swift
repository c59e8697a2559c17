import Foundation
public import Logging
public import RakisCore
public import RakisP2P
public import ServiceLifecycle

/// The Domain: the one place that knows every layer and connects them with events. It owns
/// the layers of a node and runs as a service until a graceful shutdown is requested.
public actor RakisNode: Service {
    public nonisolated let identity: NodeIdentity
    public nonisolated let settings: Settings
    public nonisolated let p2p: P2PLayer
    private let logger: Logger
    private var started = false
    private var stopped = false

    public init(
        identity: NodeIdentity, settings: Settings, dataDirectory: DataDirectory, transports: [any P2PTransport],
        logger: Logger = Logger(label: "rakis.node")
    ) throws(NodeError) {
        self.identity = identity
        self.settings = settings
        self.logger = logger
        let database: P2PDatabase
        do {
            database = try P2PDatabase(directory: dataDirectory.url)
        } catch {
            throw .storeUnavailable(path: dataDirectory.url.appendingPathComponent(P2PDatabase.fileName).path, reason: "\(error)")
        }
        self.p2p = P2PLayer(identity: identity, settings: settings, database: database, transports: transports, logger: logger)
    }

    /// Brings the transports up and announces this node with a `boot` status packet.
    public func start() async throws {
        guard !started else { return }
        started = true
        try await p2p.start()
        try await p2p.transmit(.peerStatusUpdate(PeerStatusUpdate(status: .boot(totalTokens: 0), createdAt: Date())))
        logger.info("node started", metadata: ["synthientId": "\(identity.synthientId)"])
    }

    /// Runs until the service group asks for a graceful shutdown (SIGINT or SIGTERM), then
    /// shuts down cleanly.
    public nonisolated func run() async throws {
        try await start()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops the transports, lets intake store what it holds, and closes the stores.
    public func shutdown() async {
        guard !stopped else { return }
        stopped = true
        await p2p.shutdown()
        logger.info("node stopped", metadata: ["synthientId": "\(identity.synthientId)"])
    }
}

public enum NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case storeUnavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .storeUnavailable(let path, let reason): "cannot open the store \(path): \(reason)"
        }
    }
}
