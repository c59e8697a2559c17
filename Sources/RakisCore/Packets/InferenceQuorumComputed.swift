public import Foundation

/// `inferenceQuorumComputed`: one node's consensus result for a request.
public struct InferenceQuorumComputed: Codable, Sendable, Hashable {
    public struct InferenceRef: Codable, Sendable, Hashable {
        public var inferenceId: String
        public init(inferenceId: String) { self.inferenceId = inferenceId }
    }

    public struct SingleInference: Codable, Sendable, Hashable {
        public var output: String
        public var fromSynthientId: String
        public var bEmbeddingHash: String

        public init(output: String, fromSynthientId: String, bEmbeddingHash: String) {
            self.output = output
            self.fromSynthientId = fromSynthientId
            self.bEmbeddingHash = bEmbeddingHash
        }
    }

    public var requestId: String
    /// The node that computed this result; accepted only from that node.
    public var verifiedBy: String
    public var submittedInferences: [InferenceRef]
    public var validInferences: [InferenceRef]
    public var validInferenceJointHash: String
    public var validSingleInference: SingleInference
    public var createdAt: Date

    public init(
        requestId: String, verifiedBy: String, submittedInferences: [InferenceRef], validInferences: [InferenceRef],
        validInferenceJointHash: String, validSingleInference: SingleInference, createdAt: Date
    ) {
        self.requestId = requestId
        self.verifiedBy = verifiedBy
        self.submittedInferences = submittedInferences
        self.validInferences = validInferences
        self.validInferenceJointHash = validInferenceJointHash
        self.validSingleInference = validSingleInference
        self.createdAt = createdAt
    }
}
