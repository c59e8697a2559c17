public import Foundation
public import Hummingbird
import RakisNode

/// The body of `POST /api/inferences`. Only the prompt is required; the rest default to
/// `InferenceRequestDefaults`.
public struct InferenceSubmission: Codable, Sendable {
    public struct Frame: Codable, Sendable {
        public var quorum: Int?
        public var maxTimeMs: Int?
        public var secDistance: Double?
        public var secPercentage: Double?
        public var embeddingModel: String?
        public var committeeShare: Double?

        public init(
            quorum: Int? = nil, maxTimeMs: Int? = nil, secDistance: Double? = nil, secPercentage: Double? = nil, embeddingModel: String? = nil,
            committeeShare: Double? = nil
        ) {
            self.quorum = quorum
            self.maxTimeMs = maxTimeMs
            self.secDistance = secDistance
            self.secPercentage = secPercentage
            self.embeddingModel = embeddingModel
            self.committeeShare = committeeShare
        }
    }

    public var prompt: String
    public var acceptedModels: [String]?
    public var temperature: Double?
    public var maxTokens: Int?
    public var securityFrame: Frame?

    public init(prompt: String, acceptedModels: [String]? = nil, temperature: Double? = nil, maxTokens: Int? = nil, securityFrame: Frame? = nil) {
        self.prompt = prompt
        self.acceptedModels = acceptedModels
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.securityFrame = securityFrame
    }
}

/// The answer to a submission: where to follow the request.
public struct SubmittedInference: Codable, Sendable, ResponseEncodable {
    public let requestId: String
    public let location: String
}

/// The request as its sender framed it.
public struct RequestView: Codable, Sendable {
    public let prompt: String
    public let acceptedModels: [String]
    public let temperature: Double
    public let maxTokens: Int
    public let quorum: Int
    public let maxTimeMs: Int
    public let secDistance: Double
    public let secPercentage: Double
    public let embeddingModel: String
    /// The share of nodes that may answer; absent: every node.
    public let committeeShare: Double?
    public let fromChain: String
    public let createdAt: Date
    public let endingAt: Date
}

/// One line of the inference list (the reference's `getInferences`).
public struct InferenceSummary: Codable, Sendable {
    public let requestId: String
    public let fromSynthientId: String
    public let prompt: String
    public let acceptedModels: [String]
    public let createdAt: Date
    public let endingAt: Date
    /// The quorum's status at this node (`awaiting_commitments`, `awaiting_reveal`,
    /// `awaiting_consensus`, `verifying_consensus`, `completed`, `failed`), or, while it holds no
    /// quorum for the request, `open` until the request ends and `unanswered` after.
    public let status: String
    public let commits: Int
    public let quorum: Int
    /// This node's consensus output, when it reached one.
    public let output: String?
    public let consensusSucceeded: Bool?
}

extension InferenceSummary {
    /// The quorum's status, or `open`/`unanswered` while this node holds no quorum for the request.
    static func statusName(_ status: QuorumStatus?, endingAt: Date) -> String {
        status?.rawValue ?? (endingAt > Date() ? "open" : "unanswered")
    }
}

public struct InferenceList: Codable, Sendable, ResponseEncodable {
    public let inferences: [InferenceSummary]
}

/// Everything this node knows of one request.
public struct InferenceDetail: Codable, Sendable, ResponseEncodable {
    public struct OwnResult: Codable, Sendable {
        public let inferenceId: String
        public let model: String
        public let output: String?
        public let tokenCount: Int?
        public let tokensPerSecond: Double?
        public let failureReason: String?
        public let startedAt: Date
        public let completedAt: Date
    }

    public struct Commit: Codable, Sendable {
        public let synthientId: String
        public let inferenceId: String
        public let bEmbeddingHash: String
        public let receivedAt: Date
    }

    public struct Reveal: Codable, Sendable {
        public let synthientId: String
        public let inferenceId: String
        public let output: String
        public let receivedAt: Date
        public let rejectReason: String?
    }

    public struct Rejection: Codable, Sendable {
        public let synthientId: String
        public let inferenceId: String
        public let reason: String
    }

    public struct Member: Codable, Sendable {
        public let synthientId: String
        public let inferenceId: String
    }

    public struct Consensus: Codable, Sendable {
        public let succeeded: Bool
        public let failureReason: String?
        public let validInferenceJointHash: String?
        public let selectedOutput: String?
        public let selectedSynthientId: String?
        public let submitted: [Member]
        /// The reveals that passed verification, in the order of `distances`.
        public let accepted: [Member]
        public let valid: [Member]
        /// Hamming distances between the accepted reveals' binary embeddings.
        public let distances: [[Int]]
        public let clusterSizes: [Int]
        public let neededClusterSize: Int
        public let computedAt: Date
    }

    public struct PeerResult: Codable, Sendable {
        public let verifiedBy: String
        public let validInferenceJointHash: String
        public let selectedOutput: String
        public let selectedSynthientId: String
        public let receivedAt: Date
        /// Whether it is the same result as this node's.
        public let agreesWithUs: Bool?
    }

    /// A point of the 2-D picture of the accepted reveals (classical MDS of `distances`).
    public struct Point: Codable, Sendable {
        public let synthientId: String
        public let inferenceId: String
        public let x: Double
        public let y: Double
        public let valid: Bool
        public let selected: Bool
    }

    public let requestId: String
    public let fromSynthientId: String
    public let request: RequestView
    public let status: String
    public let statusReason: String?
    public let ownResults: [OwnResult]
    public let commits: [Commit]
    public let reveals: [Reveal]
    public let rejections: [Rejection]
    public let consensus: Consensus?
    public let peerResults: [PeerResult]
    public let embeddingMap: [Point]
    /// The verified attestations of a chain request (empty for any other).
    public let chainAttestations: [ChainAttestationView]
    /// For an `evm:` request: its chain, whether this node confirmed it there, and the
    /// transactions this node sent for it; null for any other request.
    public let chain: ChainRequestView?
}

/// A `chainAttestation` this node verified: a signer's signature over the inbox's digest.
public struct ChainAttestationView: Codable, Sendable {
    public let address: String
    public let outputHash: String
    public let validInferenceJointHash: String
    public let signature: String
    public let createdAt: Date
}
