import RakisCore
public import RakisNostr

/// A NIP-89 handler announcement (kind 31990, replaceable by its `d` tag): this node answers
/// kind 5050 jobs, with these models and this security frame by default.
public enum DVMAnnouncement {
    public static let kind = 31990

    public static func event(
        topic: String, models: [String], defaults: DVMRequestDefaults, createdAt: Int, by keys: BIP340.KeyPair
    ) throws(BIP340Error) -> NostrEvent {
        let frame = defaults.securityFrame
        let content = JSONValue.object([
            "name": .string("rakis"),
            "about": .string(
                "Text generation verified by a quorum of independent rakis nodes: every answer is one that at least "
                    + "\(Int((frame.secPercentage * 100).rounded())) % of a quorum of \(frame.quorum) produced, checked by embedding consensus. "
                    + "Params: model, max_tokens, temperature, quorum, max_time_ms, sec_distance, sec_percentage."),
            "models": .array(models.map(JSONValue.string)),
            "securityFrame": .object([
                "quorum": .number(Double(frame.quorum)), "maxTimeMs": .number(Double(frame.maxTimeMs)),
                "secDistance": .number(frame.secDistance), "secPercentage": .number(frame.secPercentage),
                "embeddingModel": .string(frame.embeddingModel),
            ]),
            "nip90Params": .object([
                "max_tokens": .number(Double(defaults.maxTokens)), "temperature": .number(defaults.temperature),
            ]),
        ])
        let tags = [["d", "rakis-" + topic], ["k", String(DVMJob.requestKind)], ["t", "rakis"]]
        return try NostrEvent.signed(kind: kind, tags: tags, content: CanonicalJSON.string(of: content), createdAt: createdAt, by: keys)
    }
}
