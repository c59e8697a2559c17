public import Foundation
public import RakisCore

/// An inference request as the queue needs it: what to run, on which models, until when.
public struct InferenceRequestItem: Sendable, Hashable {
    public var requestId: String
    public var prompt: String
    public var acceptedModels: [String]
    public var temperature: Double
    public var maxTokens: Int
    /// The request is active until then (`createdAt + maxTimeMs`).
    public var endingAt: Date

    public init(requestId: String, prompt: String, acceptedModels: [String], temperature: Double, maxTokens: Int, endingAt: Date) {
        self.requestId = requestId
        self.prompt = prompt
        self.acceptedModels = acceptedModels
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.endingAt = endingAt
    }

    public init(_ request: P2PInferenceRequest) {
        self.init(
            requestId: request.requestId, prompt: request.payload.prompt, acceptedModels: request.payload.acceptedModels,
            temperature: request.payload.temperature, maxTokens: request.payload.maxTokens, endingAt: request.payload.endingAt)
    }
}
