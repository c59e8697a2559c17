import Foundation
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSClient
import Logging
import NIOCore
import RakisCore
import RakisP2P
import ServiceLifecycle

/// One connection from challenge to close: its frames go through `MeshSession`, which says what
/// each means; binding a verified hello to the connection happens here.
extension MeshTransport {
    /// One connection, inbound or dialed, from challenge to close.
    nonisolated func runSession(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, remoteHost: String?, dialed: String?) async {
        let out = MeshOutbox()
        guard let id = await opened(out, inboundFrom: dialed == nil ? remoteHost : nil) else { return }
        var generator = SystemRandomNumberGenerator()
        let nonce = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        out.yield(MeshMessage.challenge(nonce: nonce).text)
        let timeout = configuration.handshakeTimeout
        let connection = SessionLink(id: id, out: out, remoteHost: remoteHost, dialed: dialed)
        await withTaskGroup(of: SessionPart.self) { group in
            group.addTask {
                let maxBytes = self.configuration.maxFrameBytes - 4_096
                writing: while let items = await out.next() {
                    for frame in MeshOutbox.frames(items, maxBytes: maxBytes) {
                        do { try await outbound.write(.text(frame)) } catch { break writing }
                    }
                }
                try? await outbound.close(.normalClosure, reason: nil)
                return .writer
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                // Closes the session only when it gave no valid hello in time.
                await self.handshakeDeadline(id)
                return .handshakeDeadline
            }
            group.addTask {
                var session = MeshSession(role: dialed == nil ? .listener : .dialer, nonce: nonce)
                do {
                    try await self.read(inbound, into: &session, link: connection)
                } catch let error as MeshProtocolError {
                    await self.punish(session: id, peer: session.peer, error)
                } catch {
                    // The connection failed or was closed: nothing to punish.
                }
                if session.peer == nil, dialed == nil, !session.refused { await self.handshakeFinished(remoteHost) }
                out.finish()
                return .reader
            }
            // The reader or the writer ending ends the session; the deadline passing does not.
            for await part in group where part != .handshakeDeadline { break }
            out.finish()
            group.cancelAll()
        }
        await closed(id)
    }

    /// The concurrent parts of a session, as each reports its end.
    enum SessionPart: Sendable {
        case writer, reader, handshakeDeadline
    }

    /// What a session needs to act on its frames.
    struct SessionLink: Sendable {
        let id: UInt64
        let out: MeshOutbox
        let remoteHost: String?
        /// The address this node dialed; nil for an inbound connection.
        let dialed: String?
    }

    /// Reads frames until the connection ends or the peer is refused, doing what `session` says
    /// of each. Throws `MeshProtocolError` for a peer that breaks the protocol or its rate.
    private nonisolated func read(_ inbound: WebSocketInboundStream, into session: inout MeshSession, link: SessionLink) async throws {
        let configuration = configuration
        var limiter = TokenBucket(rate: configuration.messagesPerSecond, burst: max(64, configuration.messagesPerSecond * 2))
        for try await message in inbound.messages(maxSize: configuration.maxFrameBytes) {
            guard case .text(let text) = message else { throw MeshProtocolError.violation("binary frame") }
            let frame = try MeshMessage(parsing: text, maxBytes: configuration.maxFrameBytes)
            // A frame of many packets costs what the packets would cost one by one.
            let cost = if case .packets(let packets) = frame { max(1, packets.count) } else { 1 }
            guard limiter.take(cost) else {
                throw MeshProtocolError.violation("more than \(Int(configuration.messagesPerSecond)) packets a second")
            }
            switch try session.receive(frame) {
            case .sendHello(let challenge):
                link.out.yield(MeshMessage.hello(await hello(answering: challenge)).text)
            case .register(let hello, let challenge):
                let registered = await register(link.id, hello: hello, remoteHost: link.remoteHost, dialed: link.dialed, answering: challenge)
                if link.dialed == nil { await handshakeFinished(link.remoteHost) }
                guard registered else {
                    session.refuse()
                    link.out.finish()
                    return
                }
                session.accepted(hello)
            case .deliver(let packets, let peer):
                try await received(packets, session: link.id, from: peer)
            case .learn(let addresses):
                await learn(addresses)
            case .answerCatchUp(let seconds, let peer):
                await catchUp(session: link.id, peer: peer, seconds: seconds)
            case .offered(let ids, _):
                await offered(ids, session: link.id)
            case .wanted(let ids, _):
                await serve(ids, session: link.id)
            case .neighbors(let ids, _):
                await neighbors(ids, session: link.id)
            case .wait:
                break
            }
        }
    }

