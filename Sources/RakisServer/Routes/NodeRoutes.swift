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
                problem: problem, uptimeSeconds: uptime)
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
        let packetDB = node.p2p.packetDB
        let intake = await packetDB.statistics
        let totals = try node.stores.inferences.resultTotals()
        let outcomes = try node.stores.consensus.outcomeCounts()
        let llm = await node.llm.status()
        let embedding = await node.embeddings.status()
        let fiveMinutesAgo = Date().addingTimeInterval(-300)
        return StatsView(
            synthientId: node.identity.synthientId, startedAt: node.startedAt, uptimeSeconds: Date().timeIntervalSince(node.startedAt),
            totalPackets: try await packetDB.store.count(), totalPeers: try await packetDB.peers.count(),
            activePeers: try await packetDB.peers.count(since: fiveMinutesAgo),
            requestsSeen: try node.stores.inferences.requestCount(),
            ownInferences: totals.results, failedInferences: totals.failed, totalTokens: totals.tokens,
            consensusSucceeded: outcomes.succeeded, consensusFailed: outcomes.failed,
            llmWorkers: llm.filter { !$0.state.isFailed }.count, embeddingWorkers: embedding.filter { WorkerView.stateName($0) != "failed" }.count,
            embeddingQueueLength: await node.embeddingQueue.length, packetsTransmitted: intake.transmitted,
            invalidSignatures: intake.invalidSignatures, duplicates: intake.duplicates, malformedPackets: node.p2p.malformedPackets,
            models: node.models.llms.map(\.configuration.name), embeddingModels: node.models.embeddings.map(\.name))
    }
}
