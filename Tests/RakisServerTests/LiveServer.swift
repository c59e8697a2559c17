import Foundation
import Logging
import RakisCore
import RakisInference
@testable import RakisNode
import RakisP2P
import RakisServer
import RakisTestSupport
import ServiceLifecycle
import Synchronization

/// A node and its API server running for real in this process (offline, on a free port), as
/// `rakis run` runs them: one ServiceGroup, the server after the node's services.
final class LiveServer: Sendable {
    let node: RakisNode
    let token = "test-token-\(UUID().uuidString)"
    let logs = LogBuffer()
    let directory: URL
    private final class BoundPort: Sendable { let value = Mutex<Int?>(nil) }
    private let port = BoundPort()
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port.value.withLock { $0 } ?? 0)" }

    init(models: NodeModels = NodeModels(), settings: Settings = Settings(), transports: [any P2PTransport] = []) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logs = self.logs
        let logger = Logger(label: "rakis.test") { label in LogBuffer.Handler(label: label, buffer: logs, logLevel: .info) }
        node = try RakisNode(
            identity: .generate(), settings: settings, dataDirectory: DataDirectory(directory.path), transports: transports, models: models,
            logger: logger)
        let port = self.port
        let server = try APIServer(
            node: node, configuration: .init(host: "127.0.0.1", port: 0, token: token), logs: logs, logger: logger,
            onListening: { bound in port.value.withLock { $0 = bound } })
        group = ServiceGroup(configuration: .init(services: (node.services + [server]).map { .init(service: $0) }, logger: logger))
        running = Task { [group] in try await group.run() }
        let deadline = ContinuousClock.now + .seconds(60)
        while port.value.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard port.value.withLock({ $0 }) != nil else { throw LiveServerError.didNotStart }
        // Requests sent before the models are loaded could outlive their window under load.
        while try await !node.modelsReady(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// The default embedding model only: loads in a second, enough for scaling tests.
    static func embeddingOnly() throws -> NodeModels {
        let defaults = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        return NodeModels(embeddings: defaults.embeddings)
    }

    static func defaults() throws -> NodeModels {
        try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
    }

    func get(_ path: String) async throws -> HTTPExchange { try await HTTPExchange.send("GET", base + path) }

    func post(_ path: String, _ object: Any, token: String? = nil) async throws -> HTTPExchange {
        try await HTTPExchange.send("POST", base + path, body: HTTPExchange.json(object), token: token ?? self.token)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
        try? FileManager.default.removeItem(at: directory)
    }
}

enum LiveServerError: Error { case didNotStart }
