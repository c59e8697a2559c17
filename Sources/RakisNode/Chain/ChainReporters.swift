import Foundation
import Logging
import RakisChain
import RakisCore
import RakisEthereum
import Synchronization

/// The node's reporters, one per chain it reports on, made when first needed (a chain's id is
/// known only once its watcher reached it). One reporter per wallet and chain hands out that
/// wallet's nonces, so reports of two requests at once never collide.
final class ChainReporters: Sendable {
    private let wallet: NodeWallet
    private let store: ChainWatchStore
    private let clock: any NodeClock
    private let timing: InboxReporter.Timing
    private let logger: Logger
    private let byChain = Mutex<[UInt64: InboxReporter]>([:])

    init(wallet: NodeWallet, store: ChainWatchStore, clock: any NodeClock, timing: InboxReporter.Timing, logger: Logger) {
        self.wallet = wallet
        self.store = store
        self.clock = clock
        self.timing = timing
        self.logger = logger
    }

    func reporter(chainId: UInt64, rpcURL: String) -> InboxReporter {
        byChain.withLock { reporters in
            if let reporter = reporters[chainId] { return reporter }
            let reporter = InboxReporter(
                rpc: EthereumRPC(client: JSONRPCClient(url: rpcURL)), chainId: chainId, wallet: wallet, store: store, clock: clock, timing: timing,
                logger: logger)
            reporters[chainId] = reporter
            return reporter
        }
    }
}
