import ArgumentParser
import Foundation
import RakisServer

/// `rakis status --node URL`: what a running node is doing, from its HTTP API.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running node's health, stats, workers and latest inferences.")

    @Option(help: ArgumentHelp("The node's HTTP address.", valueName: "URL")) var node = "http://127.0.0.1:8080"
    @Option(help: "How many recent inferences to show.") var inferences = 5
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard (1...500).contains(inferences) else { throw ValidationError("--inferences must be 1 to 500") }
    }

    func run() async throws {
        try await NodeClient.using(url: node, token: nil) { try await show($0) }
    }

    private func show(_ client: NodeClient) async throws {
        if json {
            var parts: [String] = []
            for (key, path) in [("health", "/api/health"), ("stats", "/api/stats"), ("workers", "/api/workers"), ("inferences", "/api/inferences?limit=\(inferences)")] {
                parts.append("\"\(key)\":" + String(decoding: try await client.raw(path), as: UTF8.self))
            }
            print("{" + parts.joined(separator: ",") + "}")
            return
        }
        let health = try await client.get("/api/health", as: HealthView.self)
        let stats = try await client.get("/api/stats", as: StatsView.self)
        let workers = try await client.get("/api/workers", as: WorkerList.self)
        let recent = try await client.get("/api/inferences?limit=\(inferences)", as: InferenceList.self)
        print("node \(stats.synthientId)")
        print("  status     \(health.status)\(health.problem.map { " (\($0))" } ?? ""), up \(Int(stats.uptimeSeconds)) s")
        print("  peers      \(stats.activePeers) active, \(stats.totalPeers) known; \(stats.totalPackets) packets stored")
        print("  inferences \(stats.ownInferences) run here (\(stats.failedInferences) failed), \(stats.totalTokens) tokens; \(stats.requestsSeen) requests seen")
        print("  consensus  \(stats.consensusSucceeded) reached, \(stats.consensusFailed) failed")
        for worker in workers.llm + workers.embedding {
            let progress = worker.state == "loading" ? " \(Int(worker.progress * 100))%" : ""
            print("  worker     \(worker.model) #\(worker.id): \(worker.state)\(progress)\(worker.retiring ? " (retiring)" : "")")
        }
        for item in recent.inferences {
            let output = item.output.map { " → \($0.debugDescription)" } ?? ""
            print("  request    \(item.requestId.prefix(8)) \(item.status) \(item.commits)/\(item.quorum) \(item.prompt.prefix(40).debugDescription)\(output)")
        }
    }
}
