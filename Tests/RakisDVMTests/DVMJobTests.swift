import Foundation
import RakisCore
import RakisDVM
import RakisNostr
import Testing

/// Reading NIP-90 jobs: what rakis runs, what it refuses and why, and the request a job becomes.
struct DVMJobTests {
    static let customer = try! BIP340.KeyPair(secretKey: Array(repeating: 7, count: 32))
    static let defaults = DVMRequestDefaults(
        acceptedModels: ["default-llm"], maxTokens: 48, temperature: 0,
        securityFrame: SecurityFrame(quorum: 3, maxTimeMs: 20_000, secDistance: 32, secPercentage: 0.5, embeddingModel: "minilm"))

    static func job(_ tags: [[String]], kind: Int = 5050, createdAt: Int = 1_800_000_000) throws -> DVMJob {
        try DVMJob(event: try NostrEvent.signed(kind: kind, tags: tags, content: "", createdAt: createdAt, by: customer))
    }

    @Test func aTextJobBecomesTheSameRequestOnEveryNode() throws {
        let job = try Self.job([
            ["i", "What is the capital of France?", "text"], ["param", "max_tokens", "12"], ["param", "temperature", "0.5"],
            ["param", "quorum", "2"], ["relays", "wss://a.example", "wss://b.example"], ["bid", "1000"], ["output", "text/plain"],
        ])
        try job.check()
        let request = try job.request(defaults: Self.defaults)
        #expect(request.requestId == "dvm:" + job.id)
        #expect(DVMJob.jobId(requestId: request.requestId) == job.id)
        #expect(request.payload.prompt == "What is the capital of France?")
        #expect(request.payload.maxTokens == 12)
        #expect(request.payload.temperature == 0.5)
        #expect(request.payload.securityFrame.quorum == 2)
        #expect(request.payload.securityFrame.maxTimeMs == 20_000)
        #expect(request.payload.acceptedModels == ["default-llm"])
        #expect(request.payload.createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(request.payload.fromChain == "nostr-dvm")
        #expect(job.relays == ["wss://a.example", "wss://b.example"])
        #expect(job.bid == 1000)
        // Another node reading the same event makes the same request.
        let again = try DVMJob(event: job.event).request(defaults: Self.defaults)
        #expect(again.payload == request.payload && again.requestId == request.requestId && again.createdAt == request.createdAt)
        #expect(DVMJob.jobId(requestId: "dvm:xyz") == nil)
        #expect(DVMJob.jobId(requestId: "some-uuid") == nil)
    }

    @Test func jobsRakisCannotRunAreRefusedWithTheirReason() throws {
        let refusals: [([[String]], DVMJobError)] = [
            ([["param", "model", "x"]], .noInput),
            ([["i", "   ", "text"]], .noInput),
            ([["i", "https://example.com/a.mp3", "url"]], .unsupportedInput(type: "url")),
            ([["i", "a", "text"], ["i", "b", "text"]], .tooManyInputs(2)),
            ([["i", "a", "text"], ["encrypted"]], .encrypted),
            ([["i", "a", "text"], ["param", "max_tokens"]], .badParam(name: "max_tokens", reason: "a param tag needs a name and a value")),
        ]
        for (tags, expected) in refusals {
            let job = try Self.job(tags)
            #expect(throws: expected) { try job.check() }
        }
        #expect(throws: DVMJobError.badParam(name: "max_tokens", reason: "lots is not a number")) {
            try Self.job([["i", "a", "text"], ["param", "max_tokens", "lots"]]).request(defaults: Self.defaults)
        }
        #expect(throws: DVMJobError.badParam(name: "quorum", reason: "2.5 is not a whole number")) {
            try Self.job([["i", "a", "text"], ["param", "quorum", "2.5"]]).request(defaults: Self.defaults)
        }
        #expect(throws: DVMJobError.notAJob(kind: 5100)) { try Self.job([["i", "a", "text"]], kind: 5100) }
        // Every reason tells the customer what to do or what went wrong.
        #expect(DVMJobError.encrypted.description.contains("unencrypted"))
    }

    @Test func anInputWithoutATypeIsText() throws {
        let job = try Self.job([["i", "Hello"]])
        try job.check()
        #expect(job.input == "Hello")
    }
}
