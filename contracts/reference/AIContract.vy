# pragma version ~=0.4.3
"""
@title AIContract (the reference network's, ported for a gas comparison only)
@notice The request and fulfilment path of hrishioa/rakis's chain-contracts/evm/AIContract.sol,
        ported line by line to Vyper because no Solidity compiler installs on these machines:
        one trusted `aiRunner` writes each result (no quorum, no signatures, nothing stored but
        the deletion of the request). `scripts/bench-inbox-gas.py` measures its `fulfillRequest`
        next to RakisInbox's `fulfill`. Vyper's code differs from solc's by a few thousand gas;
        strings are cleared by their length word, as Vyper does (solc's `delete` also zeroes
        their data slots, for a refund). Not deployed by anything.
"""

MAX_TEXT: constant(uint256) = 4096

interface IUserContract:
    def processAIOutput(invocationId: uint256, response: String[MAX_TEXT]): nonpayable

struct Request:
    caller: address
    callbackFunc: String[64]
    prompt: String[MAX_TEXT]
    invocationId: uint256
    allocatedFunds: uint256
    maxOutputTokens: uint256
    maxResponseTimeoutMs: uint256
    returnReserve: uint256
    callbackContract: address
    model: String[64]

event NewRequest:
    caller: indexed(address)
    callbackFunc: String[64]
    prompt: String[MAX_TEXT]
    invocationId: indexed(uint256)
    allocatedFunds: uint256
    model: String[64]
    maxOutputTokens: uint256

modelCostPerToken: public(HashMap[String[64], uint256])
modelTokensPerByte: public(HashMap[String[64], uint256])
requests: public(HashMap[uint256, Request])
invocationCounter: public(uint256)
aiRunner: public(address)
owner: public(address)
feePercentage: public(uint256)
totalFeesCollected: public(uint256)


@deploy
def __init__(aiRunner: address, feePercentage: uint256):
    self.aiRunner = aiRunner
    self.modelCostPerToken["gpt-3.5-turbo"] = 10**15
    self.modelTokensPerByte["gpt-3.5-turbo"] = 2
    self.owner = msg.sender
    self.feePercentage = feePercentage


@view
@internal
def _estimate(prompt: String[MAX_TEXT], model: String[64], maxOutputTokens: uint256) -> uint256:
    return (len(prompt) // self.modelTokensPerByte[model] + maxOutputTokens) * self.modelCostPerToken[model]


@payable
@external
def requestAI(prompt: String[MAX_TEXT], model: String[64], maxOutputTokens: uint256, maxResponseTimeoutMs: uint256,
              returnReserve: uint256, callbackFunc: String[64], callbackContract: address) -> uint256:
    assert self.modelCostPerToken[model] > 0, "Unsupported AI model"
    estimated: uint256 = self._estimate(prompt, model, maxOutputTokens)
    fee: uint256 = estimated * self.feePercentage // 10000
    assert msg.value >= estimated + returnReserve + fee, "Insufficient funds provided for AI inference"
    self.invocationCounter += 1
    self.requests[self.invocationCounter] = Request(
        caller=msg.sender, callbackFunc=callbackFunc, prompt=prompt, invocationId=self.invocationCounter, allocatedFunds=msg.value,
        maxOutputTokens=maxOutputTokens, maxResponseTimeoutMs=maxResponseTimeoutMs, returnReserve=returnReserve,
        callbackContract=callbackContract, model=model)
    log NewRequest(caller=msg.sender, callbackFunc=callbackFunc, prompt=prompt, invocationId=self.invocationCounter,
                   allocatedFunds=msg.value, model=model, maxOutputTokens=maxOutputTokens)
    return self.invocationCounter


@external
@nonreentrant
def fulfillRequest(invocationId: uint256, response: String[MAX_TEXT], actualCost: uint256):
    assert msg.sender == self.owner or msg.sender == self.aiRunner, "Only owner or runner"
    request: Request = self.requests[invocationId]
    assert request.caller != empty(address), "Invalid invocation ID"
    fee: uint256 = actualCost * self.feePercentage // 10000
    remaining: uint256 = request.allocatedFunds - actualCost - fee
    budget: uint256 = min(remaining, request.returnReserve)
    if request.callbackContract != empty(address):
        gasLimit: uint256 = min(budget // tx.gasprice, block.gaslimit)
        extcall IUserContract(request.callbackContract).processAIOutput(invocationId, response, gas=gasLimit)
        if remaining - budget > 0:
            send(request.callbackContract, remaining - budget)
    self.totalFeesCollected += fee
    # `delete requests[invocationId]`: every word of the struct, strings by their length.
    self.requests[invocationId].caller = empty(address)
    self.requests[invocationId].callbackFunc = ""
    self.requests[invocationId].prompt = ""
    self.requests[invocationId].invocationId = 0
    self.requests[invocationId].allocatedFunds = 0
    self.requests[invocationId].maxOutputTokens = 0
    self.requests[invocationId].maxResponseTimeoutMs = 0
    self.requests[invocationId].returnReserve = 0
    self.requests[invocationId].callbackContract = empty(address)
    self.requests[invocationId].model = ""
