import Foundation

/// Places points in the plane so that their distances resemble the given ones: classical
/// multidimensional scaling (double-centred squared distances, the two leading eigenvectors by
/// power iteration). Deterministic: the start vectors are fixed, so every node draws the same picture.
enum EmbeddingMap {
    static func coordinates(distances: [[Int]]) -> [(x: Double, y: Double)] {
        let n = distances.count
        guard n > 0, distances.allSatisfy({ $0.count == n }) else { return [] }
        guard n > 1 else { return [(0, 0)] }
        var b = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        let squared = distances.map { $0.map { Double($0) * Double($0) } }
        let rowMeans = squared.map { $0.reduce(0, +) / Double(n) }
        let mean = rowMeans.reduce(0, +) / Double(n)
        for i in 0..<n { for j in 0..<n { b[i][j] = -0.5 * (squared[i][j] - rowMeans[i] - rowMeans[j] + mean) } }

        var axes: [(value: Double, vector: [Double])] = []
        for axis in 0..<2 {
            var v = (0..<n).map { Double(($0 * 7 + axis * 3) % (n + 1) + 1) }
            var value = 0.0
            for _ in 0..<200 {
                var w = multiply(b, v)
                for previous in axes {  // deflate: remove what earlier axes explain
                    let dot = zip(previous.vector, v).map(*).reduce(0, +)
                    for k in 0..<n { w[k] -= previous.value * dot * previous.vector[k] }
                }
                let norm = sqrt(w.map { $0 * $0 }.reduce(0, +))
                guard norm > 1e-12 else { value = 0; break }
                value = zip(v, w).map(*).reduce(0, +) / max(1e-12, v.map { $0 * $0 }.reduce(0, +))
                v = w.map { $0 / norm }
            }
            axes.append((max(0, value), v))
        }
        return (0..<n).map { i in (axes[0].vector[i] * sqrt(axes[0].value), axes[1].vector[i] * sqrt(axes[1].value)) }
    }

    private static func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] {
        m.map { row in zip(row, v).map(*).reduce(0, +) }
    }
}
