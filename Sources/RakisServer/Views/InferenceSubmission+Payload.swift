public import Foundation
public import RakisCore
import RakisNode

extension InferenceSubmission {
    /// The request this body asks for, with `InferenceRequestDefaults` filling in what it leaves
    /// out: what `POST /api/inferences` submits, and what the `api-body` fuzz target checks.
    public func payload(createdAt: Date) -> InferenceRequestPayload {
        let frame = securityFrame ?? .init()
        return InferenceRequestDefaults.payload(
            prompt: prompt, acceptedModels: acceptedModels, temperature: temperature, maxTokens: maxTokens, quorum: frame.quorum,
            maxTimeMs: frame.maxTimeMs, secDistance: frame.secDistance, secPercentage: frame.secPercentage,
            embeddingModel: frame.embeddingModel, committeeShare: frame.committeeShare, createdAt: createdAt)
    }
}
