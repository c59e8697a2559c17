import Foundation
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSClient
import Logging
import NIOCore
import RakisCore
import RakisP2P
import ServiceLifecycle

/// Accepting connections: a Hummingbird server with the WebSocket upgrade, and the limit on
/// handshakes still pending per remote host.
extension MeshTransport {
    func startServer(host: String, port: Int) {
        let wsConfiguration = WebSocketServerConfiguration(
            maxFrameSize: configuration.maxFrameBytes, autoPing: .enabled(timePeriod: .seconds(20)), closeTimeout: .seconds(2), validateUTF8: true)
        let router = Router()
        router.get("/") { _, _ in "rakis mesh node; connect with a WebSocket\n" }
        var appLogger = logger
        appLogger.logLevel = max(logger.logLevel, .notice)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: wsConfiguration)) { [weak self] _, channel, _ in
                guard let transport = self else { return .dontUpgrade }
                let remoteHost = channel.remoteAddress?.ipAddress
                guard await transport.admit(remoteHost) else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await transport.runSession(inbound: inbound, outbound: outbound, remoteHost: remoteHost, dialed: nil)
                }
            },
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { [weak self] channel in await self?.listening(port: channel.localAddress?.port ?? port) },
            logger: appLogger)
        // Run under a service group so that shutdown is graceful: cancelling the server instead
        // makes Hummingbird log every open connection as an error.
        let group = ServiceGroup(configuration: .init(services: [app], logger: appLogger))
        serverGroup = group
        server = Task { [weak self] in
            do { try await group.run() } catch { await self?.serverFailed("\(error)") }
        }
    }

    /// Whether another inbound connection from `host` may start its handshake.
    func admit(_ host: String?) -> Bool {
        guard let host else { return true }
        switch addressGuard.admit(host, now: .now) {
        case .admitted:
            return true
        case .tooManyHandshakes:
            counters.refusedHandshakes += 1
        case .tooManyConnections, .addressBanned:
            counters.refusedConnections += 1
        }
        return false
    }

    /// An inbound handshake from `host` finished (with a hello or a close).
    func handshakeFinished(_ host: String?) {
        guard let host else { return }
        addressGuard.handshakeFinished(host)
    }

    func listening(port: Int) {
        serverState = .listening(port: port)
        stateChanges.fire()
        logger.info("mesh listening", metadata: ["address": "\(listenAddress() ?? "?")"])
    }

    func serverFailed(_ reason: String) {
        guard !isShutDown else { return }
        defer { stateChanges.fire() }
        serverState = .failed("cannot listen on \(configuration.listenHost ?? "?"):\(configuration.listenPort): \(reason)")
    }

}
