import Foundation
public import RakisCore
public import RakisP2P

/// Collects what a transport delivers, in the background, for tests to inspect.
public final class TransportInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [TransportDelivery] = []

    public init(_ transport: any P2PTransport) {
        Task { for await delivery in transport.incoming { self.append(delivery) } }
    }

    private func append(_ item: TransportDelivery) { lock.withLock { items.append(item) } }
    public var all: [TransportDelivery] { lock.withLock { items } }
    public func contains(_ bytes: [UInt8]) -> Bool { all.contains { $0.bytes == bytes } }
}

extension SamplePackets {
    /// The wire bytes of a real, signed `inferenceCommit` envelope, distinct for each `n`.
    public static func commitEnvelope(_ n: Int, by identity: NodeIdentity = .generate()) throws -> [UInt8] {
        try identity.sign(.inferenceCommit(InferenceCommit(
            requestId: "req-\(n)", inferenceId: "inf-\(n)", bEmbeddingHash: String(repeating: "0f", count: 32), createdAt: Date()))).wireBytes
    }
}
