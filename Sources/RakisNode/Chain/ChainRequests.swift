import Foundation
import Logging
import RakisChain
import RakisCore
import RakisEthereum

extension ChainInferenceRequest {
    /// The request as the network carries it: the same on every node that watches the chain
    /// (its id from the inbox, its time from the block, `fromChain` from the chain id rather
    /// than a locally chosen name).
    var p2pRequest: P2PInferenceRequest {
        let createdAt = Date(timeIntervalSince1970: TimeInterval(blockTime))
        let payload = InferenceRequestPayload(
            fromChain: "evm:\(chainId)", blockNumber: Int(clamping: blockNumber), createdAt: createdAt, prompt: prompt,
            acceptedModels: acceptedModels, temperature: Double(temperatureMilli) / 1000, maxTokens: maxTokens,
            securityFrame: SecurityFrame(
                quorum: quorum, maxTimeMs: maxTimeMs, secDistance: Double(secDistance), secPercentage: Double(secPercentageBps) / 10000,
                embeddingModel: embeddingModel))
        return P2PInferenceRequest(requestId: requestId, payload: payload, createdAt: createdAt)
    }
}

/// The chains a node watches: a watcher per configured chain, and the check that an `evm:`
/// request from a peer was really made on a chain this node watches.
struct ChainRequests: Sendable {
    let watchers: [ChainWatcher]
    let store: ChainWatchStore?
    /// The request id of every attestation stored, for a reporter waiting for enough of them.
    let attestationsStored = EventHub<String>()
    /// One reporter per chain for this node's wallet; nil without a wallet.
    let reporters: ChainReporters?
    /// Each wallet found signing two answers to one request, once.
    let equivocations = EventHub<Equivocation>()
    private let proven = ProvenEquivocations()

    init(settings: Settings, directory: URL, wallet: NodeWallet?, clock: any NodeClock, logger: Logger) throws(NodeError) {
        guard !settings.chains.isEmpty else {
            watchers = []
            store = nil
            reporters = nil
            return
        }
        let store: ChainWatchStore
        do { store = try ChainWatchStore(directory: directory) } catch {
            throw .storeUnavailable(path: directory.appendingPathComponent(ChainWatchStore.fileName).path, reason: "\(error)")
        }
        var watchers: [ChainWatcher] = []
        for chain in settings.chains {
            let inbox: EthereumAddress
            do { inbox = try EthereumAddress(chain.inbox) } catch { throw .invalidChain(name: chain.name, reason: "\(error)") }
            watchers.append(ChainWatcher(
                configuration: .init(
                    name: chain.name, rpcURL: chain.rpcURL, inbox: inbox, confirmations: UInt64(chain.confirmations),
                    pollInterval: .milliseconds(chain.pollMs), startBlock: UInt64(chain.startBlock), expectedChainId: chain.chainId.map(UInt64.init)),
                store: store, clock: clock, logger: logger))
        }
        self.watchers = watchers
        self.store = store
        reporters = wallet.map {
            ChainReporters(wallet: $0, store: store, clock: clock, timing: .init(bumpAfter: .milliseconds(settings.chainFeeBumpMs)), logger: logger)
        }
    }

    /// The watcher of the inbox named by an `evm:` request id, on the chain the id names.
    func watcher(chainId: UInt64, inbox: EthereumAddress) async -> ChainWatcher? {
        for watcher in watchers where watcher.configuration.inbox == inbox {
            if await watcher.status().chainId == chainId { return watcher }
        }
        return nil
    }

    /// Whether a peer's request may be filed: any request that is not an `evm:` one of a watched
    /// inbox, and those of a watched inbox once this node found them on chain.
    func accepts(requestId: String) async -> Bool {
        guard let store, watches(requestId: requestId) else { return true }
        return (try? await store.contains(requestId: requestId)) ?? false
    }

    /// Refuses to start on a JSON-RPC node of another chain than a configured `chainId`; a node
    /// that cannot be reached yet is only logged, as the watcher keeps trying.
    func checkChainIds(logger: Logger) async throws(NodeError) {
        for watcher in watchers where watcher.configuration.expectedChainId != nil {
            do { try await watcher.checkChain() } catch {
                if case .wrongChain = error { throw .invalidChain(name: watcher.configuration.name, reason: "\(error)") }
                logger.warning("cannot reach a chain at start; the watcher keeps trying", metadata: [
                    "chain": "\(watcher.configuration.name)", "error": "\(error)",
                ])
            }
        }
    }

    /// Publishes an equivocation unless one of the same wallet and request was published before.
    func equivocated(_ equivocation: Equivocation) {
        let key = equivocation.first.requestId + " " + equivocation.first.address
        guard proven.firstTime(key) else { return }
        equivocations.publish(equivocation)
    }

    /// Whether `requestId` is an `evm:` request of an inbox this node watches.
    func watches(requestId: String) -> Bool {
        guard let (_, inbox, _) = InboxAttestation.parse(requestId: requestId) else { return false }
        return watchers.contains { $0.configuration.inbox == inbox }
    }
}

extension RakisNode {
    /// A request this node's watcher found on chain: sent into the network (unless it is known
    /// already, from another watcher) and filed.
    func chainRequestFound(_ found: ChainInferenceRequest) async {
        guard phase == .running else { return }
        let request = found.p2pRequest
        if (try? await stores.inferences.request(request.requestId)) != nil { return }
        do { try await p2p.transmit(.p2pInferenceRequest(request)) } catch {
            logger.warning("cannot send a chain request", metadata: ["requestId": "\(request.requestId)", "error": "\(error)"])
        }
        await filer.requestArrived(request, from: identity.synthientId)
    }
}
