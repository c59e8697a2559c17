public import Foundation
public import Logging
import RakisCoordination
public import RakisCore
public import RakisEthereum
public import RakisP2P

/// A local network: N nodes in one process, each with its own data directory under one folder,
/// on the in-memory transport unless `transports` gives each node others (Nostr relays, say).
/// Used by `rakis devnet`, the multi-node tests and the benchmark.
public actor LocalDevnet {
    public struct Member: Sendable {
        public let index: Int
        public let identity: NodeIdentity
        public let dataDirectory: DataDirectory
        public let node: RakisNode
        let process: DevnetNodeProcess
    }

    public let network: InMemoryNetwork
    public let root: URL
    private let settings: Settings
    private let models: @Sendable (Int) throws -> NodeModels
    private let transports: (@Sendable (Int) throws -> [any P2PTransport])?
    private let wallets: @Sendable (Int) -> NodeWallet?
    private let logger: Logger
    /// The clock every node runs on.
    public nonisolated let clock: any NodeClock
    public private(set) var members: [Member] = []

    /// - Parameters:
    ///   - transports: the transports of node `index` (called again when it restarts); nil puts every node on `network`.
    ///   - wallets: the wallet node `index` attests chain results with (none by default).
    ///   - models: the models of node `index`.
    public init(
        root: URL, settings: Settings, network: InMemoryNetwork = InMemoryNetwork(),
        transports: (@Sendable (Int) throws -> [any P2PTransport])? = nil, wallets: @escaping @Sendable (Int) -> NodeWallet? = { _ in nil },
        clock: any NodeClock = SystemClock(), logger: Logger = Logger(label: "rakis.devnet"),
        models: @escaping @Sendable (Int) throws -> NodeModels
    ) {
        self.wallets = wallets
        self.root = root
        self.clock = clock
        self.settings = settings
        self.network = network
        self.transports = transports
        self.models = models
        self.logger = logger
    }

    /// `nodes` nodes on real transports: through `relays` (each node with a Nostr key of its
    /// own) and, with `mesh`, on a loopback mesh where every node listens on a free port and dials
    /// all the others. With neither, on the in-memory transport.
    public init(
        root: URL, settings: Settings, nodes: Int, relays: [String], mesh: Bool, wallets: @escaping @Sendable (Int) -> NodeWallet? = { _ in nil },
        logger: Logger = Logger(label: "rakis.devnet"), models: @escaping @Sendable (Int) throws -> NodeModels
    ) throws {
        guard !relays.isEmpty || mesh else {
            self.init(root: root, settings: settings, wallets: wallets, logger: logger, models: models)
            return
        }
        let ports = mesh ? try (0..<nodes).map { _ in try LoopbackPort.free() } : []
        let transports: @Sendable (Int) throws -> [any P2PTransport] = { index in
            let peers = ports.enumerated().filter { $0.offset != index }.map { "ws://127.0.0.1:\($0.element)" }
            let plan = NetworkPlan(
                nostr: relays.isEmpty ? nil : .init(relays: relays, secretKey: NodeKeys.freshNostrSecretKey()),
                mesh: ports.isEmpty ? nil : .init(listenHost: "127.0.0.1", listenPort: ports[index], peers: peers))
            return try plan.transports(identity: .generate(), settings: settings, logger: logger)
        }
        self.init(root: root, settings: settings, transports: transports, wallets: wallets, logger: logger, models: models)
    }

    /// Creates and starts `count` nodes, each with a fresh identity.
    public func start(nodes count: Int) async throws {
        for _ in 0..<count { try await addNode(identity: .generate()) }
    }

    /// Starts one more node (or, given an earlier node's identity, that node again from its data directory).
    @discardableResult
    public func addNode(identity: NodeIdentity) async throws -> Member {
        let index = members.firstIndex { $0.identity.synthientId == identity.synthientId } ?? members.count
        let directory = DataDirectory(root.appendingPathComponent("node-\(index + 1)").path)
        try directory.create()
        var nodeLogger = logger
        nodeLogger[metadataKey: "node"] = "\(index + 1)"
        let node = try RakisNode(
            identity: identity, settings: settings, dataDirectory: directory,
            transports: try transports?(index) ?? [network.makeTransport()],
            models: try models(index), wallet: wallets(index), clock: clock, logger: nodeLogger)
        let process = DevnetNodeProcess(node: node, logger: nodeLogger)
        do {
            try await node.waitUntilStarted()
        } catch {
            // The group's own error says more (a misconfigured transport cancels the node's start).
            await process.stop()
            throw await process.failure() ?? error
        }
        let member = Member(index: index, identity: identity, dataDirectory: directory, node: node, process: process)
        if index < members.count { members[index] = member } else { members.append(member) }
        return member
    }

    /// Waits until every node has loaded its models (following its workers' changes) and reaches
    /// others through a transport.
    public func waitUntilReady(timeout: Duration = .seconds(300)) async throws {
        let deadline = ContinuousClock.now + timeout
        for member in members {
            let node = member.node
            let loaded = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await _ in await node.workerChanges() where try await node.modelsReady() { return true }
                    return try await node.modelsReady()
                }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
            guard loaded else { throw DevnetError.timedOut("models did not load on node \(member.index + 1)") }
            // Packets would wait for a transport that is still connecting; ready means reaching the
            // others. Woken by the transports' changes, subscribed before their status is read.
            let changes = node.p2p.transportChanges()
            let reached = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    if await Self.reachesOthers(node) { return true }
                    for await _ in changes where await Self.reachesOthers(node) { return true }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !reached {
                let transports = await node.transportStatus()
                throw DevnetError.timedOut(
                    "node \(member.index + 1) reached no other node: \(transports.map { "\($0.name): \($0.detail)" }.joined(separator: "; "))")
            }
        }
    }

    /// Whether some transport of `node` is connected (true for a node without transports).
    private static func reachesOthers(_ node: RakisNode) async -> Bool {
        let transports = await node.transportStatus()
        return transports.isEmpty || transports.contains(where: \.connected)
    }

    /// Kills node `index` without a shutdown, as if its process died.
    public func kill(_ index: Int) async {
        await members[index].process.kill()
    }

    /// Shuts node `index` down cleanly, as SIGTERM would.
    public func stop(_ index: Int) async {
        await members[index].process.stop()
    }

    /// Starts node `index` again from its data directory, with its identity.
    public func restart(_ index: Int) async throws {
        try await addNode(identity: members[index].identity)
    }

    /// Waits until the request's quorum is completed or failed on every node (or the nodes
    /// listed), following each node's quorum updates; `timeout` is real time, a guard.
    public func waitForOutcome(requestId: String, nodes: [Int]? = nil, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for index in nodes ?? Array(members.indices) {
            let node = members[index].node
            let updates = node.quorumUpdates()
            if try await node.quorumStatus(requestId: requestId)?.isFinal == true { continue }
            let remaining = deadline - ContinuousClock.now
            let finished = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await update in updates where update.requestId == requestId && update.status.isFinal { return true }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(for: remaining)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !finished {
                let status = try await node.quorumStatus(requestId: requestId)
                guard status?.isFinal == true else {
                    throw DevnetError.timedOut("node \(index + 1) is still \(status?.rawValue ?? "without the request") for request \(requestId)")
                }
            }
        }
    }

    /// What every node knows of one request.
    public func report(requestId: String) async throws -> DevnetReport {
        var nodes: [DevnetReport.Node] = []
        for member in members {
            nodes.append(try await DevnetReport.Node(
                index: member.index, synthientId: member.identity.synthientId, stores: member.node.stores, requestId: requestId))
        }
        return DevnetReport(requestId: requestId, nodes: nodes)
    }

    /// Shuts every node down cleanly.
    public func shutdown() async {
        for member in members { await member.process.stop() }
    }
}

public enum DevnetError: Error, Sendable, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let what): "timed out: \(what)"
        }
    }
}
