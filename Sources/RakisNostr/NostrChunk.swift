import Crypto
import Foundation
import RakisCore
import RakisP2P

/// A slice of a packet too large for a relay's limits. The envelope's bytes are cut into slices
/// that travel base64-encoded as the content of separate events, each tagged
/// `["chunk", <hex SHA-256 of the whole envelope>, <index>, <count>]`. A receiver joins them,
/// checks the digest, and hands intake one envelope whose own signature covers the whole packet.
package struct NostrChunk: Sendable, Equatable {
    static let tagName = "chunk"

    var digest: String
    var index: Int
    var count: Int
    var bytes: [UInt8]

    package var tag: [String] { [Self.tagName, digest, String(index), String(count)] }
    package var content: String { Data(bytes).base64EncodedString() }

    /// Room left in an event's message for everything but the content: id, pubkey, signature,
    /// kind, timestamps and tags (a topic of up to 256 characters included).
    static let messageOverhead = 1_024

    /// The most envelope bytes one chunk event carries under `limits`.
    static func sliceBytes(for limits: RelayLimits) -> Int {
        let characters = min(limits.maxContentLength, limits.maxMessageLength - messageOverhead)
        return max(96, characters / 4 * 3)
    }

    /// Cuts an envelope into slices of at most `sliceBytes` each.
    package static func split(_ envelope: [UInt8], sliceBytes: Int) -> [NostrChunk] {
        let digest = Hex.encode(Array(SHA256.hash(data: envelope)))
        let count = max(1, (envelope.count + sliceBytes - 1) / sliceBytes)
        return (0..<count).map { index in
            let start = index * sliceBytes
            return NostrChunk(digest: digest, index: index, count: count, bytes: Array(envelope[start..<min(envelope.count, start + sliceBytes)]))
        }
    }

    /// The chunk an event carries; nil when it carries a whole packet.
    package init?(event: NostrEvent) throws(NostrEventError) {
        guard let tag = event.tags.first(where: { $0.first == Self.tagName }) else { return nil }
        guard tag.count >= 4, Hex.isLowercaseHex(tag[1], byteCount: 32), let index = Int(tag[2]), let count = Int(tag[3]),
              count >= 1, (0..<count).contains(index)
        else { throw .malformed("chunk tag must be [\"chunk\", <64 hex digits>, <index>, <count>] with index < count") }
        guard let data = Data(base64Encoded: event.content), !data.isEmpty else {
            throw .malformed("chunk content must be non-empty base64")
        }
        self.init(digest: tag[1], index: index, count: count, bytes: Array(data))
    }

    init(digest: String, index: Int, count: Int, bytes: [UInt8]) {
        self.digest = digest
        self.index = index
        self.count = count
        self.bytes = bytes
    }
}
