public import Foundation

/// `inferenceReveal`: the output behind a commit, with its binary embedding.
///
/// The reference also sent the 384-number float `embedding`. Verifiers recompute it from the
/// output anyway, so rakis sends it empty and leaves the field out of the packet (several
/// kilobytes less per reveal, which matters on relays with small limits); one that arrives with
/// it is accepted.
///
/// `consensusVersion` is rakis's: the rules the output was made by (`ConsensusVersion`). The
/// reference sent none, which reads as version 1.
public struct InferenceReveal: Codable, Sendable, Hashable {
    public var requestedSynthientId: String
    public var requestId: String
    public var inferenceId: String
    public var output: String
    public var embedding: [Double]
    /// The binary embedding, packed eight dimensions to a byte, first dimension in the high bit.
    public var bEmbedding: [UInt8]
    public var createdAt: Date
    public var consensusVersion: Int

    public init(
        requestedSynthientId: String, requestId: String, inferenceId: String, output: String,
        embedding: [Double], bEmbedding: [UInt8], createdAt: Date, consensusVersion: Int = ConsensusVersion.current
    ) {
        self.requestedSynthientId = requestedSynthientId
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.output = output
        self.embedding = embedding
        self.bEmbedding = bEmbedding
        self.createdAt = createdAt
        self.consensusVersion = consensusVersion
    }

    private enum CodingKeys: String, CodingKey {
        case requestedSynthientId, requestId, inferenceId, output, embedding, bEmbedding, createdAt, consensusVersion
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestedSynthientId = try c.decode(String.self, forKey: .requestedSynthientId)
        requestId = try c.decode(String.self, forKey: .requestId)
        inferenceId = try c.decode(String.self, forKey: .inferenceId)
        output = try c.decode(String.self, forKey: .output)
        embedding = try c.decodeIfPresent([Double].self, forKey: .embedding) ?? []
        bEmbedding = try c.decodeBytes(forKey: .bEmbedding)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        consensusVersion = try c.decodeIfPresent(Int.self, forKey: .consensusVersion) ?? ConsensusVersion.reference
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requestedSynthientId, forKey: .requestedSynthientId)
        try c.encode(requestId, forKey: .requestId)
        try c.encode(inferenceId, forKey: .inferenceId)
        try c.encode(output, forKey: .output)
        if !embedding.isEmpty { try c.encode(embedding, forKey: .embedding) }
        try c.encode(bEmbedding, forKey: .bEmbedding)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(consensusVersion, forKey: .consensusVersion)
    }
}
