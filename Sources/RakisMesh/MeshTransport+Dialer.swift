import Foundation
import Hummingbird
import HummingbirdWebSocket
import HummingbirdWSClient
import Logging
import NIOCore
import RakisCore
import RakisP2P
import ServiceLifecycle

/// Dialing: the known addresses that are not connected are dialed again with backoff. The dialer
/// runs when something changes (an address learned, a dial ended, a connection lost) and when the
/// next redial is due, never on a fixed beat.
extension MeshTransport {
    func maintain() {
        guard !isShutDown else { return }
        let now = ContinuousClock.now
        bans = bans.filter { $0.value > now }
        let connected = Set(connections.values.compactMap(\.listenAddress))
        var nextDue: ContinuousClock.Instant?
        for (address, state) in addresses where !state.dialing && !state.isSelf && !connected.contains(address) {
            guard state.isBootstrap || (configuration.exchangePeers && connections.count < configuration.maxPeers) else { continue }
            if state.nextAttempt <= now {
                dial(address)
            } else {
                nextDue = min(nextDue ?? state.nextAttempt, state.nextAttempt)
            }
        }
        scheduleRedial(at: nextDue)
    }

    private func scheduleRedial(at instant: ContinuousClock.Instant?) {
        redialTimer?.cancel()
        redialTimer = nil
        guard let instant else { return }
        redialTimer = Task { [wakeDialer] in
            do { try await Task.sleep(until: instant, clock: .continuous) } catch { return }
            wakeDialer.yield()
        }
    }

    func dial(_ address: String) {
        addresses[address]?.dialing = true
        let wsConfiguration = WebSocketClientConfiguration(
            maxFrameSize: configuration.maxFrameBytes, closeTimeout: .seconds(2), autoPing: .enabled(timePeriod: .seconds(20)), validateUTF8: true)
        let logger = logger
        Task { [weak self] in
            guard let transport = self else { return }
            var failure: String?
            do {
                try await WebSocketClient.connect(url: address, configuration: wsConfiguration, logger: logger) { inbound, outbound, _ in
                    await transport.runSession(inbound: inbound, outbound: outbound, remoteHost: nil, dialed: address)
                }
            } catch {
                failure = ConnectionFailure.describe(error)
            }
            await transport.dialEnded(address, failure: failure)
        }
    }

    func dialEnded(_ address: String, failure: String?) {
        guard var state = addresses[address] else { return }
        state.dialing = false
        state.lastFailure = failure
        // A session that got as far as a hello reset the count in `register`; any end counts
        // one, so the backoff is short after a good session and grows while the peer is away.
        state.failures += 1
        if state.failures == 1, let failure {
            logger.notice("mesh peer unreachable; will retry", metadata: ["peer": "\(address)", "error": "\(failure)"])
        }
        let delay = configuration.redialBackoff.delay(afterFailures: state.failures, unit: Double.random(in: 0..<1))
        state.nextAttempt = .now + delay
        addresses[address] = state
        stateChanges.fire()
        wakeDialer.yield()
    }

}