    func opened(_ out: MeshOutbox, inboundFrom host: String?) -> UInt64? {
        guard !isShutDown else {
            out.finish()
            if let host { addressGuard.closed(host) }
            return nil
        }
        nextSessionId += 1
        sessions[nextSessionId] = out
        if let host { sessionHosts[nextSessionId] = host }
        return nextSessionId
    }

    func closed(_ id: UInt64) {
        sessions[id] = nil
        if let host = sessionHosts.removeValue(forKey: id) { addressGuard.closed(host) }
        if let connection = connections.removeValue(forKey: id) {
            logger.debug("mesh peer disconnected", metadata: ["peer": "\(connection.synthientId)"])
            stateChanges.fire()
        }
        gossip.closed(id)
        neighborsTold.sessions.remove(id)
        connectionsChanged()
        // A lost connection may need redialing.
        wakeDialer.yield()
    }

    func handshakeDeadline(_ id: UInt64) {
        guard connections[id] == nil, let session = sessions[id] else { return }
        logger.debug("mesh connection gave no valid hello in time; closing it")
        session.finish()
    }

    func hello(answering nonce: String) -> MeshHello {
        let port = if case .listening(let port) = serverState { port } else { 0 }
        return MeshHello.signed(by: identity, topic: configuration.topic, nonce: nonce, listenPort: port, advertise: configuration.advertise)
    }

    /// Binds a session to the peer its hello names, or refuses it (without a ban). On the side
    /// that was dialed, `answering` is the dialer's challenge: our hello goes out only now, and
    /// before anything else.
    func register(_ id: UInt64, hello: MeshHello, remoteHost: String?, dialed: String?, answering challenge: String?) -> Bool {
        guard let out = sessions[id] else { return false }
        let listenAddress = dialed ?? hello.advertise ?? (hello.listenPort > 0 ? remoteHost.map { "ws://\(Self.urlHost($0)):\(hello.listenPort)" } : nil)
        if hello.synthientId == identity.synthientId {
            if let dialed { addresses[dialed]?.isSelf = true }
            return false
        }
        if hello.topic != configuration.topic {
            logger.debug("refused a mesh peer on another topic", metadata: ["peer": "\(hello.synthientId)", "topic": "\(hello.topic)"])
            if let dialed { addresses[dialed]?.isSelf = true }
            return false
        }
        if let until = bans[hello.synthientId], until > .now { return false }
        let dialer = dialed == nil ? hello.synthientId : identity.synthientId
        if let (existingId, existing) = connections.first(where: { $0.value.synthientId == hello.synthientId }) {
            // Both sides may dial each other at once: both keep the connection dialed by the
            // lower synthientId, so they keep the same one.
            guard dialer < existing.dialer else { return false }
            sessions[existingId]?.finish()
            connections[existingId] = nil
        } else if dialed == nil, connections.count >= configuration.maxPeers {
            return false
        }
        let forwarding = configuration.messagesPerSecond / 2
        connections[id] = Connection(
            synthientId: hello.synthientId, listenAddress: listenAddress, dialer: dialer, outgoing: out,
            forwardBudget: TokenBucket(rate: forwarding, burst: forwarding))
        if let challenge { out.yield(MeshMessage.hello(self.hello(answering: challenge)).text) }
        if let listenAddress {
            if addresses[listenAddress] == nil { addresses[listenAddress] = AddressState(isBootstrap: false) }
            addresses[listenAddress]?.failures = 0
        }
        counters.connectionsMade += 1
        connectionsChanged()
        logger.info("mesh peer connected", metadata: ["peer": "\(hello.synthientId)", "address": "\(listenAddress ?? "inbound")"])
        stateChanges.fire()
        // Whatever the peer sent while this connection was being set up, replaced or re-established
        // comes back in its answer; packets that arrive twice are dropped by digest.
        out.yield(MeshMessage.catchUp(seconds: Int(configuration.catchUpWindow.components.seconds)).text)
        if configuration.exchangePeers {
            // Tell the newcomer whom we know, and everyone else about the newcomer.
            var known = connections.values.compactMap(\.listenAddress).filter { $0 != listenAddress }
            if let own = self.listenAddress() { known.append(own) }
            if !known.isEmpty { out.yield(MeshMessage.peers(Array(known.prefix(256))).text) }
            if let listenAddress {
                let news = MeshMessage.peers([listenAddress]).text
                for (otherId, other) in connections where otherId != id { send(news, to: other.outgoing) }
            }
        }
        return true
    }

}
