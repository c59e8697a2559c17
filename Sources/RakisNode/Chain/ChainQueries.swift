import RakisChain
import RakisCore

/// What the edge may ask about the chains this node watches.
extension RakisNode {
    /// Each watched chain's figures, in the order of the settings.
    public func chainFigures() async throws -> [ChainFigures] {
        guard let store = chains.store else { return [] }
        var figures: [ChainFigures] = []
        for watcher in chains.watchers {
            let status = await watcher.status()
            var seen = 0
            var reports = ChainReportFigures.none
            if let chainId = status.chainId {
                seen = try await store.requestCount(chainId: chainId)
                reports = try await store.reportFigures(chainId: chainId)
            }
            figures.append(ChainFigures(watcher: status, inbox: watcher.configuration.inbox.checksummed, requestsSeen: seen, reports: reports))
        }
        return figures
    }

    /// What this node knows of a chain request; nil for an id that is not `evm:<chainId>:<inbox>:<id>`.
    public func chainRequest(requestId: String) async throws -> ChainRequestDetail? {
        guard let (chainId, inbox, id) = InboxAttestation.parse(requestId: requestId) else { return nil }
        let store = chains.store
        return ChainRequestDetail(
            chainId: chainId, inbox: inbox.checksummed.lowercased(), id: id.description, watched: chains.watches(requestId: requestId),
            found: try await store?.request(requestId: requestId), attestations: try await store?.attestations(requestId: requestId) ?? [],
            transactions: try await store?.reportedTransactions(requestId: requestId) ?? [],
            fulfilment: try await store?.fulfilment(requestId: requestId))
    }
}
