@testable import RakisServer
import Testing

@Suite struct EmbeddingMapTests {
    @Test func pointsKeepTheirDistances() {
        // Three points on a line and one off it: MDS in two dimensions reproduces them exactly.
        let points: [(Double, Double)] = [(0, 0), (30, 0), (60, 0), (30, 40)]
        let distances = points.map { a in points.map { b in Int(((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).squareRoot().rounded()) } }
        let placed = EmbeddingMap.coordinates(distances: distances)
        #expect(placed.count == 4)
        for i in 0..<4 {
            for j in 0..<4 {
                let d = ((placed[i].x - placed[j].x) * (placed[i].x - placed[j].x) + (placed[i].y - placed[j].y) * (placed[i].y - placed[j].y)).squareRoot()
                #expect(abs(d - Double(distances[i][j])) < 0.5, "\(i)-\(j): \(d) vs \(distances[i][j])")
            }
        }
        #expect(EmbeddingMap.coordinates(distances: distances).map(\.x) == placed.map(\.x), "deterministic")
    }

    @Test func degenerateInputsGiveSensiblePictures() {
        #expect(EmbeddingMap.coordinates(distances: []).isEmpty)
        #expect(EmbeddingMap.coordinates(distances: [[0]]).map(\.x) == [0])
        let same = EmbeddingMap.coordinates(distances: [[0, 0], [0, 0]])
        #expect(same.count == 2 && same.allSatisfy { $0.x.isFinite && $0.y.isFinite })
        #expect(EmbeddingMap.coordinates(distances: [[0, 1], [1]]).isEmpty, "a ragged matrix is refused")
    }
}
