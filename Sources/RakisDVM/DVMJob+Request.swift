import Foundation
public import RakisCore

/// What a job asks for that it does not say: the node's settings for DVM jobs.
public struct DVMRequestDefaults: Sendable, Equatable {
    public var acceptedModels: [String]
    public var maxTokens: Int
    public var temperature: Double
    public var securityFrame: SecurityFrame

    public init(acceptedModels: [String], maxTokens: Int, temperature: Double, securityFrame: SecurityFrame) {
        self.acceptedModels = acceptedModels
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.securityFrame = securityFrame
    }
}

extension DVMJob {
    /// The `fromChain` of every request made from a job.
    public static let origin = "nostr-dvm"

    /// The request id of a job: the same on every node that sees it, so that they all make the
    /// same request and a job seen twice is one request.
    public static func requestId(jobId: String) -> String { "dvm:" + jobId }

    /// The job id behind a request id made by `requestId(jobId:)`; nil for any other.
    public static func jobId(requestId: String) -> String? {
        guard requestId.hasPrefix("dvm:") else { return nil }
        let id = String(requestId.dropFirst(4))
        return Hex.isLowercaseHex(id, byteCount: 32) ? id : nil
    }

    /// The rakis request for this job: the input as the prompt, NIP-90's `model`, `max_tokens`
    /// and `temperature` params, and rakis's own `quorum`, `max_time_ms`, `sec_distance` and
    /// `sec_percentage`; what the job leaves out comes from `defaults`. Created at the job's
    /// `created_at`, so that every node makes the same request. The ranges here only reject what
    /// is no number at all; the node checks the request against its limits after.
    public func request(defaults: DVMRequestDefaults) throws(DVMJobError) -> P2PInferenceRequest {
        let createdAt = Date(timeIntervalSince1970: TimeInterval(event.createdAt))
        let unbounded = -1e12...1e12
        var frame = defaults.securityFrame
        if let quorum = try integer("quorum", in: -1_000_000...1_000_000) { frame.quorum = quorum }
        if let maxTimeMs = try integer("max_time_ms", in: -1_000_000_000...1_000_000_000) { frame.maxTimeMs = maxTimeMs }
        if let distance = try number("sec_distance", in: unbounded) { frame.secDistance = distance }
        if let share = try number("sec_percentage", in: unbounded) { frame.secPercentage = share }
        var models = defaults.acceptedModels
        if let model = params["model"] {
            guard !model.isEmpty else { throw .badParam(name: "model", reason: "empty") }
            models = [model]
        }
        let payload = InferenceRequestPayload(
            fromChain: Self.origin, blockNumber: 0, createdAt: createdAt, prompt: input, acceptedModels: models,
            temperature: try number("temperature", in: unbounded) ?? defaults.temperature,
            maxTokens: try integer("max_tokens", in: -1_000_000_000...1_000_000_000) ?? defaults.maxTokens, securityFrame: frame)
        return P2PInferenceRequest(requestId: Self.requestId(jobId: id), payload: payload, createdAt: createdAt)
    }
}
