public import RakisCore

/// The one set of limits an inference request must keep, whoever made it: this node's API, the
/// command line, or a peer whose `p2pInferenceRequest` arrives through intake. A request outside
/// them is refused before it is stored or any work is spent on it. Each problem names the field
/// (as the API spells it) and the range it must keep.
public enum InferenceRequestCheck {
    /// Characters as JSON Schema's `maxLength` counts them (Unicode code points), so that the
    /// API document and this check agree: 👍🏻 is two, though Swift counts it as one `Character`.
    public static let maxPromptCharacters = 16_000
    public static let quorumRange = 1...100
    /// 1 s to 1 h: shorter leaves no time to infer and embed, longer holds a quorum open for too long.
    public static let maxTimeMsRange = 1000...3_600_000
    /// In differing bits; 1024 is far beyond any embedding in use.
    public static let secDistanceRange = 0.0...1024.0
    public static let maxTokensRange = 1...4096
    public static let temperatureRange = 0.0...2.0
    public static let maxAcceptedModels = 16

    /// The first problem with `payload`, or nil when it keeps every limit.
    public static func problem(with payload: InferenceRequestPayload) -> String? {
        promptProblem(payload.prompt) ?? frameProblem(payload.securityFrame) ?? samplingProblem(payload)
    }

    private static func promptProblem(_ prompt: String) -> String? {
        if prompt.allSatisfy(\.isWhitespace) { return "prompt is empty" }
        let characters = prompt.unicodeScalars.count
        if characters > maxPromptCharacters {
            return "prompt has \(characters) characters; at most \(maxPromptCharacters) are allowed"
        }
        return nil
    }

    private static func frameProblem(_ frame: SecurityFrame) -> String? {
        if !quorumRange.contains(frame.quorum) { return "securityFrame.quorum must be 1 to 100; got \(frame.quorum)" }
        if !maxTimeMsRange.contains(frame.maxTimeMs) {
            return "securityFrame.maxTimeMs must be 1000 to 3600000 (1 s to 1 h); got \(frame.maxTimeMs)"
        }
        if !(frame.secPercentage > 0 && frame.secPercentage <= 1) {
            return "securityFrame.secPercentage must be in (0, 1]; got \(frame.secPercentage)"
        }
        if !secDistanceRange.contains(frame.secDistance) {
            return "securityFrame.secDistance must be 0 to 1024 bits; got \(frame.secDistance)"
        }
        if frame.embeddingModel.isEmpty { return "securityFrame.embeddingModel is empty" }
        if let share = frame.committeeShare, !(share > 0 && share <= 1) {
            return "securityFrame.committeeShare must be in (0, 1]; got \(share)"
        }
        return nil
    }

    private static func samplingProblem(_ payload: InferenceRequestPayload) -> String? {
        if !maxTokensRange.contains(payload.maxTokens) { return "maxTokens must be 1 to 4096; got \(payload.maxTokens)" }
        if !temperatureRange.contains(payload.temperature) { return "temperature must be 0 to 2; got \(payload.temperature)" }
        if payload.acceptedModels.isEmpty || payload.acceptedModels.count > maxAcceptedModels {
            return "acceptedModels must name 1 to \(maxAcceptedModels) models"
        }
        return nil
    }
}
