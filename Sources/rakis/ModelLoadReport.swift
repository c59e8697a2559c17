import Foundation
import Logging
import RakisNode
import ServiceLifecycle

/// Reports model loading until every model has a loaded worker (or one failed): a progress bar
/// redrawn in place on a terminal, plain log lines at each quarter otherwise, then `models ready`
/// so that an operator, or a script, knows when the node starts answering requests. A service of
/// `rakis run`'s group that ends when its report is done, or when the group shuts down first.
struct ModelLoadReport: Service {
    let node: RakisNode
    let models: NodeModels
    let logger: Logger
    var terminal = TerminalStatusLine.standardError
    /// A bar on a terminal; plain log lines otherwise (and always with JSON logs).
    var drawsBar = TerminalStatusLine.standardError.isTerminal

    func run() async throws {
        await cancelWhenGracefulShutdown { await report() }
    }

    func report() async {
        let started = ContinuousClock.now
        let names = (models.llms.map(\.configuration.name) + models.embeddings.map(\.name)).joined(separator: ", ")
        logger.info("loading models", metadata: ["models": "\(names)"])
        var reportedQuarter: [String: Int] = [:]
        // Subscribed before the first look, so that a worker loading in between is not missed.
        let changes = await node.workerChanges()
        if await show(started: started, names: names, reported: &reportedQuarter) { return }
        // Redrawn on every change of a worker: load progress, loaded, failed.
        for await _ in changes where await show(started: started, names: names, reported: &reportedQuarter) { return }
    }

    /// Shows where loading stands; true once it is over (every model loaded, or one failed).
    private func show(started: ContinuousClock.Instant, names: String, reported reportedQuarter: inout [String: Int]) async -> Bool {
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
            guard try await node.modelsReady() else { return false }
            if drawsBar {
                draw(progress.map { ($0.0, 1.0) })
                terminal.finish()
            }
            let elapsed = ContinuousClock.now - started
            logger.info("models ready", metadata: ["models": "\(names)", "seconds": "\(elapsed.components.seconds)"])
        } catch {
            if drawsBar { terminal.finish() }
            logger.error("a model failed to load; this node will not infer", metadata: ["error": "\(error)"])
        }
        return true
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
