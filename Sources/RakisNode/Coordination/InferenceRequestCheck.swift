public import RakisCore

/// The checks a request must pass before this node stores it or spends work on it.
public enum InferenceRequestCheck {
    public static func problem(with payload: InferenceRequestPayload) -> String? {
        let frame = payload.securityFrame
        if payload.prompt.isEmpty { return "empty prompt" }
        if payload.acceptedModels.isEmpty { return "no accepted models" }
        if frame.quorum < 1 { return "quorum \(frame.quorum) is below 1" }
        if frame.maxTimeMs < 1 || frame.maxTimeMs > 24 * 3_600_000 { return "maxTimeMs \(frame.maxTimeMs) is outside 1 ms … 24 h" }
        if !(frame.secPercentage > 0 && frame.secPercentage <= 1) { return "secPercentage \(frame.secPercentage) is outside (0, 1]" }
        if !(frame.secDistance >= 0) || !frame.secDistance.isFinite { return "secDistance \(frame.secDistance) is not a finite number ≥ 0" }
        if !payload.temperature.isFinite || payload.temperature < 0 { return "temperature \(payload.temperature) is not a finite number ≥ 0" }
        if payload.maxTokens < 1 { return "maxTokens \(payload.maxTokens) is below 1" }
        if frame.embeddingModel.isEmpty { return "no embedding model" }
        return nil
    }
}
