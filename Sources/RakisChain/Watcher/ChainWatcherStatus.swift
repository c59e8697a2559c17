/// A watcher's view of its chain: the chain id once connected, the head at its last look, the
/// next block it will read, and why its last look failed, if it did.
public struct ChainWatcherStatus: Sendable, Equatable {
    public var name: String
    public var chainId: UInt64?
    public var head: UInt64?
    public var nextBlock: UInt64?
    public var lastError: String?

    /// Blocks between the head and the last block read (the confirmation depth included).
    public var headLag: UInt64? {
        guard let head, let nextBlock else { return nil }
        return head >= nextBlock ? head - nextBlock + 1 : 0
    }
}
