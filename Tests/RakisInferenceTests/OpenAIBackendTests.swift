import Foundation
@testable import RakisInference
import RakisTestSupport
import Testing

/// The OpenAI-compatible backend against llama.cpp's own llama-server (same build, same model,
/// started on loopback by the test) and against a scripted misbehaving server.
@Suite(.serialized) struct OpenAIBackendTests {
    private func engine(_ endpoint: OpenAIEndpoint, workers: Int = 1) async throws -> LLMEngine {
        let engine = LLMEngine(models: [LLMModelConfiguration(name: "remote", source: .openAI(endpoint))])
        try await engine.scaleLLMWorkers(model: "remote", count: workers)
        #expect(await eventually { await engine.availability(model: "remote").free == workers })
        return engine
    }

    @Test func generatesThroughLlamaServerStreamedAndWhole() async throws {
        let server = try await ServerProcess.llamaServer()
        defer { server.stop() }
        let request = LLMRequest(prompt: "Count from one to ten.", maxTokens: 12)
        let streaming = try await engine(OpenAIEndpoint(baseURL: server.baseURL, model: "gemma"))
        var pieces: [String] = []
        var streamed: LLMCompletion?
        for try await event in streaming.stream(model: "remote", request: request) {
            switch event {
            case .text(let piece): pieces.append(piece)
            case .completed(let done): streamed = done
            }
        }
        let whole = try await engine(OpenAIEndpoint(baseURL: server.baseURL.appendingPathComponent("v1"), model: "gemma", stream: false))
        let answer = try await whole.complete(model: "remote", request: request)
        #expect(pieces.count > 1, "tokens arrive as they are generated")
        #expect(streamed?.text == pieces.joined())
        #expect(streamed?.tokenCount == 12, "llama-server reports usage: \(String(describing: streamed))")
        #expect(streamed?.finishReason == .length)
        #expect(streamed?.text == answer.text, "greedy decoding through either mode gives the same text")
        #expect(answer.tokenCount == 12)
        #expect(answer.promptTokenCount > 0)
        await streaming.shutdown()
        await whole.shutdown()
    }

    @Test func aServerThatIsDownIsAnErrorResultAndTheWorkerStaysFree() async throws {
        let endpoint = OpenAIEndpoint(baseURL: URL(string: "http://127.0.0.1:\(LLMFixtures.freePort())")!, model: "m", connectTimeoutSeconds: 2)
        let engine = try await engine(endpoint)
        let error = await #expect(throws: LLMError.self) { try await engine.complete(model: "remote", request: LLMRequest(prompt: "hi")) }
        guard case .backendUnreachable(let url, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(url.hasSuffix("/v1/chat/completions"))
        #expect(error?.description.contains("is the server running?") == true)
        #expect(await engine.availability(model: "remote").free == 1)
        await engine.shutdown()
    }

    @Test(arguments: ["garbage", "http500", "bad-stream", "cut-stream", "silent"])
    func misbehavingServersGiveClearErrors(mode: String) async throws {
        let server = try await ServerProcess.fakeOpenAI(mode: mode)
        defer { server.stop() }
        let endpoint = OpenAIEndpoint(baseURL: server.baseURL, model: "m", stream: mode != "garbage", readTimeoutSeconds: 1)
        let engine = try await engine(endpoint)
        let error = await #expect(throws: LLMError.self) { try await engine.complete(model: "remote", request: LLMRequest(prompt: "hi")) }
        switch (mode, error) {
        case ("garbage", .malformedResponse(_, let reason)?): #expect(reason.contains("not a chat completion"))
        case ("http500", .backendHTTPError(_, 500, let body)?): #expect(body == "model overloaded")
        case ("bad-stream", .malformedResponse(_, let reason)?): #expect(reason.contains("not a chat-completion chunk"))
        case ("cut-stream", .malformedResponse(_, let reason)?): #expect(reason.contains("ended before"))
        case ("silent", .backendTimedOut(_, 1)?): break
        default: Issue.record("\(mode): unexpected \(String(describing: error))")
        }
        #expect(await engine.availability(model: "remote").free == 1, "the worker is free after the error")
        await engine.shutdown()
    }

    @Test func aSlowBackendDoesNotBlockOtherWorkers() async throws {
        let slow = try await ServerProcess.fakeOpenAI(mode: "silent")
        let fast = try await ServerProcess.fakeOpenAI(mode: "ok-stream")
        defer { slow.stop(); fast.stop() }
        let engine = LLMEngine(models: [
            LLMModelConfiguration(name: "slow", source: .openAI(OpenAIEndpoint(baseURL: slow.baseURL, model: "m", readTimeoutSeconds: 20))),
            LLMModelConfiguration(name: "fast", source: .openAI(OpenAIEndpoint(baseURL: fast.baseURL, model: "m"))),
        ])
        try await engine.scaleLLMWorkers(model: "slow", count: 1)
        try await engine.scaleLLMWorkers(model: "fast", count: 1)
        #expect(await eventually { await engine.availability().allSatisfy { $0.free == 1 } })
        let stuck = Task { try await engine.complete(model: "slow", request: LLMRequest(prompt: "hi")) }
        #expect(await eventually { await engine.availability(model: "slow").free == 0 })
        let answer = try await engine.complete(model: "fast", request: LLMRequest(prompt: "hi"))
        #expect(answer.text == "Hello")
        #expect(answer.tokenCount == 2)
        stuck.cancel()
        await #expect(throws: LLMError.cancelled) { try await stuck.value }
        #expect(await eventually { await engine.availability(model: "slow").free == 1 }, "cancelling frees the remote worker")
        await engine.shutdown()
    }

    @Test func serverSentEventsSurviveAnySplit() throws {
        let text = "data: {\"a\":1}\r\n\r\n: comment\ndata: [DONE]\n"
        var lines = ServerSentEventLines()
        var payloads: [String] = []
        for byte in text.utf8 { payloads += try lines.append([byte]) }
        payloads += lines.finish()
        #expect(payloads == ["{\"a\":1}", "[DONE]"])
    }
}
