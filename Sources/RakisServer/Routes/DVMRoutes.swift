import Hummingbird
import RakisNode

/// `GET /api/dvm/jobs`: the NIP-90 jobs a node run with `--dvm` saw.
struct DVMRoutes: Sendable {
    let node: RakisNode

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("dvm/jobs") { request, _ -> DVMJobList in
            let limit = try request.integerQuery("limit", in: 1...1000, default: 100)
            return DVMJobList(pubkey: node.dvmPublicKey, jobs: try await node.dvmJobs(limit: limit))
        }
    }
}

struct DVMJobList: ResponseEncodable, Sendable {
    /// Nil when the node runs without `--dvm`.
    let pubkey: String?
    let jobs: [DVMJobSummary]
}
