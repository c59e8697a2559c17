import Crypto
import Foundation
import RakisCore

extension TextEmbedder {
    /// Hex SHA-256 of the IEEE bit patterns of the embeddings of `texts`, in order: one value
    /// that changes if any bit of any embedding changes. The tests (debug build) and the
    /// benchmark (release build) both compare it with Tests/Fixtures/minilm-rakis-digest.txt.
    public func digest(of texts: [String]) throws -> String {
        var hasher = SHA256()
        for text in texts {
            for value in try embed(text) { withUnsafeBytes(of: value.bitPattern.littleEndian) { hasher.update(bufferPointer: $0) } }
        }
        return Hex.encode(hasher.finalize())
    }
}
