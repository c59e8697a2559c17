/// One mesh connection's protocol state, from challenge to close, as a pure value: it takes the
/// peer's frames one at a time and says what each asks of the transport. The rules live here and
/// are tested without sockets:
///
/// - Each side sends a challenge first. The dialer answers the listener's challenge with its hello
///   at once; the listener answers only after it has accepted the dialer's hello, so that a dialer
///   never counts a connection the other side refused.
/// - A hello must answer our challenge; a second hello is a violation.
/// - Nothing but challenges counts before the hello: packets, announcements, requests, peer
///   lists and catch-ups are violations until the peer has said who it is.
/// - A peer asks for a catch-up once per connection.
struct MeshSession: Sendable {
    enum Role: Sendable, Equatable {
        /// This node dialed the connection.
        case dialer
        /// The peer dialed this node's listener.
        case listener
    }

    enum Action: Sendable, Equatable {
        /// Send our hello, answering this challenge.
        case sendHello(answering: String)
        /// The peer's hello answers our challenge: bind the connection to it, or refuse it. On the
        /// listening side, `answering` is the dialer's challenge, which our hello answers once
        /// the connection is accepted (`accepted(_:)`).
        case register(MeshHello, answering: String?)
        /// Packets from the peer, to check and pass on.
        case deliver([MeshPacket], from: String)
        /// Addresses the peer knows.
        case learn([String])
        /// The peer asks for what it may have missed in the last `seconds`.
        case answerCatchUp(seconds: Int, peer: String)
        /// The peer has these packets (ids); ask for the ones this node lacks.
        case offered([String], by: String)
        /// The peer asks for these packets (ids) this node announced.
        case wanted([String], by: String)
        /// The synthientIds the peer is connected to.
        case neighbors([String], of: String)
        /// Nothing to do yet (a listener keeps the dialer's challenge until the hello).
        case wait
    }

    let role: Role
    /// Our challenge; the peer's hello must be signed over it.
    let nonce: String
    /// The peer's synthientId once its hello was accepted.
    private(set) var peer: String?
    /// The transport refused the hello (this node itself, another topic, banned, full).
    private(set) var refused = false
    private var theirChallenge: String?
    private var caughtUp = false

    init(role: Role, nonce: String) {
        self.role = role
        self.nonce = nonce
    }

    mutating func receive(_ message: MeshMessage) throws(MeshProtocolError) -> Action {
        switch message {
        case .challenge(let theirs):
            if role == .dialer || peer != nil { return .sendHello(answering: theirs) }
            theirChallenge = theirs
            return .wait
        case .hello(let hello):
            guard peer == nil else { throw .violation("a second hello") }
            guard hello.isValid(answering: nonce) else { throw .violation("hello not signed over our challenge") }
            return .register(hello, answering: role == .listener ? theirChallenge : nil)
        case .packet(let hops, let envelope):
            return .deliver([MeshPacket(hops: hops, envelope: envelope)], from: try identified("packet"))
        case .packets(let packets):
            return .deliver(packets, from: try identified("packets"))
        case .peers(let addresses):
            _ = try identified("peers")
            return .learn(addresses)
        case .catchUp(let seconds):
            let peer = try identified("catchUp")
            guard !caughtUp else { throw .violation("a second catchUp") }
            caughtUp = true
            return .answerCatchUp(seconds: seconds, peer: peer)
        case .ihave(let ids):
            return .offered(ids, by: try identified("ihave"))
        case .iwant(let ids):
            return .wanted(ids, by: try identified("iwant"))
        case .neighbors(let ids):
            return .neighbors(ids, of: try identified("neighbors"))
        }
    }

    /// The transport refused the hello; the connection closes.
    mutating func refuse() {
        refused = true
    }

    /// The transport bound the connection to the hello's node.
    mutating func accepted(_ hello: MeshHello) {
        peer = hello.synthientId
    }

    private func identified(_ frame: String) throws(MeshProtocolError) -> String {
        guard let peer else { throw .violation("\(frame) before hello") }
        return peer
    }
}
