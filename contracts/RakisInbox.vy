# pragma version ~=0.4.3
"""
@title RakisInbox
@notice Inference requests for the rakis network. A request escrows its reward; the network
        answers it through embedding-cluster consensus, and the answer is accepted only when
        enough registered nodes sign the same output and joint hash. The signers are paid from
        the reward (pull payments), the reporter gets a share for its gas, and a node that signs
        two different answers to one request loses its stake.
"""

# The limits of the node's own request check (InferenceRequestCheck), so that every request
# made here is one the network takes.
MAX_PROMPT: constant(uint256) = 16000
MAX_MODELS: constant(uint256) = 16
MAX_MODEL_NAME: constant(uint256) = 128
MAX_OUTPUT: constant(uint256) = 32768
MAX_QUORUM: constant(uint256) = 100
BPS: constant(uint256) = 10000
# Gas given to a requesting contract's callback; its failure never reverts the fulfilment.
CALLBACK_GAS: constant(uint256) = 200000

struct Signature:
    v: uint8
    r: bytes32
    s: bytes32

struct Attestation:
    requestId: uint256
    outputHash: bytes32
    validInferenceJointHash: bytes32
    signature: Signature

struct Node:
    synthientId: bytes32
    stake: uint256
    # When the stake may be withdrawn; 0 while the node is bonded.
    unbondingAt: uint256

struct Request:
    requester: address
    reward: uint256
    quorum: uint256
    secPercentageBps: uint256
    # After this a request that is still unfulfilled can be refunded.
    refundableAt: uint256
    fulfilled: bool
    refunded: bool
    outputHash: bytes32
    validInferenceJointHash: bytes32

event NodeRegistered:
    wallet: indexed(address)
    synthientId: bytes32
    stake: uint256

event NodeUnbonding:
    wallet: indexed(address)
    withdrawableAt: uint256

event InferenceRequested:
    requestId: indexed(uint256)
    requester: indexed(address)
    reward: uint256
    prompt: String[MAX_PROMPT]
    acceptedModels: DynArray[String[MAX_MODEL_NAME], MAX_MODELS]
    quorum: uint16
    maxTimeMs: uint32
    secDistance: uint16
    secPercentageBps: uint16
    embeddingModel: String[MAX_MODEL_NAME]
    maxTokens: uint16
    temperatureMilli: uint16

event InferenceFulfilled:
    requestId: indexed(uint256)
    reporter: indexed(address)
    outputHash: bytes32
    validInferenceJointHash: bytes32
    signers: uint256
    output: String[MAX_OUTPUT]

event CallbackFailed:
    requestId: indexed(uint256)
    requester: address

event InferenceExpired:
    requestId: indexed(uint256)
    refund: uint256

event Slashed:
    wallet: indexed(address)
    prover: indexed(address)
    stake: uint256

event Withdrawn:
    wallet: indexed(address)
    amount: uint256

minStake: public(immutable(uint256))
unbondingDelay: public(immutable(uint256))
fulfilmentWindow: public(immutable(uint256))
reporterShareBps: public(immutable(uint256))

nodes: public(HashMap[address, Node])
requests: public(HashMap[uint256, Request])
nextRequestId: public(uint256)
# Rewards, refunds and slashing bounties waiting for `withdraw()`.
credits: public(HashMap[address, uint256])


@deploy
def __init__(_minStake: uint256, _unbondingDelay: uint256, _fulfilmentWindow: uint256, _reporterShareBps: uint256):
    assert _reporterShareBps <= BPS, "reporter share over 100%"
    minStake = _minStake
    unbondingDelay = _unbondingDelay
    fulfilmentWindow = _fulfilmentWindow
    reporterShareBps = _reporterShareBps
    self.nextRequestId = 1


@external
@payable
def register(synthientId: bytes32):
    """
    @notice Binds the sender's wallet to a node, with a stake of at least `minStake`. Topping up
            a bonded stake or registering again while unbonding bonds it again.
    """
    node: Node = self.nodes[msg.sender]
    assert node.stake == 0 or node.synthientId == synthientId, "wallet bound to another node"
    node.synthientId = synthientId
    node.stake += msg.value
    node.unbondingAt = 0
    assert node.stake >= minStake, "stake below minStake"
    self.nodes[msg.sender] = node
    log NodeRegistered(wallet=msg.sender, synthientId=synthientId, stake=node.stake)


