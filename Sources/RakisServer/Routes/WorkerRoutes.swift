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
            guard let workerKind = WorkerSnapshot.Kind(rawValue: kind) else {
                throw APIError.notFound("unknown worker kind \(kind.debugDescription); use llm or embedding")
            }
            do {
                try await node.scaleWorkers(workerKind, model: model, count: scaling.count)
            } catch NodeError.unknownModel(let kind, let model, let served) {
                throw APIError.notFound(NodeError.unknownModel(kind: kind, model: model, served: served).description)
            } catch {
                throw APIError.unprocessable("\(error)")
            }
            return await list()
        }
    }

    func list() async -> WorkerList {
        let workers = await node.workers()
        return WorkerList(
            llm: workers.filter { $0.kind == .llm }.map(WorkerView.init), embedding: workers.filter { $0.kind == .embedding }.map(WorkerView.init),
            llmModels: node.servedModels.llms, embeddingModels: node.servedModels.embedders)
    }
}
