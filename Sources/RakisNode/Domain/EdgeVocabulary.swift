public import RakisChain
public import RakisCoordination
public import RakisEthereum
public import RakisInference
public import RakisP2P
public import RakisSimulation

// The lower layers' value types that the Domain's queries and commands take or return, named by
// the Domain, so that the edge (the HTTP API, the dashboard, the command line) imports only
// RakisNode and RakisCore. Only plain values are named here: the objects that act (engines,
// stores, transports) stay behind the Domain.

/// A stored packet, as `RakisNode.packets(limit:type:)` returns it.
public typealias StoredPacket = RakisP2P.StoredPacket
/// A peer as the peer table knows it.
public typealias Peer = RakisP2P.Peer
/// One transport's connectivity.
public typealias TransportStatus = RakisP2P.TransportStatus
/// A stretch in which the node heard nothing: stopped, or no transport reaching anyone.
public typealias ListeningGap = RakisCoordination.ListeningGap
/// What packet intake has counted.
public typealias IntakeStatistics = RakisP2P.IntakeStatistics

/// Everything the stores hold about one request.
public typealias RequestHistory = RakisCoordination.RequestHistory
/// One line of the request list.
public typealias RequestSummary = RakisCoordination.RequestSummary
/// This node's consensus on one request, as stored.
public typealias ConsensusRecord = RakisCoordination.ConsensusRecord
/// A quorum's status on this node.
public typealias QuorumStatus = RakisCoordination.QuorumStatus

/// An LLM a node serves: its name and where it runs (a GGUF file or an OpenAI-compatible server).
public typealias LLMModelConfiguration = RakisInference.LLMModelConfiguration
public typealias OpenAIEndpoint = RakisInference.OpenAIEndpoint
/// Where installed models are found.
public typealias ModelLocator = RakisInference.ModelLocator
/// The embedding recipe version, and the model names that carry it.
public typealias EmbeddingRecipe = RakisInference.EmbeddingRecipe
/// One-shot generation (`rakis generate`): the request, its messages, its result and its errors.
public typealias LLMRequest = RakisInference.LLMRequest
public typealias ChatMessage = RakisInference.ChatMessage
public typealias LLMCompletion = RakisInference.LLMCompletion
public typealias LLMError = RakisInference.LLMError

/// The node's Ethereum wallet (`rakis wallet`, `rakis chain bind`).
public typealias NodeWallet = RakisEthereum.NodeWallet

/// A watcher's view of its chain (head, cursor, last error).
public typealias ChainWatcherStatus = RakisChain.ChainWatcherStatus
/// A request as the watcher found it on chain.
public typealias FoundChainRequest = RakisChain.FoundChainRequest
/// A request's fulfilment as its `InferenceFulfilled` log records it.
public typealias ChainFulfilment = RakisChain.ChainFulfilment
/// A transaction this node's reporter sent, and what became of it.
public typealias ReportedTransaction = RakisChain.ReportedTransaction
/// One chain's fulfils sent, won and lost, and the gas they used.
public typealias ChainReportFigures = RakisChain.ChainReportFigures

/// `rakis simulate`: what a simulation runs (nodes, requests, the security frame, the network,
/// the work, churn and the attacks), what a simulated node does, and what a run found.
public typealias SimulationConfiguration = RakisSimulation.SimulationConfiguration
public typealias NetworkModel = RakisSimulation.NetworkModel
public typealias WorkModel = RakisSimulation.WorkModel
public typealias ChurnModel = RakisSimulation.ChurnModel
public typealias NodeStrategy = RakisSimulation.NodeStrategy
public typealias SimulationReport = RakisSimulation.SimulationReport
public typealias SimulationError = RakisSimulation.SimulationError
