"""RakisInbox on a real EVM (eth-tester with py-evm): every rule of the contract, checked with
transactions signed and attestations made by an independent implementation (eth-keys, eth-abi).

usage: inbox-contract.py
Prints one line per check and exits 1 on the first failure (the Swift test runs it); the last
lines give an attestation digest computed by the contract, for the node's own to match.
"""
import json
import pathlib
import sys

from eth_abi import decode, encode
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak, to_checksum_address
import vyper

ARTIFACT = json.loads((pathlib.Path(__file__).resolve().parents[2] / "contracts" / "RakisInbox.json").read_text())
ETHER = 10**18
MIN_STAKE, UNBONDING, WINDOW, REPORTER_BPS = ETHER, 3600, 600, 1000

backend = PyEVMBackend()
chain = EthereumTester(backend)
accounts = chain.get_accounts()
keys = {a: k for a, k in zip(accounts, backend.account_keys)}
ABI = {entry["name"]: entry for entry in ARTIFACT["abi"] if entry["type"] == "function"}


def type_of(item):
    if item["type"].startswith("tuple"):
        return "(" + ",".join(type_of(c) for c in item["components"]) + ")" + item["type"][5:]
    return item["type"]


def signature_of(entry):
    return entry["name"] + "(" + ",".join(type_of(i) for i in entry["inputs"]) + ")"


def calldata(name, *args):
    entry = ABI[name]
    types = [type_of(i) for i in entry["inputs"]]
    return "0x" + (keccak(text=signature_of(entry))[:4] + encode(types, list(args))).hex()


def transact(sender, name, *args, value=0):
    tx = chain.send_transaction({"from": sender, "to": inbox, "data": calldata(name, *args), "value": value, "gas": 3_000_000})
    receipt = chain.get_transaction_receipt(tx)
    if receipt["status"] != 1:
        fail(f"{name} by {sender} reverted")
    return receipt


def call(name, *args):
    entry = ABI[name]
    out = chain.call({"from": accounts[0], "to": inbox, "data": calldata(name, *args)})
    types = [type_of(o) for o in entry["outputs"]]
    values = decode(types, bytes.fromhex(out[2:]))
    return values[0] if len(values) == 1 else values


def refused(reason, sender, name, *args, value=0):
    """The call reverts with `reason`, as a mined transaction (status 0) and as eth_call (for the reason)."""
    tx = {"from": sender, "to": inbox, "data": calldata(name, *args), "value": value, "gas": 3_000_000}
    try:
        chain.call(tx)
    except TransactionFailed as error:
        if reason not in str(error):
            fail(f"{name} refused with {error!s}, not {reason!r}")
    else:
        fail(f"{name} was accepted; expected {reason!r}")
    if chain.get_transaction_receipt(chain.send_transaction(tx))["status"] != 0:
        fail(f"{name} was mined although eth_call reverted")
    print(f"ok   {name} refused: {reason}")


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok   " + message)


def digest(request_id, output_hash, joint):
    chain_id = backend.chain.chain_id
    return keccak(encode(["uint256", "address", "uint256", "bytes32", "bytes32"], [chain_id, inbox, request_id, output_hash, joint]))


def sign(wallet, message_hash):
    signature = keys[wallet].sign_msg_hash(message_hash)
    return (signature.v + 27, signature.r.to_bytes(32, "big"), signature.s.to_bytes(32, "big"))


def signatures(wallets, request_id, output, joint):
    ordered = sorted(wallets, key=lambda a: int(a, 16))
    return [sign(w, digest(request_id, keccak(text=output), joint)) for w in ordered]


def balance(account):
    return chain.get_balance(account)


deploy = chain.send_transaction({
    "from": accounts[0], "gas": 5_000_000,
    "data": ARTIFACT["bytecode"] + encode(["uint256"] * 4, [MIN_STAKE, UNBONDING, WINDOW, REPORTER_BPS]).hex(),
})
inbox = to_checksum_address(chain.get_transaction_receipt(deploy)["contract_address"])
chain_id_probe = call("attestationDigest", 1, b"\x01" * 32, b"\x02" * 32)
check(chain_id_probe == digest(1, b"\x01" * 32, b"\x02" * 32), "the attestation digest is keccak256(abi.encode(chainId, inbox, requestId, outputHash, jointHash))")

requester, reporter, outsider, prover = accounts[0], accounts[1], accounts[9], accounts[8]
nodes = accounts[2:7]
for index, node in enumerate(nodes):
    transact(node, "register", bytes([index + 1]) * 32, value=MIN_STAKE)
