public import Foundation
import RakisCore

/// A `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw tensor data. Tensors are read
/// in place, never copied.
public final class Safetensors: @unchecked Sendable {
    public struct TensorInfo: Sendable {
        public let dtype: String
        public let shape: [Int]
        let begin: Int
        let end: Int
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
        guard data.count >= 8 else { throw .modelFileCorrupt(path, "shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= 100_000_000, 8 + Int(headerLength) <= data.count else {
            throw .modelFileCorrupt(path, "header length \(headerLength) does not fit in a \(data.count)-byte file")
        }
        dataStart = 8 + Int(headerLength)
        let header: JSONValue
        do {
            header = try JSONParser(maxDepth: 8, maxBytes: Int(headerLength)).parse(data[8..<dataStart])
        } catch {
            throw .modelFileCorrupt(path, "header is not valid JSON: \(error)")
        }
        guard case .object(let entries) = header else { throw .modelFileCorrupt(path, "header is not a JSON object") }
        var tensors: [String: TensorInfo] = [:]
        let payload = data.count - dataStart
        for (name, entry) in entries where name != "__metadata__" {
            guard case .string(let dtype)? = entry["dtype"], case .array(let shapeValues)? = entry["shape"],
                  case .array(let offsets)? = entry["data_offsets"], offsets.count == 2,
                  case .number(let begin) = offsets[0], case .number(let end) = offsets[1],
                  begin >= 0, end >= begin, end <= Double(payload)
            else { throw .modelFileCorrupt(path, "tensor \(name) has a malformed header entry") }
            let shape = shapeValues.compactMap { value -> Int? in
                if case .number(let n) = value, n >= 0, n == n.rounded() { return Int(n) }
                return nil
            }
            guard shape.count == shapeValues.count else { throw .modelFileCorrupt(path, "tensor \(name) has a malformed shape") }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, begin: Int(begin), end: Int(end))
        }
        self.tensors = tensors
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
