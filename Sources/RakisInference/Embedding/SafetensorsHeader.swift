public import Foundation
import RakisCore

/// The header of a `.safetensors` file, read from untrusted bytes: an 8-byte little-endian
/// length, then a JSON object naming each tensor's dtype, shape and byte range in the payload
/// that follows. Every number is checked before it becomes an `Int`, so a damaged or hostile
/// file is an `EmbeddingError.modelFileCorrupt`, never a trap.
package struct SafetensorsHeader: Sendable {
    /// The largest dimension accepted in a shape: far above any real tensor, far below overflow.
    static let maxDimension = Double(Int32.max)

    package let tensors: [String: Safetensors.TensorInfo]
    /// Where the payload starts: 8 + the header's length.
    package let dataStart: Int

    package init(file data: Data, path: String) throws(EmbeddingError) {
        guard data.count >= 8 else { throw .modelFileCorrupt(path, "shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= 100_000_000, 8 + Int(headerLength) <= data.count else {
            throw .modelFileCorrupt(path, "header length \(headerLength) does not fit in a \(data.count)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        self.dataStart = dataStart
        let header: JSONValue
        do {
            header = try JSONParser(maxDepth: 8, maxBytes: Int(headerLength)).parse(data[data.startIndex + 8..<data.startIndex + dataStart])
        } catch {
            throw .modelFileCorrupt(path, "header is not valid JSON: \(error)")
        }
        guard case .object(let entries) = header else { throw .modelFileCorrupt(path, "header is not a JSON object") }
        var tensors: [String: Safetensors.TensorInfo] = [:]
        let payload = data.count - dataStart
        for (name, entry) in entries where name != "__metadata__" {
            guard case .string(let dtype)? = entry["dtype"], case .array(let shapeValues)? = entry["shape"],
                  case .array(let offsets)? = entry["data_offsets"], offsets.count == 2,
                  case .number(let begin) = offsets[0], case .number(let end) = offsets[1],
                  begin >= 0, end >= begin, end <= Double(payload)
            else { throw .modelFileCorrupt(path, "tensor \(name) has a malformed header entry") }
            let shape = shapeValues.compactMap { value -> Int? in
                if case .number(let n) = value, n >= 0, n <= Self.maxDimension, n == n.rounded() { return Int(n) }
                return nil
            }
            guard shape.count == shapeValues.count else { throw .modelFileCorrupt(path, "tensor \(name) has a malformed shape") }
            tensors[name] = Safetensors.TensorInfo(dtype: dtype, shape: shape, begin: Int(begin), end: Int(end))
        }
        self.tensors = tensors
    }
}
