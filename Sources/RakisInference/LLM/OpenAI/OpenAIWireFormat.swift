/// The parts of OpenAI's chat-completions format that rakis writes and reads.
struct OpenAIChatRequest: Encodable {
    struct StreamOptions: Encodable { let include_usage: Bool }
    let model: String
    let messages: [ChatMessage]
    let temperature: Double
    let max_tokens: Int
    let seed: UInt32?
    let stream: Bool
    let stream_options: StreamOptions?
}

struct OpenAIUsage: Decodable {
    let prompt_tokens: Int?
    let completion_tokens: Int?
}

struct OpenAIErrorBody: Decodable {
    struct Detail: Decodable { let message: String? }
    let error: Detail
}

/// A whole answer (`stream: false`).
struct OpenAIChatResponse: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable { let content: String? }
        let message: Message
        let finish_reason: String?
    }
    let choices: [Choice]
    let usage: OpenAIUsage?
}

/// One server-sent event of a streamed answer. The last may carry only `usage`.
struct OpenAIChatChunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable { let content: String? }
        let delta: Delta?
        let finish_reason: String?
    }
    let choices: [Choice]?
    let usage: OpenAIUsage?
    let error: OpenAIErrorBody.Detail?
}