@external
def unregister():
    """
    @notice Stops the sender's node from attesting; its stake can be withdrawn after
            `unbondingDelay` (and can still be slashed until then).
    """
    assert self.nodes[msg.sender].stake > 0, "not registered"
    assert self.nodes[msg.sender].unbondingAt == 0, "already unbonding"
    withdrawableAt: uint256 = block.timestamp + unbondingDelay
    self.nodes[msg.sender].unbondingAt = withdrawableAt
    log NodeUnbonding(wallet=msg.sender, withdrawableAt=withdrawableAt)


@external
def withdrawStake():
    node: Node = self.nodes[msg.sender]
    assert node.stake > 0, "no stake"
    assert node.unbondingAt != 0 and block.timestamp >= node.unbondingAt, "stake still bonded"
    self.nodes[msg.sender] = empty(Node)
    send(msg.sender, node.stake)
    log Withdrawn(wallet=msg.sender, amount=node.stake)


@external
@payable
def requestInference(
    prompt: String[MAX_PROMPT],
    acceptedModels: DynArray[String[MAX_MODEL_NAME], MAX_MODELS],
    quorum: uint16,
    maxTimeMs: uint32,
    secDistance: uint16,
    secPercentageBps: uint16,
    embeddingModel: String[MAX_MODEL_NAME],
    maxTokens: uint16,
    temperatureMilli: uint16,
) -> uint256:
    """
    @notice Asks the network for an inference; the value sent is the reward.
    """
    assert len(prompt) > 0, "empty prompt"
    assert len(acceptedModels) > 0, "no accepted model"
    assert quorum >= 1 and convert(quorum, uint256) <= MAX_QUORUM, "quorum outside 1-100"
    assert maxTimeMs >= 1000 and maxTimeMs <= 3600000, "maxTimeMs outside 1 s - 1 h"
    assert secPercentageBps >= 1 and convert(secPercentageBps, uint256) <= BPS, "secPercentageBps outside 1-10000"
    assert maxTokens >= 1 and maxTokens <= 4096, "maxTokens outside 1-4096"
    assert temperatureMilli <= 2000, "temperature over 2"
    requestId: uint256 = self.nextRequestId
    self.nextRequestId = requestId + 1
    self.requests[requestId] = Request(
        requester=msg.sender,
        reward=msg.value,
        quorum=convert(quorum, uint256),
        secPercentageBps=convert(secPercentageBps, uint256),
        refundableAt=block.timestamp + convert(maxTimeMs, uint256) // 1000 + fulfilmentWindow,
        fulfilled=False,
        refunded=False,
        outputHash=empty(bytes32),
        validInferenceJointHash=empty(bytes32),
    )
    log InferenceRequested(
        requestId=requestId, requester=msg.sender, reward=msg.value, prompt=prompt, acceptedModels=acceptedModels,
        quorum=quorum, maxTimeMs=maxTimeMs, secDistance=secDistance, secPercentageBps=secPercentageBps,
        embeddingModel=embeddingModel, maxTokens=maxTokens, temperatureMilli=temperatureMilli,
    )
    return requestId


@view
@external
def attestationDigest(requestId: uint256, outputHash: bytes32, validInferenceJointHash: bytes32) -> bytes32:
    """
    @notice What a node signs: keccak256(abi.encode(chainId, inbox, requestId, outputHash, jointHash)).
    """
    return self._digest(requestId, outputHash, validInferenceJointHash)


@view
@external
def threshold(requestId: uint256) -> uint256:
    """
    @notice Distinct registered signers a fulfilment needs: ceil(quorum × secPercentage).
    """
    return self._threshold(self.requests[requestId])


@view
@external
def fulfilled(requestId: uint256) -> bool:
    return self.requests[requestId].fulfilled


