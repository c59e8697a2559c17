import Foundation
public import Logging
public import RakisCore
public import RakisEthereum

/// Watches one inbox on one chain: reads `InferenceRequested` logs from its cursor up to
/// `head − confirmations`, in ranges of at most `maxRange` blocks, records each range with the
/// cursor past it, and hands on the requests it had not seen. A JSON-RPC node has no push over
/// HTTP, so it asks every `pollInterval` (the chain's `pollMs`); when the node is away it keeps
/// asking, backing off, and catches up when it is back.
public actor ChainWatcher {
    public struct Configuration: Sendable {
        public var name: String
        public var rpcURL: String
        public var inbox: EthereumAddress
        public var confirmations: UInt64
        public var pollInterval: Duration
        public var startBlock: UInt64
        public var maxRange: UInt64
        /// When set, a node on another chain is refused.
        public var expectedChainId: UInt64?

        public init(
            name: String, rpcURL: String, inbox: EthereumAddress, confirmations: UInt64 = 2, pollInterval: Duration = .seconds(2),
            startBlock: UInt64 = 0, maxRange: UInt64 = 2000, expectedChainId: UInt64? = nil
        ) {
            self.name = name
            self.rpcURL = rpcURL
            self.inbox = inbox
            self.confirmations = confirmations
            self.pollInterval = pollInterval
            self.startBlock = startBlock
            self.maxRange = max(1, maxRange)
            self.expectedChainId = expectedChainId
        }
    }

    public nonisolated let configuration: Configuration
    /// Requests found on chain that this node had not recorded before, in chain order.
    public nonisolated let requests: AsyncStream<ChainInferenceRequest>
    private let found: AsyncStream<ChainInferenceRequest>.Continuation
    private let store: ChainWatchStore
    private let clock: any NodeClock
    private let logger: Logger
    private let rpc: EthereumRPC
    private var chainId: UInt64?
    private var head: UInt64?
    private var nextBlock: UInt64?
    private var lastError: String?

    public init(configuration: Configuration, store: ChainWatchStore, clock: any NodeClock = SystemClock(), timeout: Duration = .seconds(10), logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.logger = logger
        rpc = EthereumRPC(client: JSONRPCClient(url: configuration.rpcURL, timeout: timeout))
        (requests, found) = AsyncStream.makeStream(of: ChainInferenceRequest.self)
    }

    /// Polls until the task is cancelled; errors are logged and retried with backoff (a wrong
    /// chain id too: the operator may be fixing the node behind the URL).
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await poll()
                lastError = nil
                if failures > 0 { logger.notice("chain node reachable again", metadata: ["chain": "\(configuration.name)"]) }
                failures = 0
            } catch {
                // Stopping cuts a call short; that is no failure of the chain.
                if Task.isCancelled { break }
                failures += 1
                lastError = "\(error)"
                let level: Logger.Level = failures == 1 ? .warning : .debug
                logger.log(level: level, "cannot read the chain; retrying", metadata: ["chain": "\(configuration.name)", "error": "\(error)"])
            }
            let backoff = configuration.pollInterval * Int(min(1 << min(failures, 5), 32))
            do { try await clock.sleep(for: min(backoff, .seconds(60))) } catch { break }
        }
        found.finish()
    }

    /// One pass: reads every confirmed block past the cursor, range by range.
    public func poll() async throws(ChainRPCError) {
        let chainId = try await connectedChainId()
        let head = try await rpc.blockNumber()
        self.head = head
        guard head >= configuration.confirmations else { return }
        let safe = head - configuration.confirmations
        var cursor = try await currentCursor(chainId: chainId)
        nextBlock = cursor.nextBlock
        while cursor.nextBlock <= safe {
            let last = min(cursor.nextBlock + configuration.maxRange - 1, safe)
            let logs = try await rpc.logs(address: configuration.inbox, topics: [InboxEvents.inferenceRequested.topic], from: cursor.nextBlock, to: last)
            let requests = try await decode(logs, chainId: chainId)
            let fulfilments = try await fulfilments(from: cursor.nextBlock, to: last, chainId: chainId)
            guard let lastBlock = try await rpc.block(last) else { throw .malformedResponse(url: configuration.rpcURL, reason: "no block \(last) below the head") }
            cursor = ChainWatchStore.Cursor(nextBlock: last + 1, lastBlockHash: lastBlock.hash)
            nextBlock = cursor.nextBlock
            let fresh: [ChainInferenceRequest]
            do { fresh = try await store.record(requests, fulfilments: fulfilments, cursor: cursor, chainId: chainId, inbox: configuration.inbox) } catch {
                throw .malformedResponse(url: configuration.rpcURL, reason: "cannot record the chain's requests: \(error)")
            }
            for request in fresh {
                logger.info("inference request on chain", metadata: ["chain": "\(configuration.name)", "requestId": "\(request.requestId)", "block": "\(request.blockNumber)"])
                found.yield(request)
            }
        }
    }

    /// Asks the node for its chain id once: throws `wrongChain` for a node on another chain than
    /// the configured one, and what went wrong when the node cannot be reached.
    public func checkChain() async throws(ChainRPCError) {
        _ = try await connectedChainId()
    }

    /// What the watcher knows of its chain now.
    public func status() -> ChainWatcherStatus {
        ChainWatcherStatus(name: configuration.name, chainId: chainId, head: head, nextBlock: nextBlock, lastError: lastError)
    }

    private func connectedChainId() async throws(ChainRPCError) -> UInt64 {
        if let chainId { return chainId }
        let found = try await rpc.chainId()
        if let expected = configuration.expectedChainId, expected != found {
            throw .wrongChain(url: configuration.rpcURL, expected: expected, found: found)
        }
        chainId = found
        return found
    }

    /// The stored cursor, rewound past a reorganisation: when the last block read is no longer
    /// on the chain, the blocks within the confirmation depth before it are read again (requests
    /// already recorded are not handed on twice).
    private func currentCursor(chainId: UInt64) async throws(ChainRPCError) -> ChainWatchStore.Cursor {
        let stored: ChainWatchStore.Cursor?
        do { stored = try await store.cursor(chainId: chainId, inbox: configuration.inbox) } catch {
            throw .malformedResponse(url: configuration.rpcURL, reason: "cannot read the chain cursor: \(error)")
        }
        guard var cursor = stored else { return .init(nextBlock: configuration.startBlock, lastBlockHash: nil) }
        if let hash = cursor.lastBlockHash, cursor.nextBlock > 0, try await rpc.block(cursor.nextBlock - 1)?.hash != hash {
            let rewound = max(configuration.startBlock, cursor.nextBlock > configuration.confirmations + 1 ? cursor.nextBlock - configuration.confirmations - 1 : 0)
            logger.warning("the chain reorganised below the cursor; reading again", metadata: [
                "chain": "\(configuration.name)", "from": "\(rewound)", "was": "\(cursor.nextBlock)",
            ])
            cursor = .init(nextBlock: rewound, lastBlockHash: nil)
        }
        return cursor
    }

    /// The `InferenceFulfilled` logs of a range: every fulfilment, whichever node sent it.
    private func fulfilments(from: UInt64, to: UInt64, chainId: UInt64) async throws(ChainRPCError) -> [ChainFulfilment] {
        let logs = try await rpc.logs(address: configuration.inbox, topics: [InboxEvents.inferenceFulfilled.topic], from: from, to: to)
        return logs.compactMap { log in
            do { return try InboxEvents.fulfilment(from: log, chainId: chainId) } catch {
                logger.warning("skipped a fulfilment log of the inbox", metadata: ["chain": "\(configuration.name)", "error": "\(error)"])
                return nil
            }
        }
    }

    private func decode(_ logs: [EthereumLog], chainId: UInt64) async throws(ChainRPCError) -> [ChainInferenceRequest] {
        var times: [UInt64: UInt64] = [:]
        var requests: [ChainInferenceRequest] = []
        for log in logs.sorted(by: { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }) {
            if times[log.blockNumber] == nil {
                guard let block = try await rpc.block(log.blockNumber) else { continue }
                times[log.blockNumber] = block.timestamp
            }
            do {
                requests.append(try InboxEvents.request(from: log, chainId: chainId, blockTime: times[log.blockNumber] ?? 0))
            } catch {
                logger.warning("skipped a log of the inbox", metadata: ["chain": "\(configuration.name)", "error": "\(error)"])
            }
        }
        return requests
    }
}
