public import Foundation
import RakisCore

/// A `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw tensor data. Tensors are read
/// in place, never copied.
public final class Safetensors: @unchecked Sendable {
    public struct TensorInfo: Sendable {
        public let dtype: String
        public let shape: [Int]
        package let begin: Int
        package let end: Int
    }

    public let url: URL
    public let tensors: [String: TensorInfo]
    // The mapped file: immutable after init, so sharing it between threads is safe.
    private let data: Data
    private let dataStart: Int

    public init(url: URL) throws(EmbeddingError) {
        self.url = url
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .modelFileMissing(path) }
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw .modelFileUnreadable(path, error.localizedDescription)
        }
        let header = try SafetensorsHeader(file: data, path: path)
        tensors = header.tensors
        dataStart = header.dataStart
    }

    /// A float32 tensor's values, checked against the expected shape.
    public func floats(_ name: String, shape expected: [Int]) throws(EmbeddingError) -> UnsafeBufferPointer<Float> {
        guard let info = tensors[name] else { throw .modelFileCorrupt(url.path, "tensor \(name) is missing") }
        guard info.dtype == "F32" else { throw .modelFileCorrupt(url.path, "tensor \(name) is \(info.dtype), expected F32") }
        guard info.shape == expected else {
            throw .modelFileCorrupt(url.path, "tensor \(name) has shape \(info.shape), expected \(expected)")
        }
        guard (dataStart + info.begin) % MemoryLayout<Float>.alignment == 0 else {
            throw .modelFileCorrupt(url.path, "tensor \(name) is not aligned to 4 bytes")
        }
        let count = expected.reduce(1, *)
        guard info.end - info.begin == count * MemoryLayout<Float>.size else {
            throw .modelFileCorrupt(url.path, "tensor \(name) has \(info.end - info.begin) bytes for \(count) floats")
        }
        return data.withUnsafeBytes { raw in
            // The mapping (page-aligned) lives as long as `self`; alignment was checked above.
            let start = raw.baseAddress! + dataStart + info.begin
            return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: count)
        }
    }
}
