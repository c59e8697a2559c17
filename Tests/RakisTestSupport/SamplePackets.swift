public import Foundation
public import RakisCore

/// One packet of every type, with realistic field values, for tests.
public enum SamplePackets {
    public static let createdAt = ISO8601Timestamp.parse("2024-05-01T12:00:00.250+00:00")!
    public static let peerId = String(repeating: "ab", count: 32)

    public static var request: P2PInferenceRequest {
        P2PInferenceRequest(
            requestId: "req-1",
            payload: InferenceRequestPayload(
                fromChain: "p2p", blockNumber: 0, createdAt: createdAt, prompt: "Name three colours.",
                acceptedModels: ["gemma-3-270m-q4_k_m"], temperature: 0.7, maxTokens: 64,
                securityFrame: SecurityFrame(quorum: 3, maxTimeMs: 20_000, secDistance: 24, secPercentage: 0.5, embeddingModel: "all-MiniLM-L6-v2@recipe2")),
            createdAt: createdAt)
    }

    public static var all: [Packet] {
        [
            .p2pInferenceRequest(request),
            .inferenceCommit(InferenceCommit(requestId: "req-1", inferenceId: "inf-1", bEmbeddingHash: String(repeating: "0f", count: 32), createdAt: createdAt)),
            .inferenceRevealRequest(InferenceRevealRequest(
                requestId: "req-1",
                quorum: [
                    .init(synthientId: peerId, inferenceId: "inf-1", bEmbeddingHash: String(repeating: "11", count: 32)),
                    .init(synthientId: String(repeating: "cd", count: 32), inferenceId: "inf-2", bEmbeddingHash: String(repeating: "22", count: 32)),
                ],
                timeoutMs: 35_000, createdAt: createdAt)),
            .inferenceReveal(InferenceReveal(
                requestedSynthientId: peerId, requestId: "req-1", inferenceId: "inf-1", output: "Red, green, blue. 🎨",
                embedding: [0.125, -0.5, 1e-7, 0.3333333432674408], bEmbedding: [0b1010_0000], createdAt: createdAt)),
            .inferenceRevealRejected(InferenceRevealRejected(
                requestId: "req-1", inferenceId: "inf-2",
                rejectReason: .bEmbeddingHashMismatch(revealedBEmbedding: [1, 2, 255], computedBEmbeddingHash: "aa", revealedBEmbeddingHash: "bb"),
                createdAt: createdAt)),
            .inferenceRevealRejected(InferenceRevealRejected(
                requestId: "req-1", inferenceId: "inf-3",
                rejectReason: .computedBEmbeddingFailsThreshold(computedBEmbedding: [0, 1], revealedBEmbedding: [0, 3]),
                createdAt: createdAt)),
            .inferenceQuorumComputed(InferenceQuorumComputed(
                requestId: "req-1", verifiedBy: peerId, submittedInferences: [.init(inferenceId: "inf-1"), .init(inferenceId: "inf-2")],
                validInferences: [.init(inferenceId: "inf-1")], validInferenceJointHash: String(repeating: "33", count: 32),
                validSingleInference: .init(output: "Red, green, blue.", fromSynthientId: peerId, bEmbeddingHash: String(repeating: "11", count: 32)),
                createdAt: createdAt)),
            .peerStatusUpdate(PeerStatusUpdate(status: .boot(totalTokens: 12), createdAt: createdAt)),
            .peerStatusUpdate(PeerStatusUpdate(status: .loadedWorker(modelName: "gemma", totalWorkers: 2), createdAt: createdAt)),
            .peerStatusUpdate(PeerStatusUpdate(status: .inferencing(modelName: "gemma"), createdAt: createdAt)),
            .peerStatusUpdate(PeerStatusUpdate(status: .completedInference(tps: 41.5, modelName: "gemma", totalTokens: 300), createdAt: createdAt)),
            .peerStatusUpdate(PeerStatusUpdate(status: .computingBEmbeddingHash(embeddingModels: ["all-MiniLM-L6-v2@recipe2"]), createdAt: createdAt)),
            .peerStatusUpdate(PeerStatusUpdate(status: .verifyingQuorum(requestId: "req-1"), createdAt: createdAt)),
            .knownPeers(KnownPeers(peerList: [
                .init(synthientId: peerId, identities: [], lastSeen: createdAt, totalWorkers: 2, seenOn: ["memory"], totalTokens: 40),
            ], createdAt: createdAt)),
            .peerConnectedChain(PeerConnectedChain(identities: [
                ChainIdentity(chain: "eth", address: "0x00000000000000000000000000000000000000aa", synthientIdSignature: "0x1234", signedWithWallet: "metamask"),
            ], createdAt: createdAt)),
            .peerInfo(PeerInfo(deviceInfo: "linux x86_64", createdAt: createdAt)),
            .peerHeart(PeerHeart(windowX: 10.5, windowY: 20, createdAt: createdAt)),
        ]
    }

    /// Wire bytes of `packet` signed by `identity`, with `edit` applied to the parsed envelope.
    public static func editedWire(_ packet: Packet, by identity: NodeIdentity, _ edit: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        let signed = try identity.sign(packet)
        guard case .object(var envelope) = try JSONParser().parse(signed.wireBytes),
              case .object(var body)? = envelope["packet"] else { fatalError("signed packets are objects") }
        edit(&body)
        envelope["packet"] = .object(body)
        return CanonicalJSON.bytes(of: .object(envelope))
    }
}
