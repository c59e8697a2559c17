import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Chat completions from an OpenAI-compatible server, streamed or whole. Every failure comes
/// back as an `LLMError` that names the server and says what went wrong.
final class OpenAIChatClient: Sendable {
    let endpoint: OpenAIEndpoint
    private let client: HTTPClient
    /// An upper bound on a whole answer; silence is caught sooner by the read timeout.
    private static let requestDeadline: TimeAmount = .hours(1)

    init(endpoint: OpenAIEndpoint) {
        self.endpoint = endpoint
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .milliseconds(Int64(endpoint.connectTimeoutSeconds * 1000)),
            read: .milliseconds(Int64(endpoint.readTimeoutSeconds * 1000)))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    func complete(
        _ request: LLMRequest, onText: @Sendable (String) -> Void
    ) async -> Result<LLMCompletion, LLMError> {
        let url = endpoint.chatCompletionsURL
        do {
            let started = ContinuousClock.now
            let response = try await client.execute(try httpRequest(for: request), timeout: Self.requestDeadline)
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 64 * 1024)
                return .failure(.backendHTTPError(url: url, status: Int(response.status.code), body: Self.errorSummary(body)))
            }
            if endpoint.stream {
                return try await readStream(response, started: started, onText: onText)
            }
            return try await readWhole(response, started: started, onText: onText)
        } catch let error as LLMError {
            return .failure(error)
        } catch {
            return .failure(classify(error))
        }
    }

    private func httpRequest(for request: LLMRequest) throws -> HTTPClientRequest {
        let body = OpenAIChatRequest(
            model: endpoint.model, messages: request.messages, temperature: request.temperature,
            max_tokens: request.maxTokens, seed: request.seed, stream: endpoint.stream,
            stream_options: endpoint.stream ? .init(include_usage: true) : nil)
        var http = HTTPClientRequest(url: endpoint.chatCompletionsURL)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: endpoint.stream ? "text/event-stream" : "application/json")
        if let key = endpoint.apiKey, !key.isEmpty { http.headers.add(name: "Authorization", value: "Bearer \(key)") }
        http.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        return http
    }

    private func readWhole(
        _ response: HTTPClientResponse, started: ContinuousClock.Instant, onText: @Sendable (String) -> Void
    ) async throws -> Result<LLMCompletion, LLMError> {
        let body = try await response.body.collect(upTo: 16 << 20)
        let answer: OpenAIWholeAnswer
        do { answer = try OpenAIWholeAnswer(body: Array(body.readableBytesView)) } catch {
            return .failure(.malformedResponse(url: endpoint.chatCompletionsURL, reason: error.reason))
        }
        if !answer.text.isEmpty { onText(answer.text) }
        return .success(completion(
            text: answer.text, tokens: answer.completionTokens, promptTokens: answer.promptTokens,
            seconds: Self.seconds(since: started), finish: answer.finishReason))
    }

    private func readStream(
        _ response: HTTPClientResponse, started: ContinuousClock.Instant, onText: @Sendable (String) -> Void
    ) async throws -> Result<LLMCompletion, LLMError> {
        let url = endpoint.chatCompletionsURL
        var reader = OpenAIStreamReader()
        var firstText: ContinuousClock.Instant?
        func deliver(_ pieces: [String]) {
            if !pieces.isEmpty { firstText = firstText ?? .now }
            pieces.forEach(onText)
        }
        do {
            for try await buffer in response.body {
                deliver(try reader.read(buffer.readableBytesView))
                if reader.done { break }
            }
            deliver(try reader.end())
        } catch let failure as OpenAIStreamReader.Failure {
            if case .errorEvent(let message) = failure { return .failure(.backendHTTPError(url: url, status: 200, body: message)) }
            return .failure(.malformedResponse(url: url, reason: failure.reason))
        }
        return .success(completion(
            text: reader.text, tokens: reader.completionTokens, promptTokens: reader.promptTokens,
            seconds: Self.seconds(since: firstText ?? started), finish: reader.finishReason))
    }

    private func completion(text: String, tokens: Int, promptTokens: Int, seconds: Double, finish: String?) -> LLMCompletion {
        LLMCompletion(
            text: text, tokenCount: tokens, promptTokenCount: promptTokens,
            tokensPerSecond: seconds > 0 ? Double(tokens) / seconds : 0,
            finishReason: finish == "length" ? .length : .stop)
    }

    private func classify(_ error: any Error) -> LLMError {
        let url = endpoint.chatCompletionsURL
        if error is CancellationError { return .cancelled }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return .backendTimedOut(url: url, seconds: endpoint.connectTimeoutSeconds)
            case .readTimeout: return .backendTimedOut(url: url, seconds: endpoint.readTimeoutSeconds)
            case .deadlineExceeded: return .backendTimedOut(url: url, seconds: Double(Self.requestDeadline.nanoseconds) / 1e9)
            case .cancelled: return .cancelled
            case .remoteConnectionClosed: return .malformedResponse(url: url, reason: "the server closed the connection mid-answer")
            default: break
            }
        }
        return .backendUnreachable(url: url, reason: String(describing: error))
    }

    private static func errorSummary(_ body: ByteBuffer) -> String {
        if let detail = try? JSONDecoder().decode(OpenAIErrorBody.self, from: Data(buffer: body)), let message = detail.error.message {
            return message
        }
        return excerpt(body)
    }

    private static func excerpt(_ body: ByteBuffer) -> String {
        String(decoding: body.readableBytesView.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