@external
def fulfill(
    requestId: uint256,
    output: String[MAX_OUTPUT],
    validInferenceJointHash: bytes32,
    signatures: DynArray[Signature, MAX_QUORUM],
):
    """
    @notice Accepts the network's answer when at least `threshold` distinct registered nodes
            signed it. Signatures are ordered by signer address, ascending (so that each signer
            counts once). Pays the signers and the reporter by credit; then calls a requesting
            contract back, whose failure does not revert this.
    """
    request: Request = self.requests[requestId]
    assert request.requester != empty(address), "no such request"
    assert not request.fulfilled, "already fulfilled"
    assert not request.refunded, "refunded"
    outputHash: bytes32 = keccak256(output)
    digest: bytes32 = self._digest(requestId, outputHash, validInferenceJointHash)
    signers: DynArray[address, MAX_QUORUM] = []
    previous: address = empty(address)
    for signature: Signature in signatures:
        signer: address = ecrecover(digest, signature.v, signature.r, signature.s)
        assert signer != empty(address), "invalid signature"
        assert convert(signer, uint256) > convert(previous, uint256), "signers not distinct and ascending"
        assert self._bonded(signer), "signer not registered"
        signers.append(signer)
        previous = signer
    assert len(signers) >= self._threshold(request), "too few attestations"

    # Recorded before any value moves.
    self.requests[requestId].fulfilled = True
    self.requests[requestId].outputHash = outputHash
    self.requests[requestId].validInferenceJointHash = validInferenceJointHash

    reporterShare: uint256 = request.reward * reporterShareBps // BPS
    share: uint256 = (request.reward - reporterShare) // len(signers)
    for signer: address in signers:
        self.credits[signer] += share
    self.credits[msg.sender] += request.reward - share * len(signers)
    log InferenceFulfilled(
        requestId=requestId, reporter=msg.sender, outputHash=outputHash, validInferenceJointHash=validInferenceJointHash,
        signers=len(signers), output=output,
    )

    if request.requester.is_contract:
        success: bool = raw_call(
            request.requester,
            abi_encode(requestId, output, method_id=method_id("rakisCallback(uint256,string)")),
            gas=CALLBACK_GAS,
            revert_on_failure=False,
        )
        if not success:
            log CallbackFailed(requestId=requestId, requester=request.requester)


@external
def refund(requestId: uint256):
    """
    @notice Anyone may return an unfulfilled request's reward to its requester (by credit) once
            `fulfilmentWindow` has passed after its request window.
    """
    request: Request = self.requests[requestId]
    assert request.requester != empty(address), "no such request"
    assert not request.fulfilled, "already fulfilled"
    assert not request.refunded, "already refunded"
    assert block.timestamp >= request.refundableAt, "not expired yet"
    self.requests[requestId].refunded = True
    self.credits[request.requester] += request.reward
    log InferenceExpired(requestId=requestId, refund=request.reward)


@external
def slash(first: Attestation, second: Attestation):
    """
    @notice Two attestations by one registered wallet for the same request over different
            answers forfeit its stake: half to the sender, who proved it; the rest stays locked.
    """
    assert first.requestId == second.requestId, "different requests"
    assert first.outputHash != second.outputHash or first.validInferenceJointHash != second.validInferenceJointHash, "same answer"
    signer: address = self._signer(first)
    assert signer != empty(address), "invalid signature"
    assert self._signer(second) == signer, "different signers"
    stake: uint256 = self.nodes[signer].stake
    assert stake > 0, "nothing to slash"
    self.nodes[signer] = empty(Node)
    self.credits[msg.sender] += stake // 2
    log Slashed(wallet=signer, prover=msg.sender, stake=stake)


@external
@nonreentrant
def withdraw():
    amount: uint256 = self.credits[msg.sender]
    assert amount > 0, "nothing to withdraw"
    self.credits[msg.sender] = 0
    send(msg.sender, amount)
    log Withdrawn(wallet=msg.sender, amount=amount)


@view
@internal
def _digest(requestId: uint256, outputHash: bytes32, validInferenceJointHash: bytes32) -> bytes32:
    return keccak256(abi_encode(chain.id, self, requestId, outputHash, validInferenceJointHash))


@view
@internal
def _signer(attestation: Attestation) -> address:
    digest: bytes32 = self._digest(attestation.requestId, attestation.outputHash, attestation.validInferenceJointHash)
    return ecrecover(digest, attestation.signature.v, attestation.signature.r, attestation.signature.s)


@view
@internal
def _bonded(wallet: address) -> bool:
    node: Node = self.nodes[wallet]
    return node.stake >= minStake and node.unbondingAt == 0


@pure
@internal
def _threshold(request: Request) -> uint256:
    return max((request.quorum * request.secPercentageBps + BPS - 1) // BPS, 1)