check(all(call("nodes", n)[1] == MIN_STAKE for n in nodes), "five nodes register with minStake")
refused("stake below minStake", outsider, "register", b"\x09" * 32, value=MIN_STAKE // 2)
refused("wallet bound to another node", nodes[0], "register", b"\x42" * 32, value=MIN_STAKE)

request = ["Name a colour.", ["gemma-3-270m-q4_k_m"], 3, 20000, 12, 6000, "all-MiniLM-L6-v2@recipe2", 8, 0]
refused("quorum outside 1-100", requester, "requestInference", *request[:2], 0, *request[3:], value=ETHER)
refused("maxTimeMs outside 1 s - 1 h", requester, "requestInference", *request[:3], 999, *request[4:], value=ETHER)
receipt = transact(requester, "requestInference", *request, value=3 * ETHER)
check(call("nextRequestId") == 2 and len(receipt["logs"]) == 1, "a request escrows its reward and is logged as InferenceRequested")
check(call("threshold", 1) == 2, "the threshold is ceil(quorum 3 x 60%) = 2")

output, joint = "Blue.", b"\x07" * 32
refused("too few attestations", reporter, "fulfill", 1, output, joint, signatures(nodes[:1], 1, output, joint))
refused("signer not registered", reporter, "fulfill", 1, output, joint, signatures([nodes[0], outsider], 1, output, joint))
wrong = signatures(nodes[:2], 1, "Red.", joint)
refused("signer not registered", reporter, "fulfill", 1, output, joint, wrong)
twice = signatures(nodes[:1], 1, output, joint) * 2
refused("signers not distinct and ascending", reporter, "fulfill", 1, output, joint, twice)

signed = signatures(nodes[:3], 1, output, joint)
transact(reporter, "fulfill", 1, output, joint, signed)
stored = call("requests", 1)
check(call("fulfilled", 1) and stored[7] == keccak(text=output) and stored[8] == joint, "three attestations fulfil it; the output hash and joint hash are stored")
shares = [call("credits", n) for n in nodes[:3]]
check(shares == [ETHER * 9 // 10] * 3 and call("credits", reporter) == 3 * ETHER // 10, "the signers share 90% of the reward, the reporter gets 10%")
refused("already fulfilled", reporter, "fulfill", 1, output, joint, signed)
before = balance(nodes[0])
receipt = transact(nodes[0], "withdraw")
gas = receipt["gas_used"] * receipt["effective_gas_price"]
check(balance(nodes[0]) == before + ETHER * 9 // 10 - gas and call("credits", nodes[0]) == 0, "withdraw pays a signer its credit")
refused("nothing to withdraw", nodes[0], "withdraw")

transact(requester, "requestInference", *request, value=ETHER)
refused("not expired yet", outsider, "refund", 2)
chain.time_travel(chain.get_block_by_number("latest")["timestamp"] + 20 + WINDOW + 1)
transact(outsider, "refund", 2)
check(call("credits", requester) == ETHER, "an expired request is refunded to its requester")
refused("refunded", reporter, "fulfill", 2, output, joint, signatures(nodes[:3], 2, output, joint))

first = (1, keccak(text=output), joint, sign(nodes[4], digest(1, keccak(text=output), joint)))
second = (1, keccak(text="Green."), joint, sign(nodes[4], digest(1, keccak(text="Green."), joint)))
refused("same answer", prover, "slash", first, first)
transact(prover, "slash", first, second)
check(call("nodes", nodes[4])[1] == 0 and call("credits", prover) == MIN_STAKE // 2, "an equivocating wallet loses its stake, half to the prover")

transact(nodes[3], "unregister")
transact(requester, "requestInference", *request, value=ETHER)
refused("signer not registered", reporter, "fulfill", 3, output, joint, signatures(nodes[2:4], 3, output, joint))
refused("stake still bonded", nodes[3], "withdrawStake")
chain.time_travel(chain.get_block_by_number("latest")["timestamp"] + UNBONDING + 1)
transact(nodes[3], "withdrawStake")
check(call("nodes", nodes[3])[1] == 0, "an unbonding node cannot attest and withdraws its stake after the delay")

# A requesting contract whose callback reverts: the fulfilment still lands, with CallbackFailed.
CALLER = """
# pragma version ~=0.4.3
interface Inbox:
    def requestInference(prompt: String[64], acceptedModels: DynArray[String[128], 16], quorum: uint16, maxTimeMs: uint32,
        secDistance: uint16, secPercentageBps: uint16, embeddingModel: String[128], maxTokens: uint16,
        temperatureMilli: uint16) -> uint256: payable

@external
@payable
def ask(inbox: address) -> uint256:
    return extcall Inbox(inbox).requestInference("Name a colour.", ["gemma-3-270m-q4_k_m"], 3, 20000, 12, 6000,
        "all-MiniLM-L6-v2@recipe2", 8, 0, value=msg.value)

@external
def rakisCallback(requestId: uint256, output: String[32768]):
    raise "callback refuses"
"""
caller = vyper.compile_code(CALLER, output_formats=["bytecode"])["bytecode"]
caller = to_checksum_address(chain.get_transaction_receipt(chain.send_transaction({"from": accounts[0], "gas": 2_000_000, "data": caller}))["contract_address"])
ask = "0x" + (keccak(text="ask(address)")[:4] + encode(["address"], [inbox])).hex()
asked = chain.get_transaction_receipt(chain.send_transaction({"from": requester, "to": caller, "data": ask, "value": ETHER, "gas": 3_000_000}))
request_id = call("nextRequestId") - 1
check(asked["status"] == 1 and to_checksum_address(call("requests", request_id)[0]) == caller, "a contract makes a request")
receipt = transact(reporter, "fulfill", request_id, output, joint, signatures(nodes[:2], request_id, output, joint))
failed_topic = keccak(text="CallbackFailed(uint256,address)")
check(call("fulfilled", request_id) and any(bytes.fromhex(log["topics"][0][2:]) == failed_topic for log in receipt["logs"]),
      "its reverting callback is logged as CallbackFailed and does not revert the fulfilment")
# For the node's own digest (RakisEthereum's ABI and Keccak-256), computed by the contract.
vector = {"chainId": backend.chain.chain_id, "inbox": inbox, "requestId": 1, "output": output, "validInferenceJointHash": "0x" + joint.hex()}
vector["digest"] = "0x" + call("attestationDigest", 1, keccak(text=output), joint).hex()
print("vector " + json.dumps(vector))
print("all checks passed")
