import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisNode
import RakisP2P
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node until Ctrl-C (SIGINT) or SIGTERM, then shut down cleanly.",
        discussion: """
            Settings come from the defaults, then DIR/config.json, then RAKIS_<SETTING> environment variables
            (e.g. RAKIS_MAX_PACKET_DB_SIZE), then --set NAME=VALUE flags, each later one winning.

            The node joins the network through the Nostr relays of the nostrRelays setting (the first relayRedundancy
            of them), or those given with --relay; their events are signed with the node's Nostr key, kept in its key
            file (added on the first run of a key file that has none). With --listen and/or --peer it also joins the
            direct mesh. Every packet goes out on every transport; what arrives twice is processed once.
            """)

    @OptionGroup var dataDirectory: DataDirectoryOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting, e.g. --set maxPacketDBSize=10000 (repeatable).", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @OptionGroup var network: TransportOptions

    @Flag(help: "Run without models: the node takes part in the network (stores, relays, shows packets) but infers nothing.")
    var noModels = false

    @Option(help: "LLM workers for the default model (Gemma 3 270M).") var llmWorkers = 1
    @Option(help: "Threads each LLM worker computes with.") var llmThreads = 1
    @Option(help: "Embedding workers for the default embedding model (all-MiniLM-L6-v2).") var embeddingWorkers = 1

    func validate() throws {
        guard (1...64).contains(llmWorkers), (1...64).contains(embeddingWorkers), (1...256).contains(llmThreads) else {
            throw ValidationError("--llm-workers and --embedding-workers must be 1 to 64, --llm-threads 1 to 256")
        }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "rakis")
        let directory = dataDirectory.directory
        guard directory.exists else {
            throw CLIError("no data directory at \(directory.url.path); create a node with `rakis init --data-dir \(directory.url.path)`")
        }
        let settings = try SettingsLoader.load(
            configFile: directory.configFile, assignments: assignments + network.settingsAssignments)
        let password = try PasswordPrompt.existing()
        var keystore = try Keystore.read(from: directory.keyFile, password: password)
        let identity = try keystore.identity()

        let transports = try network.transports(
            settings: settings, identity: identity, keystore: &keystore,
            save: { try $0.write(to: directory.keyFile, password: password, overwrite: true) }, logger: logger)

        var models = NodeModels()
        if !noModels {
            models = try NodeModels.defaults(threadsPerLLMWorker: llmThreads)
            for index in models.llms.indices { models.llms[index].workers = llmWorkers }
            for index in models.embeddings.indices { models.embeddings[index].workers = embeddingWorkers }
        }
        let node = try RakisNode(
            identity: identity, settings: settings, dataDirectory: directory, transports: transports, models: models, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: node)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("running; press Ctrl-C to stop", metadata: ["dataDir": "\(directory.url.path)"])
        let watcher = models.llms.isEmpty && models.embeddings.isEmpty ? nil : Task {
            await Self.reportWhenModelsAreReady(node, models: models, logger: logger)
        }
        defer { watcher?.cancel() }
        try await group.run()
        let stored = try await node.p2p.packetDB.store.count()
        logger.info("shut down cleanly", metadata: ["packetsStored": "\(stored)"])
    }

    /// Logs once every model has a loaded worker (or one failed), so that an operator, or a
    /// script, knows when the node starts answering requests.
    private static func reportWhenModelsAreReady(_ node: RakisNode, models: NodeModels, logger: Logger) async {
        let started = ContinuousClock.now
        let names = (models.llms.map(\.configuration.name) + models.embeddings.map(\.name)).joined(separator: ", ")
        logger.info("loading models", metadata: ["models": "\(names)"])
        while !Task.isCancelled {
            do {
                if try await node.modelsReady() {
                    let elapsed = ContinuousClock.now - started
                    logger.info("models ready", metadata: ["models": "\(names)", "seconds": "\(elapsed.components.seconds)"])
                    return
                }
            } catch {
                logger.error("a model failed to load; this node will not infer", metadata: ["error": "\(error)"])
                return
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
