"""Gas of RakisInbox's `fulfill` with 3, 5, 10 and 20 attestations, next to the reference
network's single-runner `fulfillRequest` (contracts/reference/AIContract.vy, a Vyper port of
hrishioa/rakis's AIContract.sol), on a real EVM (eth-tester with py-evm), same prompt and output.

usage: .venv/bin/python scripts/bench-inbox-gas.py   (make bench runs it)
The attestations are signed with eth-keys, an implementation independent of the node's.
"""
import json
import math
import pathlib

import vyper
from eth_abi import encode
from eth_keys import keys as eth_keys
from eth_tester import EthereumTester, PyEVMBackend
from eth_utils import keccak, to_checksum_address

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACT = json.loads((ROOT / "contracts" / "RakisInbox.json").read_text())
ETHER = 10**18
PROMPT = "Write one sentence about the sea."
# Gemma 3 270M's answer to it in `rakis devnet`.
OUTPUT = ("The sea is a natural resource that is used for many purposes. It is a source of food, water, and energy. "
          "It is also a source of pollution.")
COUNTS = [3, 5, 10, 20]

backend = PyEVMBackend()
chain = EthereumTester(backend)
funder, reporter = chain.get_accounts()[:2]


def send(sender, to, data=b"", value=0):
    tx = {"from": sender, "data": "0x" + data.hex(), "value": value, "gas": 8_000_000}
    if to is not None:
        tx["to"] = to
    receipt = chain.get_transaction_receipt(chain.send_transaction(tx))
    assert receipt["status"] == 1, f"reverted: {data[:4].hex()}"
    return receipt


def selector(signature):
    return keccak(text=signature)[:4]


def deploy(bytecode, types, args):
    receipt = send(funder, None, bytes.fromhex(bytecode[2:]) + encode(types, args))
    return to_checksum_address(receipt["contract_address"])


# Twenty registered nodes with wallets of their own.
node_keys = [eth_keys.PrivateKey((0x1000 + i).to_bytes(32, "big")) for i in range(max(COUNTS))]
for key in node_keys:
    chain.add_account("0x" + key.to_bytes().hex())
    send(funder, key.public_key.to_checksum_address(), value=10 * ETHER)
inbox = deploy(ARTIFACT["bytecode"], ["uint256"] * 4, [ETHER, 3600, 600, 1000])
for index, key in enumerate(node_keys):
    send(key.public_key.to_checksum_address(), inbox, selector("register(bytes32)") + bytes([index + 1]) * 32, value=ETHER)
chain_id = backend.chain.chain_id
joint = keccak(b"the network's joint hash")


def attestations(request_id, count):
    digest = keccak(encode(["uint256", "address", "uint256", "bytes32", "bytes32"], [chain_id, inbox, request_id, keccak(text=OUTPUT), joint]))
    signers = sorted(node_keys[:count], key=lambda k: int(k.public_key.to_checksum_address(), 16))
    signed = [k.sign_msg_hash(digest) for k in signers]
    return [(s.v + 27, s.r.to_bytes(32, "big"), s.s.to_bytes(32, "big")) for s in signed]


request_types = ["string", "string[]", "uint16", "uint32", "uint16", "uint16", "string", "uint16", "uint16"]
def request_and_fulfil(request_id, count):
    requested = send(funder, inbox, selector(f"requestInference({','.join(request_types)})") + encode(
        request_types, [PROMPT, ["gemma-3-270m-q4_k_m"], count, 20000, 96, 10000, "all-MiniLM-L6-v2@recipe2", 48, 0]), value=ETHER // 100)
    fulfilled = send(reporter, inbox, selector("fulfill(uint256,string,bytes32,(uint8,bytes32,bytes32)[])") + encode(
        ["uint256", "string", "bytes32", "(uint8,bytes32,bytes32)[]"], [request_id, OUTPUT, joint, attestations(request_id, count)]))
    return requested["gas_used"], fulfilled["gas_used"]


# Each count from the same state, twice: every signer's credit still zero (each credit a new
# storage slot: a node's first reward, the most a fulfil pays), and after a first fulfil by all
# twenty (credits held, not yet withdrawn: the steady state).
rakis = []
fresh = chain.take_snapshot()
for count in COUNTS:
    chain.revert_to_snapshot(fresh)
    requested, first = request_and_fulfil(1, count)
    chain.revert_to_snapshot(fresh)
    request_and_fulfil(1, max(COUNTS))
    _, steady = request_and_fulfil(2, count)
    rakis.append((count, requested, first, steady))

reference_source = (ROOT / "contracts" / "reference" / "AIContract.vy").read_text()
reference_bytecode = vyper.compile_code(reference_source, output_formats=["bytecode"])["bytecode"]
reference = deploy(reference_bytecode, ["address", "uint256"], [reporter, 1000])
request_ai = selector("requestAI(string,string,uint256,uint256,uint256,string,address)") + encode(
    ["string", "string", "uint256", "uint256", "uint256", "string", "address"],
    [PROMPT, "gpt-3.5-turbo", 48, 20000, 0, "", "0x" + "00" * 20])
reference_requested = send(funder, reference, request_ai, value=ETHER)["gas_used"]
reference_fulfilled = send(reporter, reference, selector("fulfillRequest(uint256,string,uint256)") + encode(
    ["uint256", "string", "uint256"], [1, OUTPUT, 10**15]))["gas_used"]

print(f"fulfilment gas on py-evm ({len(OUTPUT)}-byte output, no callback), vyper {vyper.__version__}")
print(f"{'':38}{'first reward':>13}{'credits held':>13}  vs reference")
print(f"{'reference fulfillRequest (one runner)':38}{reference_fulfilled:>13}{reference_fulfilled:>13}  1.00x")
for index, (count, _, first, steady) in enumerate(rakis):
    ratio = f"{first / reference_fulfilled:.2f}x, {steady / reference_fulfilled:.2f}x"
    line = f"{f'RakisInbox fulfill, {count} attestations':38}{first:>13}{steady:>13}  {ratio}"
    if index:
        previous = rakis[index - 1]
        span = count - previous[0]
        line += f"  (+{(first - previous[2]) / span:,.0f} / +{(steady - previous[3]) / span:,.0f} per attestation)"
    print(line)
print(f"requests: reference requestAI {reference_requested} gas, RakisInbox requestInference {rakis[0][1]} gas")
