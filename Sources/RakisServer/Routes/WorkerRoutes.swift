import Foundation
import Hummingbird
import RakisNode

/// `GET /api/workers` and `PUT /api/workers/{kind}/{model}`: the engines' workers with their
/// states and load progress, and scaling them.
struct WorkerRoutes: Sendable {
    let node: RakisNode
    static let maxWorkers = 16

    func add(to api: RouterGroup<APIRequestContext>, guarded: RouterGroup<APIRequestContext>) {
        api.get("workers") { _, _ -> WorkerList in await list() }
        guarded.put("workers/:kind/:model") { request, context -> WorkerList in
            let kind = try context.parameters.require("kind")
            let model = try context.parameters.require("model")
            var request = request
            let scaling = try await request.decodeJSON(as: WorkerScaling.self, context: context)
            guard (0...Self.maxWorkers).contains(scaling.count) else {
                throw APIError.unprocessable("count must be 0 to \(Self.maxWorkers); got \(scaling.count)")
            }
            switch kind {
            case "llm":
                guard node.models.llms.contains(where: { $0.configuration.name == model }) else {
                    throw APIError.notFound("this node has no LLM \(model.debugDescription); it serves \(node.models.llms.map(\.configuration.name).joined(separator: ", "))")
                }
                do {
                    try await node.llm.scaleLLMWorkers(model: model, count: scaling.count)
                } catch {
                    throw APIError.unprocessable("cannot scale \(model): \(error)")
                }
            case "embedding":
                guard node.models.embeddings.contains(where: { $0.name == model }) else {
                    throw APIError.notFound("this node has no embedding model \(model.debugDescription); it has \(node.models.embeddings.map(\.name).joined(separator: ", "))")
                }
                await node.embeddings.scaleEmbeddingWorkers(model: model, count: scaling.count)
            default:
                throw APIError.notFound("unknown worker kind \(kind.debugDescription); use llm or embedding")
            }
            return await list()
        }
    }

    func list() async -> WorkerList {
        WorkerList(
            llm: await node.llm.status().map(WorkerView.init), embedding: await node.embeddings.status().map(WorkerView.init),
            llmModels: node.models.llms.map(\.configuration.name), embeddingModels: node.models.embeddings.map(\.name))
    }
}
