import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisNode
import RakisServer

/// A light client: joins the network just long enough to send one request and collect the
/// nodes' consensus results, without running models or keeping a node's data.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send an inference request through a running node (--node) or straight into the network (--relay, --peer).",
        discussion: """
            With --node URL the request goes to that node's HTTP API, with the token from RAKIS_TOKEN or the
            api-token file of --data-dir; it prints the request id, and with --wait follows the request until this
            node's consensus, printing the selected output (--json: the request's whole detail). Exits with 1 when
            consensus failed.

            Without --node it joins the network with a throwaway identity through --relay and/or --peer, sends a p2pInferenceRequest,
            and waits for inferenceQuorumComputed packets from --results nodes (default: the quorum) or until the
            request's windows have closed. Prints every node's selected output (--json: one JSON object). Exits
            with 1 unless enough nodes answered and all of them agree.
            """)

    @Option(help: "The prompt.") var prompt: String
    @Option(help: ArgumentHelp("A running node's HTTP address to send through.", valueName: "URL")) var node: String?
    @Flag(help: "With --node: wait until the node reaches consensus on the request.") var wait = false
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Option(name: .customLong("relay"), help: ArgumentHelp("A Nostr relay to go through (repeatable).", valueName: "URL"))
    var relays: [String] = []
    @Option(name: .customLong("peer"), help: ArgumentHelp("A mesh node to dial (repeatable).", valueName: "URL"))
    var peers: [String] = []
    @Option(help: "Network topic.") var topic = Settings().topic
    @Option(help: "Models a node may answer with (repeatable).") var models: [String] = InferenceRequestDefaults.acceptedModels
    @Option(help: "Commits needed before reveals are requested.") var quorum = InferenceRequestDefaults.quorum
    @Option(help: ArgumentHelp("Request lifetime in seconds: commits close when it ends.", valueName: "SECONDS")) var time = Double(InferenceRequestDefaults.maxTimeMs) / 1000
    @Option(help: "Share of the valid reveals that must sit in one cluster.") var percentage = InferenceRequestDefaults.secPercentage
    @Option(help: "Cluster radius in differing bits of the binary embedding.") var distance = InferenceRequestDefaults.secDistance
    @Option(help: "Tokens each node generates at most.") var maxTokens = InferenceRequestDefaults.maxTokens
    @Option(help: "Sampling temperature; 0 is greedy. Every node samples with the request's seed, so honest nodes agree at any temperature.") var temperature = InferenceRequestDefaults.temperature
    @Option(help: "Consensus results to wait for (default: the quorum).") var results: Int?
    @Option(help: "Share of all nodes that may answer, by the hash of the request id and their id (default: every node).")
    var committeeShare: Double?
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if node != nil {
            guard relays.isEmpty && peers.isEmpty else { throw ValidationError("give either --node or --relay/--peer, not both") }
        } else {
            guard !relays.isEmpty || !peers.isEmpty else { throw ValidationError("give --node URL, or at least one --relay or --peer to reach the network through") }
            guard !wait else { throw ValidationError("--wait goes with --node; through relays and peers submit always waits") }
        }
        try TransportOptions.requireWebSocketURLs(relays + peers, flags: "--relay and --peer")
        if let results, results < 1 { throw ValidationError("--results must be at least 1") }
        guard time.isFinite, time.magnitude < 1e9 else { throw ValidationError("--time must be a number of seconds, e.g. 20") }
        // The limits every request keeps, whoever sends it (the same check as the API's and intake's).
        if let problem = InferenceRequestCheck.problem(with: payload(createdAt: Date())) { throw ValidationError("invalid request: \(problem)") }
    }

    /// The request as the flags describe it.
    func payload(createdAt: Date) -> InferenceRequestPayload {
        InferenceRequestDefaults.payload(
            prompt: prompt, acceptedModels: models, temperature: temperature, maxTokens: maxTokens, quorum: quorum,
            maxTimeMs: Int((time * 1000).rounded()), secDistance: distance, secPercentage: percentage, committeeShare: committeeShare,
            createdAt: createdAt)
    }

    func run() async throws {
        if let node { return try await submitThroughNode(node) }
        LoggingOptions(logLevel: logging.logLevel == .info ? .warning : logging.logLevel, format: logging.logFormat).bootstrap()
        let logger = Logger(label: "rakis.submit")
        var settings = Settings()
        settings.topic = topic
        settings.receivePacketQueueDebounceMs = 10
        let wanted = results ?? quorum
        let deadline = time + Double(settings.quorumRevealTimeoutMs + settings.quorumConsensusWindowMs) / 1000 + 10
        var plan = NetworkPlan()
        if !relays.isEmpty { plan.nostr = .init(relays: relays, secretKey: NodeKeys.freshNostrSecretKey()) }
        if !peers.isEmpty { plan.mesh = .init(listenHost: nil, listenPort: 0, peers: peers) }
        let (requestId, collected) = try await LightClient.request(
            payload(createdAt: Date()), network: plan, settings: settings, wanted: wanted, timeout: .seconds(deadline), logger: logger,
            sent: { requestId in Self.progress("request \(requestId) sent; waiting for \(wanted) consensus results") })

        let hashes = Set(collected.map(\.validInferenceJointHash))
        let agreed = collected.count >= wanted && hashes.count == 1
        if json {
            print(CanonicalJSON.string(of: .object([
                "requestId": .string(requestId), "prompt": .string(prompt), "agreed": .bool(agreed),
                "results": .array(collected.map { result in
                    .object([
                        "verifiedBy": .string(result.verifiedBy), "validInferenceJointHash": .string(result.validInferenceJointHash),
                        "validInferences": .number(Double(result.validInferences.count)),
                        "output": .string(result.validSingleInference.output), "fromSynthientId": .string(result.validSingleInference.fromSynthientId),
                    ])
                }),
            ])))
        } else {
            print("request \(requestId): \(prompt.debugDescription)")
            for result in collected {
                print("  node \(result.verifiedBy.prefix(12)): \(result.validInferences.count) valid, joint hash \(result.validInferenceJointHash.prefix(16)), selected \(result.validSingleInference.output.debugDescription)")
            }
            print(agreed ? "consensus: \(collected.count) nodes agree" : "consensus: \(collected.count) of \(wanted) results, \(hashes.count) different")
        }
        guard agreed else { throw ExitCode(1) }
    }

    private func submitThroughNode(_ url: String) async throws {
        try await NodeClient.using(url: url, token: NodeClient.token(dataDirectory: dataDirectory.directory)) { client in
            try await submit(through: client, url: url)
        }
    }

    private func submit(through client: NodeClient, url: String) async throws {
        let submission = InferenceSubmission(
            prompt: prompt, acceptedModels: models, temperature: temperature, maxTokens: maxTokens,
            securityFrame: .init(
                quorum: quorum, maxTimeMs: Int(time * 1000), secDistance: distance, secPercentage: percentage, committeeShare: committeeShare))
        guard wait else {
            let sent = try await client.post("/api/inferences", submission, as: SubmittedInference.self)
            if json {
                print(CanonicalJSON.string(of: .object(["requestId": .string(sent.requestId), "location": .string(url + sent.location)])))
            } else {
                print(sent.requestId)
            }
            return
        }
        let settings = Settings()
        let limit = Duration.seconds(time + Double(settings.quorumRevealTimeoutMs + settings.quorumConsensusWindowMs) / 1000 + 30)
        // The node's events tell when the quorum moves on; they are followed from before the
        // request is sent, so that none is missed.
        let (sent, _) = try await client.followEvents(for: limit) {
            let sent = try await client.post("/api/inferences", submission, as: SubmittedInference.self)
            progress("request \(sent.requestId) sent; waiting for consensus")
            return sent
        } until: { sent, event in
            guard event.name == "quorum", let update = try? JSONDecoder().decode(QuorumUpdateView.self, from: Data(event.data.utf8)),
                  update.requestId == sent.requestId else { return false }
            progress("status \(update.status)" + (update.reason.map { ": \($0)" } ?? ""))
            return update.isFinal
        }
        let detail = try await client.get(sent.location, as: InferenceDetail.self)
        if json {
            print(String(decoding: try await client.raw(sent.location), as: UTF8.self))
        } else if let consensus = detail.consensus {
            print("request \(sent.requestId): \(prompt.debugDescription)")
            if consensus.succeeded {
                print("consensus: \(consensus.valid.count) of \(consensus.submitted.count) reveals agree; selected \((consensus.selectedOutput ?? "").debugDescription)")
            } else {
                print("consensus failed: \(consensus.failureReason ?? "unknown reason")")
            }
            for peer in detail.peerResults {
                print("  node \(peer.verifiedBy.prefix(12)): \(peer.agreesWithUs == true ? "agrees" : "differs"), selected \(peer.selectedOutput.debugDescription)")
            }
        } else {
            print("request \(sent.requestId): no consensus (status \(detail.status)\(detail.statusReason.map { ": " + $0 } ?? ""))")
        }
        guard detail.consensus?.succeeded == true else { throw ExitCode(1) }
    }

    private func progress(_ message: String) { Self.progress(message) }

    private static func progress(_ message: String) {
        FileHandle.standardError.write(Data("submit: \(message)\n".utf8))
    }
}
