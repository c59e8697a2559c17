import Foundation
import Logging
import RakisCore
import RakisDVM
import RakisNostr

/// What a node with `dvm` on holds for NIP-90: its relays (subscribed to kind 5050 jobs and to
/// the feedback and results of the jobs it follows), its store of jobs, the key its events are
/// signed with, and what a job gets for what it leaves out.
struct DVMConnector: Sendable {
    let pool: NostrRelayPool
    let store: DVMJobStore
    let keys: BIP340.KeyPair
    let publicKey: String
    let relays: [String]
    let defaults: DVMRequestDefaults
    let sightings = DVMSightings()
    /// The jobs whose feedback and results the subscription follows.
    let following = FollowedJobs()
    /// Only events created after this (seconds since 1970) are asked of a relay.
    let since: Int
    /// When the node started (seconds since 1970): a job older than that whose time is up was
    /// for the nodes running then, and gets no late `error` from this one.
    let startedAt: Int

    init(plan: NetworkPlan.DVM, settings: Settings, directory: URL, now: Date, logger: Logger) throws(NodeError) {
        let relays = plan.relays
        do { keys = try BIP340.KeyPair(secretKey: plan.secretKey) } catch {
            throw .invalidNetwork("the Nostr secret key is not a valid secp256k1 key: \(error)")
        }
        guard !relays.isEmpty else { throw .invalidNetwork("dvm is on but no relay is configured: set dvmRelays or give --relay") }
        do { store = try DVMJobStore(directory: directory) } catch {
            throw .storeUnavailable(path: directory.appendingPathComponent(DVMJobStore.fileName).path, reason: "\(error)")
        }
        publicKey = Hex.encode(keys.publicKey)
        self.relays = relays
        defaults = DVMRequestDefaults(
            acceptedModels: InferenceRequestDefaults.acceptedModels, maxTokens: InferenceRequestDefaults.maxTokens,
            temperature: InferenceRequestDefaults.temperature,
            securityFrame: InferenceRequestDefaults.payload(prompt: "", createdAt: now).securityFrame)
        // Jobs published while the node was starting; older ones have mostly run their time.
        startedAt = Int(now.timeIntervalSince1970)
        since = startedAt - 60
        pool = NostrRelayPool(
            relays: relays, filters: Self.filters(since: since, following: []),
            eventLifetimeSeconds: max(10, settings.nostrEventLifetimeMs / 1000), maxExtraRelays: 4 * max(1, settings.dvmMaxCustomerRelays),
            logger: logger)
    }

    /// Jobs, and the feedback and results of the jobs followed.
    static func filters(since: Int, following: [String]) -> [NostrFilter] {
        var filters = [NostrFilter(kinds: [DVMJob.requestKind], since: since)]
        if !following.isEmpty {
            filters.append(NostrFilter(kinds: [DVMJob.resultKind, DVMJob.feedbackKind], tags: ["e": following], since: since))
        }
        return filters
    }

    /// Follows or stops following a job's feedback and results, subscribing again when that changes.
    func follow(_ jobId: String, _ on: Bool) async {
        guard let jobs = following.set(jobId, on) else { return }
        await pool.subscribe(to: Self.filters(since: since, following: jobs))
    }
}
