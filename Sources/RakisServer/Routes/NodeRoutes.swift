import Foundation
import Hummingbird
import Logging
import RakisNode

/// `GET /api/stats`, `GET /api/health` and `GET /api/logs`.
struct NodeRoutes: Sendable {
    let node: RakisNode
    let logs: LogBuffer

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("stats") { _, _ -> StatsView in try await stats() }
        // Always 200 while the server answers; `status` says whether the node can infer yet.
        api.get("health") { _, _ -> HealthView in await health() }
        api.get("logs") { request, _ -> LogList in
            let limit = try request.integerQuery("limit", in: 1...1000, default: 200)
            var level = Logger.Level.trace
            if let name = request.uri.queryParameters.get("level") {
                guard let parsed = Logger.Level(rawValue: name) else {
                    throw APIError.badRequest("unknown log level \(name.debugDescription); one of trace, debug, info, notice, warning, error, critical")
                }
                level = parsed
            }
            return LogList(logs: logs.recent(limit: limit, minimumLevel: level))
        }
    }

    func health() async -> HealthView {
        let uptime = Date().timeIntervalSince(node.startedAt)
        let transports = await node.transportStatus()
        let connected = transports.isEmpty || transports.contains(where: \.connected)
        let networkProblem = connected ? nil
            : "no transport connected (" + transports.map { "\($0.name): \($0.detail)" }.joined(separator: "; ") + "); retrying"
        func view(_ status: String, ready: Bool, problem: String?) -> HealthView {
            HealthView(
                status: status, synthientId: node.identity.synthientId, modelsReady: ready, connected: connected, transports: transports,
                problem: problem, uptimeSeconds: uptime, lastListeningGap: node.lastListeningGap.map(ListeningGapView.init))
        }
        do {
            let ready = try await node.modelsReady()
            if !connected { return view("disconnected", ready: ready, problem: networkProblem) }
            return view(ready ? "ok" : "loading", ready: ready, problem: nil)
        } catch {
            return view("degraded", ready: false, problem: ["\(error)", networkProblem].compactMap { $0 }.joined(separator: "; "))
        }
    }

    func stats() async throws -> StatsView {
        StatsView(try await node.snapshot())
    }
}
