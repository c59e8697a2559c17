/// The nonces one wallet hands out on one chain: the larger of the node's pending count and the
/// next one handed out here, so that two transactions sent before either reaches the node's pool
/// never share one. A pure value: its owner (the reporter actor) reads the chain, then takes the
/// nonce with no suspension in between.
public struct NonceCounter: Sendable, Equatable {
    private var next: UInt64?

    public init() {}

    public mutating func take(pendingOnChain: UInt64) -> UInt64 {
        let nonce = max(pendingOnChain, next ?? 0)
        next = nonce + 1
        return nonce
    }

    /// A send failed, so its nonce may not have been taken: the next one follows the chain again.
    public mutating func sendFailed() { next = nil }
}
