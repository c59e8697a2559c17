import Foundation
import Logging
import RakisNode

/// Reports model loading until every model has a loaded worker (or one failed): a progress bar
/// redrawn in place on a terminal, plain log lines at each quarter otherwise, then `models ready`
/// so that an operator, or a script, knows when the node starts answering requests.
struct ModelLoadReport {
    let node: RakisNode
    let models: NodeModels
    let logger: Logger
    var terminal = TerminalStatusLine.standardError
    /// A bar on a terminal; plain log lines otherwise (and always with JSON logs).
    var drawsBar = TerminalStatusLine.standardError.isTerminal

    func run() async {
        let started = ContinuousClock.now
        let names = (models.llms.map(\.configuration.name) + models.embeddings.map(\.name)).joined(separator: ", ")
        logger.info("loading models", metadata: ["models": "\(names)"])
        var reportedQuarter: [String: Int] = [:]
        // Redrawn on every change of a worker: load progress, loaded, failed.
        for await _ in await node.workerChanges() {
            let progress = await currentProgress()
            if drawsBar {
                draw(progress)
            } else {
                for (model, fraction) in progress {
                    let quarter = Int(fraction * 4)
                    if quarter > reportedQuarter[model, default: 0], quarter < 4 {
                        reportedQuarter[model] = quarter
                        logger.info("loading model", metadata: ["model": "\(model)", "progress": "\(quarter * 25)%"])
                    }
                }
            }
            do {
                guard try await node.modelsReady() else { continue }
                if drawsBar {
                    draw(progress.map { ($0.0, 1.0) })
                    terminal.finish()
                }
                let elapsed = ContinuousClock.now - started
                logger.info("models ready", metadata: ["models": "\(names)", "seconds": "\(elapsed.components.seconds)"])
                return
            } catch {
                if drawsBar { terminal.finish() }
                logger.error("a model failed to load; this node will not infer", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Per model, the load progress of its furthest worker.
    private func currentProgress() async -> [(String, Double)] {
        let workers = await node.workers()
        let models = models.llms.map(\.configuration.name) + models.embeddings.map(\.name)
        return models.map { model in (model, workers.filter { $0.model == model }.map(\.progress).max() ?? 0) }
    }

    private func draw(_ progress: [(String, Double)]) {
        let width = 20
        let bars = progress.map { model, fraction in
            let clamped = min(1, max(0, fraction))
            let filled = Int(clamped * Double(width))
            return "\(model) [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] \(Int(clamped * 100))%"
        }
        terminal.show("loading " + bars.joined(separator: "  "))
    }
}
