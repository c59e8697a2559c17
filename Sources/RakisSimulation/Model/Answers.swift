public import Foundation
import RakisCore

/// The evaluation set of the consensus-quality issue with the binary embedding the node's own
/// embedding model gives each answer (`scripts/simulation/embed-eval-set.py`): simulated outputs
/// are real answers of the default model, so clusters have the distances real ones have.
public struct Answers: Sendable {
    public struct Answer: Sendable, Hashable {
        public let output: String
        public let bEmbedding: [UInt8]
    }

    public struct Prompt: Sendable {
        public let text: String
        /// Honest answers by temperature (one at 0.0; one per sampling seed above).
        public let honest: [Double: [Answer]]
        /// Wrong answers, none of them also an honest answer of this prompt.
        public let wrong: [Answer]
    }

    public static let temperatures: [Double] = [0.0, 0.3, 0.7, 1.0]
    public let prompts: [Prompt]
    /// The true binary embedding of every known output: what a verifier's own model computes.
    let embeddingOf: [String: [UInt8]]

    private struct Line: Decodable {
        let prompt: String
        let role: String
        let temperature: Double?
        let output: String
        let bEmbedding: String
    }

    /// The set bundled with rakis.
    public static func bundled() throws(SimulationError) -> Answers {
        guard let url = Bundle.module.url(forResource: "answers", withExtension: "jsonl") else {
            throw .answersUnreadable(reason: "answers.jsonl is missing from the rakis_RakisSimulation.resources folder beside the binary; reinstall rakis")
        }
        return try load(url)
    }

    public static func load(_ url: URL) throws(SimulationError) -> Answers {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw .answersUnreadable(reason: "\(url.path): \(error)") }
        var lines: [Line] = []
        for (number, line) in text.split(separator: "\n").enumerated() {
            guard let parsed = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)), Hex.decode(parsed.bEmbedding) != nil else {
                throw .answersUnreadable(reason: "\(url.lastPathComponent) line \(number + 1) is not an answer with a hex bEmbedding")
            }
            lines.append(parsed)
        }
        return Answers(lines: lines)
    }

    private init(lines: [Line]) {
        var embeddingOf: [String: [UInt8]] = [:]
        var order: [String] = []
        var honest: [String: [Double: [Answer]]] = [:]
        var wrong: [String: [Answer]] = [:]
        for line in lines {
            let answer = Answer(output: line.output, bEmbedding: Hex.decode(line.bEmbedding) ?? [])
            embeddingOf[line.output] = answer.bEmbedding
            if honest[line.prompt] == nil && wrong[line.prompt] == nil { order.append(line.prompt) }
            if line.role == "honest" {
                honest[line.prompt, default: [:]][line.temperature ?? 0, default: []].append(answer)
            } else {
                wrong[line.prompt, default: []].append(answer)
            }
        }
        prompts = order.compactMap { text in
            guard let byTemperature = honest[text] else { return nil }
            let honestOutputs = Set(byTemperature.values.joined().map(\.output))
            let wrongOnes = (wrong[text] ?? []).filter { !honestOutputs.contains($0.output) }
            guard !wrongOnes.isEmpty else { return nil }
            return Prompt(text: text, honest: byTemperature, wrong: wrongOnes)
        }
        self.embeddingOf = embeddingOf
    }
}
