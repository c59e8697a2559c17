/// What an LLM worker is asked to do. Validated once, by `validated()`, before any worker
/// sees it, so every backend gets the same rules.
public struct LLMRequest: Sendable, Hashable {
    public var messages: [ChatMessage]
    /// 0 is greedy decoding (repeatable); the reference accepts values up to 2.
    public var temperature: Double
    public var maxTokens: Int
    /// Seeds sampling when `temperature > 0`; ignored by greedy decoding.
    public var seed: UInt32?

    /// The largest `maxTokens` honoured; larger values are clamped (and logged) rather than refused,
    /// as the reference clamps. Generation also stops at the end of the context.
    public static let maxTokensLimit = 8192
    public static let maxTemperature = 2.0

    public init(messages: [ChatMessage], temperature: Double = 0, maxTokens: Int = 256, seed: UInt32? = nil) {
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
    }

    public init(prompt: String, temperature: Double = 0, maxTokens: Int = 256, seed: UInt32? = nil) {
        self.init(messages: [.user(prompt)], temperature: temperature, maxTokens: maxTokens, seed: seed)
    }

    /// The request with clamped values, or an error naming what is wrong with it.
    /// Clamped: `maxTokens` above `maxTokensLimit`, `temperature` above `maxTemperature`.
    public func validated() throws(LLMError) -> (request: LLMRequest, adjustments: [String]) {
        guard !messages.isEmpty, messages.contains(where: { !$0.content.allSatisfy(\.isWhitespace) }) else {
            throw .emptyPrompt
        }
        for message in messages where !["system", "user", "assistant"].contains(message.role) {
            throw .invalidParameter(name: "role", reason: "\"\(message.role)\" is not one of system, user, assistant")
        }
        guard maxTokens >= 1 else {
            throw .invalidParameter(name: "maxTokens", reason: "must be at least 1, got \(maxTokens)")
        }
        guard temperature.isFinite, temperature >= 0 else {
            throw .invalidParameter(name: "temperature", reason: "must be a number from 0 to \(Self.maxTemperature), got \(temperature)")
        }
        var request = self
        var adjustments: [String] = []
        if maxTokens > Self.maxTokensLimit {
            request.maxTokens = Self.maxTokensLimit
            adjustments.append("maxTokens \(maxTokens) clamped to \(Self.maxTokensLimit)")
        }
        if temperature > Self.maxTemperature {
            request.temperature = Self.maxTemperature
            adjustments.append("temperature \(temperature) clamped to \(Self.maxTemperature)")
        }
        return (request, adjustments)
    }
}
