import Foundation
import Hummingbird
public import Logging
import NIOCore
import RakisCore
public import RakisNode
public import ServiceLifecycle

/// The node's HTTP face: the JSON API under `/api`, the dashboard at `/`, the OpenAPI document at
/// `/openapi.json` and Prometheus metrics at `/metrics`. A service next to the node in one
/// ServiceGroup: it stops first on SIGINT or SIGTERM, ending the live event streams, and the node
/// shuts down after it.
public struct APIServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; `onListening` reports it.
        public var port: Int
        /// The bearer token that requests changing anything must carry.
        public var token: String

        public init(host: String = "127.0.0.1", port: Int = 8080, token: String) {
            self.host = host
            self.port = port
            self.token = token
        }

        /// Parses `HOST:PORT` (`[::1]:PORT` for IPv6).
        public static func address(_ text: String) throws(ServerError) -> (host: String, port: Int) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                throw .invalidAddress(text)
            }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw .invalidAddress(text) }
            return (host, port)
        }
    }

    private let node: RakisNode
    private let configuration: Configuration
    private let logs: LogBuffer
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void
    private let feed: AsyncStream<ReceivedPacket>
    private let dashboard: DashboardRoutes

    public init(
        node: RakisNode, configuration: Configuration, logs: LogBuffer, logger: Logger = Logger(label: "rakis.http"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ServerError) {
        self.node = node
        self.configuration = configuration
        self.logs = logs
        self.logger = logger
        self.onListening = onListening
        do { dashboard = try DashboardRoutes() } catch let error as ServerError { throw error } catch { throw .missingResource("\(error)") }
        // Subscribed before the node starts, so that the metrics count every packet.
        feed = node.packetFeed()
    }

    public func run() async throws {
        let metrics = NodeMetrics(node: node)
        let router = makeRouter(metrics: metrics)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "rakis"),
            onServerRunning: { [logger, configuration, onListening] channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("HTTP API and dashboard listening", metadata: ["url": "http://\(configuration.host):\(port)/"])
                await onListening(port)
            },
            logger: logger)
        let feed = self.feed
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await received in feed { metrics.record(received) }
            }
            try await app.run()
            group.cancelAll()
        }
    }

    static let routes: [(String, [HTTPRequest.Method])] = [
        ("/api/inferences", [.get, .post]), ("/api/inferences/:requestId", [.get]), ("/api/peers", [.get]), ("/api/packets", [.get]),
        ("/api/dvm/jobs", [.get]),
        ("/api/stats", [.get]), ("/api/health", [.get]), ("/api/workers", [.get]), ("/api/workers/:kind/:model", [.put]),
        ("/api/logs", [.get]), ("/api/events", [.get]), ("/metrics", [.get]), ("/openapi.json", [.get]), ("/", [.get]),
        ("/dashboard.js", [.get]), ("/dashboard.css", [.get]),
    ]

    func makeRouter(metrics: NodeMetrics) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(allowed: AllowedMethods(Self.routes)))
        let api = router.group("api")
        // Only the routes that change the node sit behind the token; their middleware runs only
        // for a matching route, so that a wrong method still gets 405 and a wrong path 404.
        let guarded = router.group("api").add(middleware: BearerTokenMiddleware(token: configuration.token))
        InferenceRoutes(node: node).add(to: api, guarded: guarded)
        NetworkRoutes(node: node).add(to: api)
        DVMRoutes(node: node).add(to: api)
        NodeRoutes(node: node, logs: logs).add(to: api)
        WorkerRoutes(node: node).add(to: api, guarded: guarded)
        EventRoutes(node: node, logs: logs).add(to: api)
        dashboard.add(to: router)
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: await metrics.scrape())))
        }
        return router
    }
}
