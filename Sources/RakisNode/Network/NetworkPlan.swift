import Logging
public import RakisCore
import RakisP2P
import RakisNostr
import RakisMesh

/// How a node reaches the network: through Nostr relays, the direct mesh, both, or neither (an
/// offline node sees only its own packets). The Domain builds the transports from it, so that
/// the edge names what it wants without knowing how each transport is made.
public struct NetworkPlan: Sendable {
    public struct Nostr: Sendable {
        /// nil: the relays of the `nostrRelays` setting.
        public var relays: [String]?
        /// The secp256k1 secret key the node's events are signed with (`NodeKeys`).
        public var secretKey: [UInt8]

        public init(relays: [String]?, secretKey: [UInt8]) {
            self.relays = relays
            self.secretKey = secretKey
        }
    }

    public struct Mesh: Sendable {
        /// nil: dial only, accept no connections.
        public var listenHost: String?
        /// 0 picks a free port.
        public var listenPort: Int
        public var peers: [String]
        /// The address to give peers when they cannot reach the one they see.
        public var advertise: String?

        public init(listenHost: String?, listenPort: Int, peers: [String], advertise: String? = nil) {
            self.listenHost = listenHost
            self.listenPort = listenPort
            self.peers = peers
            self.advertise = advertise
        }
    }

    /// NIP-90: the relays watched for jobs and the key the node's answers are signed with.
    public struct DVM: Sendable {
        public var relays: [String]
        public var secretKey: [UInt8]

        public init(relays: [String], secretKey: [UInt8]) {
            self.relays = relays
            self.secretKey = secretKey
        }
    }

    public var nostr: Nostr?
    public var mesh: Mesh?
    public var dvm: DVM?

    public init(nostr: Nostr? = nil, mesh: Mesh? = nil, dvm: DVM? = nil) {
        self.nostr = nostr
        self.mesh = mesh
        self.dvm = dvm
    }

    public static let offline = NetworkPlan()

    /// The relays a node on this plan uses, for logs.
    public func relays(settings: Settings) -> [String] {
        nostr.map { $0.relays ?? settings.nostrRelayURLs } ?? []
    }

    /// The transports of this plan; fails only on a secret key that is not a secp256k1 key.
    func transports(identity: NodeIdentity, settings: Settings, logger: Logger) throws(NodeError) -> [any P2PTransport] {
        var transports: [any P2PTransport] = []
        if let nostr {
            let keys: BIP340.KeyPair
            do { keys = try BIP340.KeyPair(secretKey: nostr.secretKey) } catch {
                throw .invalidNetwork("the Nostr secret key is not a valid secp256k1 key: \(error)")
            }
            transports.append(NostrTransport(
                keys: keys, configuration: NostrTransportConfiguration(settings: settings, relays: nostr.relays), logger: logger))
        }
        if let mesh {
            let configuration = MeshConfiguration(
                settings: settings, listenHost: mesh.listenHost, listenPort: mesh.listenPort, bootstrapPeers: mesh.peers,
                advertise: mesh.advertise)
            transports.append(MeshTransport(identity: identity, configuration: configuration, logger: logger))
        }
        return transports
    }
}
