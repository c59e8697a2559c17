import Crypto
import Foundation
import RakisCore

/// A digest of everything a run did in the order it did it (each event's time, kind, node and
/// packet, then every node's outcome): two runs with the same configuration and seed print the
/// same hash, and any change in behaviour changes it.
struct TraceHash {
    private var hasher = SHA256()

    mutating func record(at: Int64, code: UInt8, node: Int, packet: Int) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(25)
        withUnsafeBytes(of: at.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(code)
        withUnsafeBytes(of: Int64(node).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: Int64(packet).littleEndian) { bytes.append(contentsOf: $0) }
        hasher.update(data: bytes)
    }

    mutating func record(_ text: String) { hasher.update(data: Array(text.utf8)) }

    func finalize() -> String { Hex.encode(hasher.finalize()) }
}
