import Crypto

/// The binary form of an embedding that commits and consensus work on.
public enum BinaryEmbedding {
    /// One bit per dimension, 1 where the value is > 0, packed eight to a byte with the first
    /// dimension in the most significant bit (numpy's `packbits`); a final partial byte is
    /// padded with zero bits.
    public static func pack(_ embedding: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (embedding.count + 7) / 8)
        for (index, value) in embedding.enumerated() where value > 0 {
            bytes[index / 8] |= 0x80 >> UInt8(index % 8)
        }
        return bytes
    }

    /// `bEmbeddingHash`: hex SHA-256 of the packed bits followed by the UTF-8 of the node's
    /// synthientId, so that a commit cannot be copied by another node.
    public static func hash(_ bEmbedding: [UInt8], synthientId: String) -> String {
        var hasher = SHA256()
        hasher.update(data: bEmbedding)
        hasher.update(data: Array(synthientId.utf8))
        return Hex.encode(hasher.finalize())
    }

    /// Differing bits between two binary embeddings of the same length (nil otherwise).
    public static func hammingDistance(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        guard a.count == b.count else { return nil }
        var distance = 0
        for index in a.indices { distance += (a[index] ^ b[index]).nonzeroBitCount }
        return distance
    }
}
