/// Everything that can go wrong with an LLM model, worker or request, each saying what to do.
public enum LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    case modelFileMissing(path: String)
    case notAGGUFFile(path: String, reason: String)
    case modelLoadFailed(path: String)
    case contextCreationFailed(model: String)
    case unknownModel(String, known: [String])
    case noWorkers(model: String)
    case workerFailed(model: String, reason: String)
    case emptyPrompt
    case invalidParameter(name: String, reason: String)
    case promptTooLong(tokens: Int, contextLength: Int)
    case tokenizationFailed(reason: String)
    case decodeFailed(code: Int32)
    case backendUnreachable(url: String, reason: String)
    case backendTimedOut(url: String, seconds: Double)
    case backendHTTPError(url: String, status: Int, body: String)
    case malformedResponse(url: String, reason: String)
    case cancelled
    case shutDown

    public var description: String {
        switch self {
        case .modelFileMissing(let path):
            "no GGUF model file at \(path); check the path, or run scripts/setup.sh for the default model"
        case .notAGGUFFile(let path, let reason):
            "\(path) is not a usable GGUF model file (\(reason)); download it again"
        case .modelLoadFailed(let path):
            "llama.cpp could not load \(path) (corrupt or unsupported GGUF file; run with --log-level debug for llama.cpp's reason)"
        case .contextCreationFailed(let model):
            "llama.cpp could not create a context for \(model) (out of memory? try a smaller context length)"
        case .unknownModel(let name, let known):
            "no LLM model named \"\(name)\"; known models: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .noWorkers(let model):
            "model \(model) has no workers; scale it up first"
        case .workerFailed(let model, let reason):
            "every worker of model \(model) failed: \(reason)"
        case .emptyPrompt:
            "the prompt is empty"
        case .invalidParameter(let name, let reason):
            "invalid \(name): \(reason)"
        case .promptTooLong(let tokens, let contextLength):
            "the prompt is \(tokens) tokens long, which does not leave room to generate in a context of \(contextLength) tokens; shorten it or raise the context length"
        case .tokenizationFailed(let reason):
            "tokenization failed: \(reason)"
        case .decodeFailed(let code):
            "llama.cpp failed to decode (llama_decode returned \(code))"
        case .backendUnreachable(let url, let reason):
            "cannot reach the LLM backend at \(url): \(reason); is the server running?"
        case .backendTimedOut(let url, let seconds):
            "the LLM backend at \(url) did not answer within \(seconds) s"
        case .backendHTTPError(let url, let status, let body):
            "the LLM backend at \(url) answered HTTP \(status)\(body.isEmpty ? "" : ": \(body)")"
        case .malformedResponse(let url, let reason):
            "the LLM backend at \(url) sent a response rakis cannot read: \(reason)"
        case .cancelled:
            "the inference was cancelled"
        case .shutDown:
            "the LLM engine is shut down"
        }
    }
}
