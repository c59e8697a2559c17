import Foundation
import Hummingbird
import RakisCore
import RakisNode

/// `POST /api/inferences`, `GET /api/inferences`, `GET /api/inferences/{requestId}`.
struct InferenceRoutes: Sendable {
    let node: RakisNode

    func add(to api: RouterGroup<APIRequestContext>, guarded: RouterGroup<APIRequestContext>) {
        guarded.post("inferences") { request, context in
            var request = request
            let submission = try await request.decodeJSON(as: InferenceSubmission.self, context: context)
            let payload = try validated(submission)
            let requestId: String
            do {
                requestId = try await node.submit(payload)
            } catch let error as NodeError {
                if case .invalidRequest(let problem) = error { throw APIError.unprocessable(problem) }
                throw APIError(.serviceUnavailable, error.description)
            }
            var response = try context.responseEncoder.encode(
                SubmittedInference(requestId: requestId, location: "/api/inferences/\(requestId)"), from: request, context: context)
            response.status = .accepted
            response.headers[.location] = "/api/inferences/\(requestId)"
            return response
        }
        api.get("inferences") { request, _ -> InferenceList in
            let limit = try request.integerQuery("limit", in: 1...500, default: 50)
            return InferenceList(inferences: try await summaries(limit: limit))
        }
        api.get("inferences/:requestId") { _, context -> InferenceDetail in
            let requestId = try context.parameters.require("requestId")
            guard let history = try await node.requestHistory(requestId: requestId) else {
                throw APIError.notFound("no request \(requestId.debugDescription) is known to this node")
            }
            return InferenceDetailBuilder.detail(history, chain: try await node.chainRequest(requestId: requestId))
        }
    }

    /// The submission with defaults filled in, or a 422 for a model that no node this one has heard
    /// of serves. The limits are checked by `RakisNode.submit` (`InferenceRequestCheck`, the same
    /// for the command line and intake), whose refusal is a 422 too.
    func validated(_ submission: InferenceSubmission) throws -> InferenceRequestPayload {
        let payload = submission.payload(createdAt: Date())
        if let problem = node.modelProblem(acceptedModels: submission.acceptedModels, embeddingModel: submission.securityFrame?.embeddingModel) {
            throw APIError.unprocessable(problem)
        }
        return payload
    }

    func summaries(limit: Int) async throws -> [InferenceSummary] {
        try await node.recentRequests(limit: limit).map { summary in
            let request = summary.request
            return InferenceSummary(
                requestId: request.requestId, fromSynthientId: request.fromSynthientId, prompt: request.payload.prompt,
                acceptedModels: request.payload.acceptedModels, createdAt: request.payload.createdAt, endingAt: request.endingAt,
                status: InferenceSummary.statusName(summary.status, endingAt: request.endingAt), commits: summary.commitCount,
                quorum: request.payload.securityFrame.quorum, output: summary.selectedOutput, consensusSucceeded: summary.consensusSucceeded)
        }
    }
}
