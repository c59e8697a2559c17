import RakisCore
@testable import RakisMesh
import Testing

/// The mesh handshake as a pure state machine: who says hello when, and what a peer may send
/// before it has said who it is. No sockets.
struct MeshSessionTests {
    static let ours = String(repeating: "a", count: 64)
    static let theirs = String(repeating: "b", count: 64)
    let peer = NodeIdentity.generate()

    func hello(answering nonce: String = Self.ours) -> MeshHello {
        MeshHello.signed(by: peer, topic: "t", nonce: nonce, listenPort: 7400, advertise: nil)
    }

    @Test func theDialerAnswersAChallengeAtOnce() throws {
        var session = MeshSession(role: .dialer, nonce: Self.ours)
        #expect(try session.receive(.challenge(nonce: Self.theirs)) == .sendHello(answering: Self.theirs))
        #expect(try session.receive(.hello(hello())) == .register(hello(), answering: nil))
    }

    @Test func theListenerAnswersOnlyOnceItAcceptedTheDialersHello() throws {
        var session = MeshSession(role: .listener, nonce: Self.ours)
        #expect(try session.receive(.challenge(nonce: Self.theirs)) == .wait)
        // The dialer's challenge comes back with the registration, for our hello to answer then.
        #expect(try session.receive(.hello(hello())) == .register(hello(), answering: Self.theirs))
        session.accepted(hello())
        #expect(session.peer == peer.synthientId)
        // A challenge after the hello is answered at once.
        #expect(try session.receive(.challenge(nonce: Self.theirs)) == .sendHello(answering: Self.theirs))
    }

    @Test func nothingButAChallengeCountsBeforeTheHello() {
        for role in [MeshSession.Role.dialer, .listener] {
            let early: [(MeshMessage, String)] = [
                (.packet(hops: 3, envelope: "{}"), "packet before hello"),
                (.packets([MeshPacket(hops: 1, envelope: "{}")]), "packets before hello"),
                (.peers(["ws://127.0.0.1:7400"]), "peers before hello"),
                (.catchUp(seconds: 30), "catchUp before hello"),
                (.ihave([String(repeating: "c", count: 64)]), "ihave before hello"),
                (.iwant([String(repeating: "c", count: 64)]), "iwant before hello"),
                (.neighbors([String(repeating: "d", count: 64)]), "neighbors before hello"),
            ]
            for (message, reason) in early {
                var session = MeshSession(role: role, nonce: Self.ours)
                #expect(throws: MeshProtocolError.violation(reason)) { try session.receive(message) }
            }
        }
    }

    @Test func aHelloMustAnswerOurChallengeAndComeOnce() throws {
        var session = MeshSession(role: .dialer, nonce: Self.ours)
        #expect(throws: MeshProtocolError.violation("hello not signed over our challenge")) {
            try session.receive(.hello(hello(answering: Self.theirs)))
        }
        _ = try session.receive(.hello(hello()))
        session.accepted(hello())
        #expect(throws: MeshProtocolError.violation("a second hello")) { try session.receive(.hello(hello())) }
    }

    @Test func afterTheHelloFramesBecomeWorkAndCatchUpIsAskedOnce() throws {
        var session = MeshSession(role: .dialer, nonce: Self.ours)
        _ = try session.receive(.hello(hello()))
        session.accepted(hello())
        let id = peer.synthientId
        #expect(try session.receive(.packet(hops: 3, envelope: "{}")) == .deliver([MeshPacket(hops: 3, envelope: "{}")], from: id))
        #expect(try session.receive(.peers(["ws://a:1"])) == .learn(["ws://a:1"]))
        #expect(try session.receive(.catchUp(seconds: 30)) == .answerCatchUp(seconds: 30, peer: id))
        #expect(throws: MeshProtocolError.violation("a second catchUp")) { try session.receive(.catchUp(seconds: 30)) }
        let packetId = String(repeating: "c", count: 64)
        #expect(try session.receive(.ihave([packetId])) == .offered([packetId], by: id))
        #expect(try session.receive(.iwant([packetId])) == .wanted([packetId], by: id))
        #expect(try session.receive(.neighbors([id])) == .neighbors([id], of: id))
    }

    /// Announcements, asks and neighbor lists print as frames that parse back to themselves, and
    /// anything but 64-hex ids, or too many of them, is malformed.
    @Test func gossipFramesRoundTripAndRefuseBadIds() throws {
        let ids = [String(repeating: "0f", count: 32), String(repeating: "e1", count: 32)]
        for message in [MeshMessage.ihave(ids), .iwant(ids), .neighbors(ids), .ihave([])] {
            #expect(try MeshMessage(parsing: message.text, maxBytes: 1 << 20) == message)
        }
        let bad = [
            #"{"type":"ihave","ids":["ABCD"]}"#, #"{"type":"iwant","ids":[12]}"#, #"{"type":"iwant"}"#,
            #"{"type":"neighbors","ids":[]}"#,
            MeshMessage.ihave(Array(repeating: ids[0], count: MeshMessage.maxIdsPerFrame + 1)).text,
        ]
        for text in bad {
            #expect(throws: MeshProtocolError.self) { try MeshMessage(parsing: text, maxBytes: 1 << 20) }
        }
    }
}
