import Foundation
import RakisCore
import RakisNode
import RakisServer

extension FuzzTarget {
    /// The JSON bodies of the HTTP API, decoded as the server decodes them: `POST /api/inferences`
    /// with its defaults filled in and its limits checked (`InferenceRequestCheck`, as
    /// `RakisNode.submit` does), and `PUT /api/workers/...`.
    static let apiBody = FuzzTarget(name: "api-body", summary: "HTTP API bodies: InferenceSubmission with defaults and checks, WorkerScaling") {
        bytes throws(FuzzFinding) in
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        _ = try? decoder.decode(WorkerScaling.self, from: Data(bytes))
        guard let submission = try? decoder.decode(InferenceSubmission.self, from: Data(bytes)) else { return }
        let payload = submission.payload(createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        guard InferenceRequestCheck.problem(with: payload) == nil else { return }
        // A request the API accepts must be one the network can carry: it encodes as a packet.
        let request = Packet.p2pInferenceRequest(P2PInferenceRequest(requestId: "fuzz", payload: payload, createdAt: payload.createdAt))
        do { _ = try PacketCoding.jsonValue(of: request) } catch {
            throw FuzzFinding("an accepted submission does not encode as a packet: \(error)")
        }
    }
}
