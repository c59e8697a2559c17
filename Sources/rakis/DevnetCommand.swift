import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisNode

struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Run a local network of nodes in this process and reach consensus on one prompt.",
        discussion: """
            Starts N nodes on the in-memory transport (or, with --relay and/or --mesh, on real Nostr relays and direct
            WebSocket connections) with the default models, each with its own data directory
            under a temporary folder, submits the prompt from node 1 and waits until every node has completed or
            failed the request. Prints, per node, the quorum, the valid inferences and the selected output (--json:
            one JSON object). Exits with 1 unless every node reached the same consensus.

            With --chain it also starts the test chain of this checkout (a real EVM behind JSON-RPC), deploys the inbox,
            funds and registers a wallet per node, and makes the request on chain instead (--requests N: N of them, one
            after another); the nodes find it, agree, attest, and one of them fulfils it on chain. Prints the
            fulfilment and the time from the request's end (endingAt) to the fulfilment seen on chain.
            """)

    @Option(help: "Nodes to start.") var nodes = 3
    @Option(help: "The prompt to submit.") var prompt = "Write one sentence about the sea."
    @Option(help: "Commits needed before reveals are requested (default: every node).") var quorum: Int?
    @Option(help: ArgumentHelp("Request lifetime (maxTimeMs) in seconds: commits close when it ends.", valueName: "SECONDS"))
    var time: Double = 20
    @Option(help: "Tokens each node generates at most.") var maxTokens = InferenceRequestDefaults.maxTokens
    @Option(help: "Sampling temperature; 0 is greedy. Every node samples with the request's seed, so honest nodes agree at any temperature.")
    var temperature = InferenceRequestDefaults.temperature
    @Option(help: "Cluster radius in differing bits of the 384-bit binary embedding.") var secDistance = InferenceRequestDefaults.secDistance
    @Option(help: "Share of the valid reveals that must sit in one cluster.") var secPercentage = InferenceRequestDefaults.secPercentage
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Keep the nodes' data directories here instead of a temporary folder.", valueName: "DIR"))
    var dataDirectory: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting of every node (repeatable).", valueName: "NAME=VALUE"))
    var assignments: [String] = []
    @Option(name: .customLong("relay"), help: ArgumentHelp(
        "Connect the nodes through this Nostr relay instead of in memory (repeatable).", valueName: "URL"))
    var relays: [String] = []
    @Flag(help: "Connect the nodes through the direct mesh on loopback (with --relay: both at once).") var mesh = false
    @Option(help: "Network topic on the relays (default: a fresh one, so that other devnets never mix in).") var topic: String?
    @Flag(help: "Start the test chain, deploy the inbox, register the nodes and make the request on chain.") var chain = false
    @Option(help: "With --chain: requests to make on chain, one after another.") var requests = 1
    @Option(help: "With --chain: each request's reward, wei or ether (0.01ether).") var reward = "0.01ether"
    @Flag(help: "Print one JSON object with every node's view instead of text.") var json = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .warning

    func validate() throws {
        guard (1...32).contains(nodes) else { throw ValidationError("--nodes must be between 1 and 32") }
        if let quorum, !(1...nodes).contains(quorum) { throw ValidationError("--quorum must be between 1 and --nodes (\(nodes))") }
        guard time >= 1 && time <= 3600 else { throw ValidationError("--time must be between 1 and 3600 seconds") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard secPercentage > 0 && secPercentage <= 1 else { throw ValidationError("--sec-percentage must be in (0, 1]") }
        guard !prompt.isEmpty else { throw ValidationError("--prompt must not be empty") }
        try TransportOptions.requireWebSocketURLs(relays, flags: "--relay")
        guard (1...1000).contains(requests) else { throw ValidationError("--requests must be between 1 and 1000") }
        guard chain || requests == 1 else { throw ValidationError("--requests needs --chain") }
        if chain { _ = try InboxTools.wei(reward) }
    }

    func run() async throws {
        LoggingOptions(logLevel: logLevel).bootstrap()
        let models = try NodeModels.defaults()
        var settings = try SettingsLoader.load(configFile: nil, assignments: assignments)
        if !relays.isEmpty || mesh { settings.topic = topic ?? "rakis-devnet-\(UUID().uuidString.prefix(8).lowercased())" }
        let root = dataDirectory.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("rakis-devnet-\(UUID().uuidString.prefix(8))")
        let chainRun = chain ? try await DevnetChain.start(nodes: nodes, progress: progress) : nil
        if let chainRun { settings.chains = [chainRun.setting] }
        let wallets = chainRun?.wallets
        let devnet = try LocalDevnet(root: root, settings: settings, nodes: nodes, relays: relays, mesh: mesh, wallets: { wallets?[$0] }) { _ in models }
        defer {
            chainRun?.stop()
            if dataDirectory == nil { try? FileManager.default.removeItem(at: root) }
        }
        let clock = ContinuousClock()
        let started = clock.now
        var over: [String] = []
        if !relays.isEmpty { over.append("relays \(relays.joined(separator: ", "))") }
        if mesh { over.append("the mesh on loopback") }
        progress("starting \(nodes) nodes in \(root.path)" + (over.isEmpty ? "" : " on \(over.joined(separator: " and ")), topic \(settings.topic)"))
        do {
            try await devnet.start(nodes: nodes)
            try await devnet.waitUntilReady()
        } catch {
            await devnet.shutdown()
            throw error
        }
        progress("models loaded on every node after \(seconds(clock.now - started)) s")
        if let chainRun {
            try await runOnChain(devnet, chainRun, settings: settings)
            return
        }

        let payload = requestPayload()
        let first = await devnet.members[0].node
        let requestId: String
        do { requestId = try await first.submit(payload) } catch {
            await devnet.shutdown()
            throw error
        }
        progress("request \(requestId) submitted by node 1; commits close in \(Int(time)) s, then reveal and consensus")
        var waitError: (any Error)?
        do { try await devnet.waitForOutcome(requestId: requestId, timeout: outcomeTimeout(settings)) } catch { waitError = error }
        let report = try await devnet.report(requestId: requestId)
        await devnet.shutdown()

        let afterEnding = report.nodes.compactMap { $0.consensus?.computedAt.timeIntervalSince(payload.endingAt) }
        if json {
            var object = report.json
            object["prompt"] = .string(prompt)
            object["endingAt"] = .string(ISO8601Timestamp.format(payload.endingAt))
            object["consensusSecondsAfterEndingAt"] = .array(afterEnding.map { .number(($0 * 1000).rounded() / 1000) })
            print(CanonicalJSON.string(of: .object(object)))
        } else {
            printText(report, afterEnding: afterEnding)
        }
        if let waitError { throw CLIError("\(waitError)") }
        guard report.agreed else { throw ExitCode(1) }
    }

    /// The request the options describe, created now.
    func requestPayload() -> InferenceRequestPayload {
        InferenceRequestPayload(
            fromChain: "devnet", blockNumber: 0, createdAt: Date(), prompt: prompt, acceptedModels: [ModelLocator.defaultLLMName],
            temperature: temperature, maxTokens: maxTokens,
            securityFrame: SecurityFrame(
                quorum: quorum ?? nodes, maxTimeMs: Int(time * 1000), secDistance: secDistance, secPercentage: secPercentage,
                embeddingModel: ModelLocator.defaultEmbeddingName))
    }

    /// How long a request may take from its creation to every node's outcome.
    func outcomeTimeout(_ settings: Settings) -> Duration {
        .seconds(time + Double(settings.quorumRevealTimeoutMs + settings.quorumConsensusWindowMs) / 1000 + 30)
    }

    func printText(_ report: DevnetReport, afterEnding: [Double]) {
        let short = { (id: String) in String(id.prefix(12)) }
        let nodeNumber = Dictionary(report.nodes.map { ($0.synthientId, $0.index + 1) }, uniquingKeysWith: { a, _ in a })
        print("request \(report.requestId): \(prompt.debugDescription)")
        for node in report.nodes {
            print("")
            print("node \(node.index + 1) (\(short(node.synthientId))): \(node.status?.rawValue ?? "no quorum")\(node.statusReason.map { " — \($0)" } ?? "")")
            print("  own output: \(node.ownResult?.output?.debugDescription ?? node.ownResult?.failureReason ?? "none")")
            print("  quorum: \(node.quorum.count) commits")
            for commit in node.quorum {
                print("    node \(nodeNumber[commit.synthientId].map(String.init) ?? "?") \(short(commit.synthientId)) inference \(short(commit.inferenceId)) bEmbeddingHash \(short(commit.bEmbeddingHash))")
            }
            for reveal in node.reveals where reveal.rejectReason != nil {
                print("    rejected reveal from \(short(reveal.synthientId)): \(reveal.rejectReason!)")
            }
            guard let consensus = node.consensus else { continue }
            for rejection in consensus.details.rejections {
                print("    rejected by verification, \(short(rejection.synthientId)): \(rejection.reason)")
            }
            if let selected = consensus.selected, let hash = consensus.validInferenceJointHash {
                print("  valid inferences: \(consensus.details.valid.count) of \(consensus.details.submitted.count) (cluster of \(consensus.details.neededClusterSize)+ needed)")
                print("  validInferenceJointHash: \(hash)")
                print("  selected output (from node \(nodeNumber[selected.synthientId].map(String.init) ?? "?")): \(selected.output.debugDescription)")
            } else {
                print("  consensus failed: \(consensus.failureReason ?? "?")")
            }
        }
        print("")
        if report.agreed {
            let slowest = afterEnding.max() ?? 0
            print("consensus: every node agrees (\(report.nodes.count) nodes), at most \(String(format: "%.2f", slowest)) s after endingAt")
        } else {
            print("consensus: the nodes did not all reach the same result")
        }
    }

    func progress(_ message: String) {
        FileHandle.standardError.write(Data("devnet: \(message)\n".utf8))
    }

    func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
