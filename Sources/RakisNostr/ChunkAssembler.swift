import Crypto
package import Foundation
import RakisCore
import RakisP2P

/// Joins the chunks of large packets as they arrive, from any relay and in any order. Bounded:
/// a set that does not complete within `lifetime` is dropped, and so are the oldest sets once the
/// bytes held pass `maxPendingBytes`, so that partial sets from a hostile sender cannot fill memory.
package struct ChunkAssembler: Sendable {
    package enum Outcome: Sendable, Equatable {
        /// More chunks of the set are due.
        case incomplete
        /// The last chunk arrived: the whole envelope, its digest checked.
        case complete([UInt8])
        /// A set this assembler completed before; its copy is ignored.
        case duplicate
        case rejected(String)
    }

    private struct Key: Hashable {
        var sender: String
        var digest: String
        var count: Int
    }

    private struct Partial {
        var slices: [Int: [UInt8]] = [:]
        var bytes = 0
        var startedAt: Date
    }

    let maxPacketBytes: Int
    let maxPendingBytes: Int
    let lifetime: TimeInterval
    private var partials: [Key: Partial] = [:]
    private var order: [Key] = []
    private var pendingBytes = 0
    private var completed: RecentIds

    package init(maxPacketBytes: Int, maxPendingBytes: Int = 16 << 20, lifetime: TimeInterval) {
        self.maxPacketBytes = maxPacketBytes
        self.maxPendingBytes = max(maxPendingBytes, maxPacketBytes)
        self.lifetime = lifetime
        self.completed = RecentIds(capacity: 4_096)
    }

    /// Sets under way (for tests and statistics).
    package var pendingSets: Int { partials.count }

    package mutating func add(_ chunk: NostrChunk, from sender: String, at now: Date) -> Outcome {
        expire(before: now.addingTimeInterval(-lifetime))
        if completed.contains(chunk.digest) { return .duplicate }
        // The smallest slice a sender makes is 96 bytes; more chunks than that allows is a lie.
        guard chunk.count <= maxPacketBytes / 96 + 1 else { return .rejected("\(chunk.count) chunks is more than a packet can need") }
        let key = Key(sender: sender, digest: chunk.digest, count: chunk.count)
        var partial = partials[key] ?? {
            order.append(key)
            return Partial(startedAt: now)
        }()
        guard partial.slices[chunk.index] == nil else { return .incomplete }
        guard partial.bytes + chunk.bytes.count <= maxPacketBytes else {
            drop(key)
            return .rejected("chunks add up to more than \(maxPacketBytes) bytes")
        }
        partial.slices[chunk.index] = chunk.bytes
        partial.bytes += chunk.bytes.count
        pendingBytes += chunk.bytes.count
        partials[key] = partial
        if partial.slices.count == chunk.count {
            let envelope = (0..<chunk.count).flatMap { partial.slices[$0]! }
            drop(key)
            guard Hex.encode(Array(SHA256.hash(data: envelope))) == chunk.digest else {
                return .rejected("joined chunks do not match their digest")
            }
            completed.insert(chunk.digest)
            return .complete(envelope)
        }
        while pendingBytes > maxPendingBytes, let oldest = order.first { drop(oldest) }
        return partials[key] == nil ? .rejected("dropped to stay within \(maxPendingBytes) pending bytes") : .incomplete
    }

    private mutating func expire(before cutoff: Date) {
        while let oldest = order.first, let partial = partials[oldest], partial.startedAt < cutoff { drop(oldest) }
    }

    private mutating func drop(_ key: Key) {
        if let partial = partials.removeValue(forKey: key) { pendingBytes -= partial.bytes }
        order.removeAll { $0 == key }
    }
}
