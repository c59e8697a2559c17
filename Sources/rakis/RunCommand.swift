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
            of them), or those given with --relay. Events are signed with the node's Nostr key, kept in its key file
            (added on the first run of a key file that has none).
            """)

    @OptionGroup var dataDirectory: DataDirectoryOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting, e.g. --set maxPacketDBSize=10000 (repeatable).", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @Option(name: .customLong("relay"), help: ArgumentHelp("A Nostr relay to use instead of the configured ones (repeatable).", valueName: "URL"))
    var relays: [String] = []

    @Option(help: "Network topic; nodes on different topics never exchange packets (sets the topic setting).")
    var topic: String?

    @Flag(help: "Start without any transport: the node sees only its own packets.")
    var offline = false

    func validate() throws {
        for relay in relays where !(relay.hasPrefix("ws://") || relay.hasPrefix("wss://")) {
            throw ValidationError("--relay must be a ws:// or wss:// URL, not \(relay)")
        }
        if offline, !relays.isEmpty { throw ValidationError("--offline and --relay exclude each other") }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "rakis")
        let directory = dataDirectory.directory
        guard directory.exists else {
            throw CLIError("no data directory at \(directory.url.path); create a node with `rakis init --data-dir \(directory.url.path)`")
        }
        let settings = try SettingsLoader.load(
            configFile: directory.configFile, assignments: assignments + (topic.map { ["topic=\($0)"] } ?? []))
        let password = try PasswordPrompt.existing()
        var keystore = try Keystore.read(from: directory.keyFile, password: password)
        let identity = try keystore.identity()

        var transports: [any P2PTransport] = []
        if !offline {
            let (nostrKeys, added) = try keystore.ensureNostrKeys()
            if added {
                try keystore.write(to: directory.keyFile, password: password, overwrite: true)
                logger.notice("added a Nostr key to the key file", metadata: ["nostrPubkey": "\(Hex.encode(nostrKeys.publicKey))"])
            }
            let configuration = NostrTransportConfiguration(settings: settings, relays: relays.isEmpty ? nil : relays)
            logger.info("joining the network through Nostr", metadata: [
                "relays": "\(configuration.relays.joined(separator: ", "))", "topic": "\(settings.topic)",
            ])
            transports.append(NostrTransport(keys: nostrKeys, configuration: configuration, logger: logger))
        }

        let node = try RakisNode(identity: identity, settings: settings, dataDirectory: directory, transports: transports, logger: logger)
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
