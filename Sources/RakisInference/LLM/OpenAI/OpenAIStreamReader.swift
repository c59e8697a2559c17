import Foundation

/// A streamed chat completion (`stream: true`) read as its bytes arrive: server-sent event lines,
/// each a chat-completion chunk, until `[DONE]` or a finish reason. A pure state machine: the
/// client feeds it network reads, and a fuzz target feeds it hostile ones.
package struct OpenAIStreamReader {
    package enum Failure: Error, Equatable {
        case lineTooLong
        case notAChunk(String)
        case errorEvent(String)
        case endedEarly

        package var reason: String {
            switch self {
            case .lineTooLong: "an event line is longer than \(ServerSentEventLines.maxLineBytes) bytes"
            case .notAChunk(let payload): "an event is not a chat-completion chunk: \(payload)"
            case .errorEvent(let message): message
            case .endedEarly: "the stream ended before the answer was complete"
            }
        }
    }

    private var lines = ServerSentEventLines()
    private var usage: OpenAIUsage?
    package private(set) var text = ""
    package private(set) var chunks = 0
    package private(set) var finishReason: String?
    /// `[DONE]` arrived: nothing after it is read.
    package private(set) var done = false

    package init() {}

    package var completionTokens: Int { usage?.completion_tokens ?? chunks }
    package var promptTokens: Int { usage?.prompt_tokens ?? 0 }

    /// One network read; the text pieces it completed, in order.
    package mutating func read(_ bytes: some Sequence<UInt8>) throws(Failure) -> [String] {
        guard !done else { return [] }
        let payloads: [String]
        do { payloads = try lines.append(bytes) } catch { throw .lineTooLong }
        return try handle(payloads)
    }

    /// The stream closed: a last line without its newline, then whether the answer was whole.
    package mutating func end() throws(Failure) -> [String] {
        let pieces = done ? [] : try handle(lines.finish())
        guard done || finishReason != nil else { throw .endedEarly }
        return pieces
    }

    private mutating func handle(_ payloads: [String]) throws(Failure) -> [String] {
        var pieces: [String] = []
        for payload in payloads where !done {
            if payload == "[DONE]" {
                done = true
                break
            }
            guard let chunk = try? JSONDecoder().decode(OpenAIChatChunk.self, from: Data(payload.utf8)) else {
                throw .notAChunk(String(payload.prefix(200)))
            }
            if let error = chunk.error { throw .errorEvent(error.message ?? "error event") }
            if let chunkUsage = chunk.usage { usage = chunkUsage }
            for choice in chunk.choices ?? [] {
                if let piece = choice.delta?.content, !piece.isEmpty {
                    chunks += 1
                    text += piece
                    pieces.append(piece)
                }
                if let reason = choice.finish_reason { finishReason = reason }
            }
        }
        return pieces
    }
}

/// A whole chat completion (`stream: false`) read from its body.
package struct OpenAIWholeAnswer {
    package enum Failure: Error, Equatable {
        case notACompletion(excerpt: String)
        case noChoices

        package var reason: String {
            switch self {
            case .notACompletion(let excerpt): "the body is not a chat completion: \(excerpt)"
            case .noChoices: "the answer has no choices"
            }
        }
    }

    package let text: String
    package let completionTokens: Int
    package let promptTokens: Int
    package let finishReason: String?

    package init(body: [UInt8]) throws(Failure) {
        guard let answer = try? JSONDecoder().decode(OpenAIChatResponse.self, from: Data(body)) else {
            let excerpt = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .notACompletion(excerpt: excerpt)
        }
        guard let choice = answer.choices.first else { throw .noChoices }
        text = choice.message.content ?? ""
        completionTokens = answer.usage?.completion_tokens ?? 0
        promptTokens = answer.usage?.prompt_tokens ?? 0
        finishReason = choice.finish_reason
    }
}
