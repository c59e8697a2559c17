import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisNode
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node until Ctrl-C (SIGINT) or SIGTERM, then shut down cleanly.",
        discussion: """
            Settings come from the defaults, then DIR/config.json, then RAKIS_<SETTING> environment variables
            (e.g. RAKIS_MAX_PACKET_DB_SIZE), then --set NAME=VALUE flags, each later one winning.
            """)

    @OptionGroup var dataDirectory: DataDirectoryOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting, e.g. --set maxPacketDBSize=10000 (repeatable).", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "rakis")
        let directory = dataDirectory.directory
        guard directory.exists else {
            throw CLIError("no data directory at \(directory.url.path); create a node with `rakis init --data-dir \(directory.url.path)`")
        }
        let settings = try SettingsLoader.load(configFile: directory.configFile, assignments: assignments)
        let identity = try Keystore.read(from: directory.keyFile, password: try PasswordPrompt.existing()).identity()

        let node = try RakisNode(identity: identity, settings: settings, dataDirectory: directory, transports: [], logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: node)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("running; press Ctrl-C to stop", metadata: ["dataDir": "\(directory.url.path)"])
        try await group.run()
        let stored = try await node.p2p.packetDB.store.count()
        logger.info("shut down cleanly", metadata: ["packetsStored": "\(stored)"])
    }
}
