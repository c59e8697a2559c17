import Foundation
import RakisInference

extension FuzzTarget {
    /// The header of an embedding model's `.safetensors` file, which `rakis` reads before any
    /// weight: a damaged or hostile file must be an error, never a trap.
    static let safetensorsHeader = FuzzTarget(name: "safetensors-header", summary: "safetensors header (length, JSON, tensor entries)") {
        bytes throws(FuzzFinding) in
        guard let header = try? SafetensorsHeader(file: Data(bytes), path: "fuzz.safetensors") else { return }
        try FuzzFinding.require(header.dataStart >= 8 && header.dataStart <= bytes.count, "the payload starts at \(header.dataStart) in \(bytes.count) bytes")
        for (name, tensor) in header.tensors {
            try FuzzFinding.require(
                0 <= tensor.begin && tensor.begin <= tensor.end && header.dataStart + tensor.end <= bytes.count,
                "tensor \(name) spans \(tensor.begin)..<\(tensor.end) past the end of \(bytes.count) bytes")
        }
    }
}
