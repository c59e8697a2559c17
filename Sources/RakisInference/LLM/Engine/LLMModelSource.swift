public import Foundation

/// Where a named model's tokens come from.
public enum LLMModelSource: Sendable, Hashable {
    /// A GGUF file run in process by llama.cpp.
    case gguf(path: String)
    /// Any server with OpenAI's `/v1/chat/completions` (llama.cpp's llama-server, Ollama, vLLM).
    case openAI(OpenAIEndpoint)
}

/// An OpenAI-compatible server and the model to ask it for.
public struct OpenAIEndpoint: Sendable, Hashable {
    /// The server's base URL, with or without a trailing `/v1`.
    public var baseURL: URL
    /// The model name the server knows.
    public var model: String
    public var apiKey: String?
    /// Stream tokens as server-sent events (the default) or wait for the whole answer.
    public var stream: Bool
    public var connectTimeoutSeconds: Double
    /// The longest silence tolerated while waiting for the next part of the answer.
    public var readTimeoutSeconds: Double

    public init(
        baseURL: URL, model: String, apiKey: String? = nil, stream: Bool = true,
        connectTimeoutSeconds: Double = 5, readTimeoutSeconds: Double = 120
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.stream = stream
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
    }

    /// `…/v1/chat/completions` under the base URL.
    public var chatCompletionsURL: String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/v1") { base += "/v1" }
        return base + "/chat/completions"
    }
}

/// A model the engine can run: its name on the network (what requests list in
/// `acceptedModels`), its source, and how its batch decoder is set up.
public struct LLMModelConfiguration: Sendable, Hashable {
    public var name: String
    public var source: LLMModelSource
    /// Tokens of context per worker, that is per sequence of the batch (prompt plus answer), for GGUF models.
    public var contextLength: Int
    /// llama.cpp threads of the model's batch decoder, for GGUF models.
    public var threads: Int

    public init(name: String, source: LLMModelSource, contextLength: Int = 4096, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.name = name
        self.source = source
        self.contextLength = contextLength
        self.threads = threads
    }
}
