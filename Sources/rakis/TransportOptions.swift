import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisNode

/// How `rakis run` reaches the network: Nostr relays, the direct mesh, or both.
struct TransportOptions: ParsableArguments {
    @Option(name: .customLong("relay"), help: ArgumentHelp("A Nostr relay to use instead of the configured ones (repeatable).", valueName: "URL"))
    var relays: [String] = []

    @Flag(help: "Do not use Nostr relays (for a node that runs on the mesh only).")
    var noRelays = false

    @Option(help: ArgumentHelp("Accept mesh connections on this address, e.g. 0.0.0.0:7400.", valueName: "HOST:PORT"))
    var listen: String?

    @Option(name: .customLong("peer"), help: ArgumentHelp("A mesh node to dial, e.g. ws://10.0.0.2:7400 (repeatable).", valueName: "URL"))
    var peers: [String] = []

    @Option(help: ArgumentHelp("The mesh address to give peers, when they cannot reach the one they see.", valueName: "URL"))
    var advertise: String?

    @Option(help: "Network topic; nodes on different topics never exchange packets (sets the topic setting).")
    var topic: String?

    @Flag(help: "Start without any transport: the node sees only its own packets.")
    var offline = false

    @Flag(help: "Answer NIP-90 text-generation jobs (kind 5050) from the Nostr relays with consensus-verified results (sets the dvm setting).")
    var dvm = false

    func validate() throws {
        try Self.requireWebSocketURLs(relays + peers + (advertise.map { [$0] } ?? []), flags: "--relay, --peer and --advertise")
        if let listen { _ = try Self.hostAndPort(listen) }
        if offline, !(relays.isEmpty && peers.isEmpty && listen == nil) {
            throw ValidationError("--offline excludes --relay, --listen and --peer")
        }
        if offline, dvm { throw ValidationError("--dvm needs Nostr relays; drop --offline") }
        if noRelays, !relays.isEmpty { throw ValidationError("--no-relays and --relay exclude each other") }
        if noRelays, listen == nil, peers.isEmpty { throw ValidationError("--no-relays needs --listen or --peer (or use --offline)") }
    }

    /// Relay and peer addresses must be WebSocket URLs; `flags` names the options in the error.
    static func requireWebSocketURLs(_ urls: [String], flags: String) throws {
        for url in urls where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw ValidationError("\(flags) take ws:// or wss:// URLs, not \(url)")
        }
    }

    static func hostAndPort(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 0.0.0.0:7400, not \(text)")
        }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { throw ValidationError("--listen needs a host, e.g. 0.0.0.0:7400") }
        return (host, port)
    }

    var settingsAssignments: [String] { (topic.map { ["topic=\($0)"] } ?? []) + (dvm ? ["dvm=true"] : []) }

    /// The network to join; the Nostr key comes from the keystore (added and saved when missing).
    func plan(settings: Settings, keystore: inout Keystore, save: (Keystore) throws -> Void, logger: Logger) throws -> NetworkPlan {
        guard !offline else {
            if settings.dvm { throw CLIError("the dvm setting needs Nostr relays; the node is --offline") }
            return .offline
        }
        var plan = NetworkPlan()
        if !noRelays || settings.dvm {
            let (secretKey, added) = try NodeKeys.nostrSecretKey(ensuredIn: &keystore)
            if added {
                try save(keystore)
                logger.notice("added a Nostr key to the key file", metadata: ["nostrPubkey": "\(NodeKeys.nostrPublicKey(secretKey: secretKey) ?? "?")"])
            }
            if !noRelays {
                plan.nostr = .init(relays: relays.isEmpty ? nil : relays, secretKey: secretKey)
                logger.info("joining the network through Nostr", metadata: [
                    "relays": "\(plan.relays(settings: settings).joined(separator: ", "))", "topic": "\(settings.topic)",
                ])
            }
            if settings.dvm {
                let jobRelays = settings.dvmRelayURLs.isEmpty ? (relays.isEmpty ? settings.nostrRelayURLs : relays) : settings.dvmRelayURLs
                plan.dvm = .init(relays: jobRelays, secretKey: secretKey)
            }
        }
        if listen != nil || !peers.isEmpty {
            let address = try listen.map(Self.hostAndPort)
            plan.mesh = .init(listenHost: address?.host, listenPort: address?.port ?? 0, peers: peers, advertise: advertise)
            logger.info("joining the mesh", metadata: [
                "listen": "\(listen ?? "no")", "peers": "\(peers.joined(separator: ", "))", "topic": "\(settings.topic)",
            ])
        }
        return plan
    }
}
