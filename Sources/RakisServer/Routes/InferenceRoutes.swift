import Foundation
import Hummingbird
import RakisCoordination
import RakisCore
import RakisNode

/// `POST /api/inferences`, `GET /api/inferences`, `GET /api/inferences/{requestId}`.
struct InferenceRoutes: Sendable {
    let node: RakisNode
    let knownModels: KnownModels

    static let maxPromptCharacters = 16_000

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
            return InferenceList(inferences: try summaries(limit: limit))
        }
        api.get("inferences/:requestId") { _, context -> InferenceDetail in
            let requestId = try context.parameters.require("requestId")
            guard let history = try node.stores.history(requestId: requestId) else {
                throw APIError.notFound("no request \(requestId.debugDescription) is known to this node")
            }
            return InferenceDetailBuilder.detail(history)
        }
    }

    /// The submission with defaults filled in, or a 422 that names the field to fix.
    func validated(_ submission: InferenceSubmission) throws -> InferenceRequestPayload {
        let frame = submission.securityFrame ?? .init()
        let prompt = submission.prompt
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw APIError.unprocessable("prompt is empty") }
        guard prompt.count <= Self.maxPromptCharacters else {
            throw APIError.unprocessable("prompt has \(prompt.count) characters; at most \(Self.maxPromptCharacters) are allowed")
        }
        if let quorum = frame.quorum, !(1...100).contains(quorum) { throw APIError.unprocessable("securityFrame.quorum must be 1 to 100; got \(quorum)") }
        if let time = frame.maxTimeMs, !(1000...3_600_000).contains(time) {
            throw APIError.unprocessable("securityFrame.maxTimeMs must be 1000 to 3600000 (1 s to 1 h); got \(time)")
        }
        if let percentage = frame.secPercentage, !(percentage > 0 && percentage <= 1) {
            throw APIError.unprocessable("securityFrame.secPercentage must be in (0, 1]; got \(percentage)")
        }
        if let distance = frame.secDistance, !(0...1024).contains(distance) {
            throw APIError.unprocessable("securityFrame.secDistance must be 0 to 1024 bits; got \(distance)")
        }
        if let tokens = submission.maxTokens, !(1...4096).contains(tokens) { throw APIError.unprocessable("maxTokens must be 1 to 4096; got \(tokens)") }
        if let temperature = submission.temperature, !(0...2).contains(temperature) {
            throw APIError.unprocessable("temperature must be 0 to 2; got \(temperature)")
        }
        if let models = submission.acceptedModels {
            guard !models.isEmpty, models.count <= 16 else { throw APIError.unprocessable("acceptedModels must name 1 to 16 models") }
            let known = knownModels.llms()
            guard models.contains(where: known.contains) else {
                throw APIError.unprocessable("unknown model \(models.joined(separator: ", ")): no node this one knows serves it; known models: \(known.sorted().joined(separator: ", "))")
            }
        }
        if let embedder = frame.embeddingModel, !knownModels.embedders().contains(embedder) {
            throw APIError.unprocessable("unknown embedding model \(embedder.debugDescription); known: \(knownModels.embedders().sorted().joined(separator: ", "))")
        }
        let payload = InferenceRequestDefaults.payload(
            prompt: prompt, acceptedModels: submission.acceptedModels, temperature: submission.temperature, maxTokens: submission.maxTokens,
            quorum: frame.quorum, maxTimeMs: frame.maxTimeMs, secDistance: frame.secDistance, secPercentage: frame.secPercentage,
            embeddingModel: frame.embeddingModel, createdAt: Date())
        if let problem = InferenceRequestCheck.problem(with: payload) { throw APIError.unprocessable(problem) }
        return payload
    }

    func summaries(limit: Int) throws -> [InferenceSummary] {
        try node.stores.recentSummaries(limit: limit).map { summary in
            let request = summary.request
            return InferenceSummary(
                requestId: request.requestId, fromSynthientId: request.fromSynthientId, prompt: request.payload.prompt,
                acceptedModels: request.payload.acceptedModels, createdAt: request.payload.createdAt, endingAt: request.endingAt,
                status: InferenceSummary.statusName(summary.status, endingAt: request.endingAt), commits: summary.commitCount,
                quorum: request.payload.securityFrame.quorum, output: summary.selectedOutput, consensusSucceeded: summary.consensusSucceeded)
        }
    }
}
