import Foundation

/// Every tunable of a node, with the reference implementation's defaults. Names match the
/// reference's settings so its documentation applies; see `Settings.descriptors` for ranges.
public struct Settings: Sendable, Equatable {
    // Packet intake (the reference's PACKET_DB_SETTINGS)
    public var maxReceivedPacketQueueSize = 100
    public var receivePacketQueueDebounceMs = 100
    public var peerHeartLimit = 20
    public var peerCommunicationCount = 40
    public var maxPacketDBSize = 5000
    /// Pruning starts once the table is this many packets over `maxPacketDBSize`, so the
    /// table is not trimmed on every batch.
    public var packetDBPruneHysteresis = 50
    /// Largest envelope accepted from a peer, in bytes.
    public var maxPacketBytes = 512 * 1024
    /// Peers seen within this window are offered in a `knownPeers` answer.
    public var peerListWindowMs = 12 * 60 * 60 * 1000
    public var peerListMaxCount = 200
    /// A received packet created longer ago than this is refused, whatever the store still
    /// remembers, so that one replayed after pruning is not taken for new. Longer than the
    /// longest request (1 h) with its reveal and consensus windows.
    public var maxPacketAgeMs = 2 * 60 * 60 * 1000
    /// How far ahead of this node's clock a received packet's `createdAt` may lie.
    public var maxPacketClockSkewMs = 5 * 60 * 1000
    /// Ended requests whose history (results, quorum, reveals, consensus) stays on disk; the ones
    /// that ended longest ago are pruned, as the packet store prunes its oldest packets.
    public var maxStoredRequests = 1000
    /// Received packets waiting for intake at most. Under a flood the queue is shared fairly by
    /// the connections (and relay keys) that delivered them: beyond the cap, the packet dropped is
    /// the oldest of the source holding the most, so a quiet peer loses nothing to a loud one.
    public var maxIntakeBacklog = 10_000
    /// Threads that parse and verify received packets; 0: one per core.
    public var intakeThreads = 0
    /// Peers kept in the peer table; beyond it, those seen longest ago go (equivocators stay).
    public var maxPeerTableSize = 10_000
    /// Quorums that commits opened for requests this node has not received, kept at most (the
    /// newest); a request arriving after its first commits finds them, a flood of commits for
    /// invented requests does not fill the disk.
    public var maxOrphanQuorums = 1000
    /// Peers' requests open at once beyond which a peer's request for a model this node does not
    /// serve is not filed (this node's own, and those it can work on, always are).
    public var maxUnservedOpenRequests = 1000

    // P2P (P2P_SETTINGS)
    public var topic = "rakis1"
    public var maxTransmissionErrorsBeforeRestart = 5
    /// Nostr relays (comma-separated URLs); the first `relayRedundancy` of them are used at once.
    public var nostrRelays = "wss://relay.damus.io,wss://nos.lol,wss://relay.nostr.band"
    public var relayRedundancy = 3
    /// NIP-40 expiration of the events that carry packets; also how far back a resubscription reaches.
    public var nostrEventLifetimeMs = 60 * 60 * 1000
    /// Direct mesh: hops a packet may travel, peers each node passes it to, connections kept,
    /// frames a second allowed per connection, and how long a misbehaving peer is kept off.
    public var meshHopLimit = 8
    public var meshFanout = 3
    public var meshMaxPeers = 16
    public var meshMessagesPerSecond = 500
    public var meshBanMs = 5 * 60 * 1000
    /// Inbound mesh connections one remote address may hold, handshakes included.
    public var meshMaxConnectionsPerAddress = 8
    /// Peers banned from one address within `meshBanMs` before the address itself is banned.
    public var meshBansBeforeAddressBan = 3

    // The Domain (THEDOMAIN_SETTINGS)
    public var waitForP2PBootupMs = 5000
    public var inferencePollingIntervalMs = 5000
    public var inferenceRequestQueueDebounceMs = 1000
    public var embeddingsQueueDebounceMs = 100
    public var requestSimilarityTimeWindowMs = 2000
    /// How a free worker picks among active requests: "reference" (at random among those ending
    /// within requestSimilarityTimeWindowMs of the latest-ending one) or "earliestEnding".
    public var inferenceRequestSelection = "reference"

    // Quorums (QUORUM_SETTINGS)
    public var quorumRevealRequestIssueTimeoutMs = 15000
    public var quorumRevealTimeoutMs = 35000
    public var quorumConsensusWindowMs = 40000
    public var bEmbeddingThreshold = 0

    // LLM engine (LLM_ENGINE_SETTINGS)
    /// Requests the default LLM serves at once (its workers, decoded together in one batch), and
    /// the threads of its decoder; `rakis run --llm-workers` and `--llm-threads` override them.
    public var llmWorkers = 1
    public var llmThreads = 1
    public var engineLogLimit = 2000
    public var debounceLoadingProgressEventMs = 50

    // Logs (LOGGER_SETTINGS)
    public var maxLogsInMemory = 1000
    public var newLogEventDebounceMs = 150

    /// The chains whose inbox contracts this node watches (layer 5); none by default.
    public var chains: [ChainSetting] = []
    /// How long the valid member ranked r waits (r times this) before it reports a chain result,
    /// so that usually one node pays the gas.
    public var chainReportBackoffMs = 20000
    /// How long a sent `fulfill` may wait for a receipt before it is replaced at its nonce with
    /// higher fees (or cancelled, once another node's fulfilment landed).
    public var chainFeeBumpMs = 30000

    /// NIP-90: answer kind 5050 text-generation jobs published on Nostr relays (`rakis run --dvm`).
    public var dvm = false
    /// Relays watched for jobs (comma-separated); empty: the node's Nostr relays.
    public var dvmRelays = ""
    /// How long the node ranked r waits (r times this) before it sends a job's feedback or
    /// result, so that one node answers and the next steps in when it stays silent.
    public var dvmReplyBackoffMs = 3000
    /// Relays a job's `relays` tag may add for its result, at most.
    public var dvmMaxCustomerRelays = 3

    public init() {}

    /// Rules that involve more than one setting.
    public func validate() throws(SettingsError) {
        if quorumRevealTimeoutMs < quorumRevealRequestIssueTimeoutMs {
            throw .invalid(
                setting: "quorumRevealTimeoutMs", value: "\(quorumRevealTimeoutMs)",
                reason: "must not be shorter than quorumRevealRequestIssueTimeoutMs (\(quorumRevealRequestIssueTimeoutMs))",
                source: .merged)
        }
    }
}

extension Settings {
    /// The relays of `nostrRelays` that this node uses: the first `relayRedundancy` of the list.
    public var nostrRelayURLs: [String] { Array(Self.relayList(nostrRelays).prefix(relayRedundancy)) }

    /// The relays of `dvmRelays`; empty when the node's Nostr relays serve.
    public var dvmRelayURLs: [String] { Self.relayList(dvmRelays) }

    static func relayList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

