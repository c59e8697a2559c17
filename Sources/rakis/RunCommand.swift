import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisNode
import RakisServer
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node until Ctrl-C (SIGINT) or SIGTERM, then shut down cleanly.",
        discussion: """
            Settings come from the defaults, then DIR/config.json (or --config FILE), then RAKIS_<SETTING> \
            environment variables (e.g. RAKIS_MAX_PACKET_DB_SIZE), then --set NAME=VALUE flags, each later one winning.

            With --chain (or the chains setting) the node watches inbox contracts (contracts/RakisInbox.vy) on chains \
            through their standard JSON-RPC, and answers the requests made there together with the network.

            The node joins the network through the Nostr relays of the nostrRelays setting (the first \
            relayRedundancy of them), or those given with --relay; their events are signed with the node's Nostr \
            key, kept in its key file (added on the first run of a key file that has none). With --listen and/or \
            --peer it also joins the direct mesh. Every packet goes out on every transport; what arrives twice is \
            processed once.

            With --dvm (or the dvm setting) the node also answers NIP-90 text-generation jobs (kind 5050) \
            published on its relays (or those of the dvmRelays setting) with the output the network agreed on, in a \
            kind 6050 result that carries the consensus for anyone to check.

            The HTTP API and the dashboard listen on --http (open http://127.0.0.1:8080/ in a browser); requests \
            that change anything need the token in DIR/api-token. See `rakis submit --node` and `rakis status`.
            """)

    @OptionGroup var dataDirectory: DataDirectoryOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("A settings file to use instead of the data directory's config.json.", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting, e.g. --set maxPacketDBSize=10000 (repeatable).", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @OptionGroup var network: TransportOptions

    @OptionGroup var models: ModelOptions

    @Option(
        name: .customLong("chain"),
        help: ArgumentHelp("Watch an inbox contract on a chain, e.g. sepolia=https://rpc.example@0xINBOX (repeatable; replaces the chains setting).", valueName: "NAME=URL@INBOX"))
    var chains: [String] = []

    @Option(help: ArgumentHelp("Where the HTTP API and dashboard listen (port 0 picks a free one).", valueName: "HOST:PORT"))
    var http = "127.0.0.1:8080"
    @Flag(help: "Serve no HTTP API or dashboard.") var noHttp = false

    func validate() throws {
        if !noHttp { _ = try APIServer.Configuration.address(http) }
        for chain in chains where ChainSetting(flag: chain) == nil {
            throw ValidationError("--chain \(chain.debugDescription) is not NAME=URL@INBOX, e.g. sepolia=https://rpc.example@0x5FbDB2315678afecb367f032d93F642f64180aa3")
        }
    }

    func run() async throws {
        let logs = LogBuffer()
        logging.bootstrap(alsoInto: logs)
        let logger = Logger(label: "rakis")
        let directory = dataDirectory.directory
        guard directory.exists else {
            throw CLIError("no data directory at \(directory.url.path); create a node with `rakis init --data-dir \(directory.url.path)`")
        }
        let settings = try SettingsLoader.load(
            configFile: try configFile(directory), assignments: assignments + network.settingsAssignments + (chains.isEmpty ? [] : ["chains=" + chains.joined(separator: ",")]))
        let password = try PasswordPrompt.existing()
        var keystore = try Keystore.read(from: directory.keyFile, password: password)
        let identity = try keystore.identity()

        let plan = try network.plan(
            settings: settings, keystore: &keystore,
            save: { try $0.write(to: directory.keyFile, password: password, overwrite: true) }, logger: logger)

        let models = try self.models.resolve(settings: settings)
        let node = try RakisNode(
            identity: identity, settings: settings, dataDirectory: directory, network: plan, models: models,
            wallet: try NodeKeys.wallet(in: keystore), logger: logger)
        // Intake, the transports and the node, then the API: started in this order and stopped
        // in reverse, so that the API stops first and the transports outlive the node's shutdown.
        var services = node.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        if !models.llms.isEmpty || !models.embeddings.isEmpty {
            var report = ModelLoadReport(node: node, models: models, logger: logger)
            report.drawsBar = report.drawsBar && logging.logFormat == .text
            // Done once the models are loaded, while the node runs on.
            services.append(.init(service: report, successTerminationBehavior: .ignore))
        }
        if !noHttp {
            let address = try APIServer.Configuration.address(http)
            let token = try Self.readToken(directory)
            services.append(.init(service: try APIServer(
                node: node, configuration: .init(host: address.host, port: address.port, token: token), logs: logs,
                logger: Logger(label: "rakis.http"))))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("running; press Ctrl-C to stop", metadata: ["dataDir": "\(directory.url.path)"])
        try await group.run()
        let stored = try await node.storedPacketCount()
        logger.info("shut down cleanly", metadata: ["packetsStored": "\(stored)"])
    }

    private func configFile(_ directory: DataDirectory) throws -> URL {
        guard let config else { return directory.configFile }
        let url = URL(fileURLWithPath: (config as NSString).expandingTildeInPath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("no settings file at \(url.path) (--config)") }
        return url
    }

    static func readToken(_ directory: DataDirectory) throws -> String {
        guard let token = directory.apiToken() else {
            throw CLIError("no API token at \(directory.apiTokenFile.path); run `rakis init --data-dir \(directory.url.path)` again (it keeps the key) or pass --no-http")
        }
        return token
    }
}
