extension Settings {
    /// The table of every setting, which the config file, environment and flags all go through.
    public static let descriptors: [SettingDescriptor] = [
        .integer("maxReceivedPacketQueueSize", \.maxReceivedPacketQueueSize, 1...100_000,
                 "received packets batched before intake processes them at once"),
        .integer("receivePacketQueueDebounceMs", \.receivePacketQueueDebounceMs, 0...60_000,
                 "quiet time after the last received packet before intake processes the batch"),
        .integer("peerHeartLimit", \.peerHeartLimit, 0...10_000, "peerHeart packets passed on per batch"),
        .integer("peerCommunicationCount", \.peerCommunicationCount, 0...10_000,
                 "expected number of peers that answer a newcomer with their peer list"),
        .integer("maxPacketDBSize", \.maxPacketDBSize, 10...10_000_000, "packets kept on disk; the oldest are pruned"),
        .integer("packetDBPruneHysteresis", \.packetDBPruneHysteresis, 0...1_000_000,
                 "packets allowed over maxPacketDBSize before pruning runs"),
        .integer("maxPacketBytes", \.maxPacketBytes, 1024...64 * 1024 * 1024, "largest packet envelope accepted from a peer"),
        .integer("peerListWindowMs", \.peerListWindowMs, 1000...(30 * 24 * 3_600_000),
                 "peers seen within this window are shared in knownPeers"),
        .integer("peerListMaxCount", \.peerListMaxCount, 1...10_000, "most peers shared in one knownPeers packet"),
        .string("topic", \.topic, "network topic; nodes on different topics never exchange packets",
                isValid: { !$0.isEmpty && $0.utf8.count <= 64 && !$0.contains(where: \.isWhitespace) },
                requirement: "must be 1 to 64 characters without spaces"),
        .integer("maxTransmissionErrorsBeforeRestart", \.maxTransmissionErrorsBeforeRestart, 1...1000,
                 "consecutive send errors after which a transport is restarted"),
        .string("nostrRelays", \.nostrRelays, "Nostr relays, comma-separated ws:// or wss:// URLs",
                isValid: { text in
                    let urls = Settings.relayList(text)
                    return !urls.isEmpty && urls.allSatisfy { $0.hasPrefix("ws://") || $0.hasPrefix("wss://") }
                },
                requirement: "must be one or more ws:// or wss:// URLs separated by commas"),
        .integer("relayRedundancy", \.relayRedundancy, 1...64, "Nostr relays every packet is sent through"),
        .integer("nostrEventLifetimeMs", \.nostrEventLifetimeMs, 10_000...(7 * 24 * 3_600_000),
                 "NIP-40 expiration of packet events, and how far back a resubscription after a reconnect reaches"),
        .integer("waitForP2PBootupMs", \.waitForP2PBootupMs, 0...600_000, "time allowed for transports to come up at start"),
        .integer("inferencePollingIntervalMs", \.inferencePollingIntervalMs, 100...600_000,
                 "how often active requests are re-checked for free workers"),
        .integer("inferenceRequestQueueDebounceMs", \.inferenceRequestQueueDebounceMs, 0...60_000,
                 "quiet time before the inference request queue is processed"),
        .integer("embeddingsQueueDebounceMs", \.embeddingsQueueDebounceMs, 0...60_000,
                 "quiet time before the embedding queue is processed"),
        .integer("requestSimilarityTimeWindowMs", \.requestSimilarityTimeWindowMs, 0...3_600_000,
                 "requests ending this close to the latest-ending one are picked from at random"),
        .string("inferenceRequestSelection", \.inferenceRequestSelection,
                "how a free LLM worker picks among active requests: reference (random among the latest-ending) or earliestEnding",
                isValid: { ["reference", "earliestEnding"].contains($0) },
                requirement: "must be reference or earliestEnding"),
        .integer("quorumRevealRequestIssueTimeoutMs", \.quorumRevealRequestIssueTimeoutMs, 0...3_600_000,
                 "time after endingAt within which reveal requests go out"),
        .integer("quorumRevealTimeoutMs", \.quorumRevealTimeoutMs, 0...3_600_000,
                 "time after endingAt within which reveals count"),
        .integer("quorumConsensusWindowMs", \.quorumConsensusWindowMs, 0...3_600_000,
                 "time allowed for consensus once a quorum awaits it"),
        .integer("bEmbeddingThreshold", \.bEmbeddingThreshold, 0...100_000,
                 "bits a recomputed binary embedding may differ from the revealed one"),
        .integer("engineLogLimit", \.engineLogLimit, 0...1_000_000, "LLM engine log lines kept"),
        .integer("debounceLoadingProgressEventMs", \.debounceLoadingProgressEventMs, 0...60_000,
                 "least time between two model-loading progress events"),
        .integer("maxLogsInMemory", \.maxLogsInMemory, 0...1_000_000, "log lines kept in memory for the dashboard"),
        .integer("newLogEventDebounceMs", \.newLogEventDebounceMs, 0...60_000, "quiet time before new log lines are pushed"),
    ]

    public static func descriptor(named name: String) -> SettingDescriptor? {
        descriptors.first { $0.name == name }
    }
}
