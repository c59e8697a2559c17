"""A test chain: a real EVM (eth-tester on py-evm) behind standard Ethereum JSON-RPC over HTTP.

usage: test-chain.py PORT [--chain-id N] [--mode ok|garbage|http500] [--exit-on-stdin-eof]
No such server exists on PyPI, so rakis ships this one, for its tests and `rakis devnet --chain`.
PORT 0 takes a free port; either way it prints `listening on http://127.0.0.1:PORT` once it
accepts calls. With --exit-on-stdin-eof it stops when its standard input closes, which happens
when the process that started it ends, however it ends.
It speaks only standard methods (and batches), so what works against it works against geth,
anvil or a public RPC: eth_chainId, eth_blockNumber, eth_getBlockByNumber, eth_getBalance,
eth_getLogs, eth_call, eth_estimateGas, eth_getTransactionCount, eth_sendRawTransaction,
eth_getTransactionReceipt, eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory; and, for
tests, evm_mine, evm_increaseTime and evm_setAutomine (as anvil and hardhat name them). Every
transaction is mined at once, unless evm_setAutomine(false) keeps them pending until evm_mine (a
later one at the same nonce replaces a pending one, as a fee bump does on a real node). The funded accounts are eth-tester's: secret keys 1 to 10, each 1,000,000 ether.
GET /ready answers 200 with the chain's pid (so a test knows it is this chain). Modes for error tests: garbage (200 with a body that is not JSON),
http500 (every call fails with HTTP 500).
"""
import argparse
import http.server
import json
import os
import sys
import threading
import traceback

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import BlockNotFound, FilterNotFound, TransactionFailed, TransactionNotFound, ValidationError

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--chain-id", type=int, default=None)
parser.add_argument("--mode", default="ok", choices=["ok", "garbage", "http500"])
parser.add_argument("--exit-on-stdin-eof", action="store_true")
options = parser.parse_args()

backend = PyEVMBackend()
if options.chain_id is not None:
    # The tester chain is a class of its own per backend; its blocks read the id from it.
    type(backend.chain).chain_id = options.chain_id
chain = EthereumTester(backend)
# eth-tester is not thread-safe; one request at a time.
lock = threading.Lock()


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def camel(key):
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_rpc(value):
    """eth-tester's results (ints, snake_case keys) as JSON-RPC has them (hex quantities, camelCase)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {camel(k): to_rpc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_rpc(v) for v in value]
    return value


def quantity(text):
    if not isinstance(text, str) or not text.startswith("0x"):
        raise RPCError(-32602, f"invalid quantity {text!r}")
    return int(text, 16)


def block_tag(tag):
    if tag in ("latest", "earliest", "pending", "safe", "finalized"):
        return "latest" if tag in ("safe", "finalized") else tag
    return quantity(tag)


def transaction(params):
    tx = {}
    for key in ("from", "to", "data"):
        if params.get(key) is not None:
            tx[key] = params[key]
    if "input" in params and "data" not in tx:
        tx["data"] = params["input"]
    for key in ("value", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "nonce"):
        if params.get(key) is not None:
            tx[{"gasPrice": "gas_price", "maxFeePerGas": "max_fee_per_gas", "maxPriorityFeePerGas": "max_priority_fee_per_gas"}.get(key, key)] = quantity(params[key])
    if "from" not in tx:
        tx["from"] = chain.get_accounts()[0]
    return tx


def reverted(error):
    return RPCError(3, f"execution reverted: {error}", None)


def get_logs(spec):
    latest = chain.get_block_by_number("latest")["number"]
    start = block_tag(spec.get("fromBlock", "latest"))
    end = block_tag(spec.get("toBlock", "latest"))
    start = latest if start == "latest" else (0 if start == "earliest" else start)
    end = latest if end == "latest" else (0 if end == "earliest" else end)
    if start > latest:
        return []
    end = min(end, latest)
    if end - start > 10_000:
        raise RPCError(-32005, "query returned more than 10000 blocks; narrow the range")
    address = spec.get("address")
    topics = spec.get("topics")
    filter_id = chain.create_log_filter(from_block=start, to_block=end, address=address, topics=topics)
    try:
        return chain.get_all_filter_logs(filter_id)
    finally:
        chain.delete_filter(filter_id)


def fee_history(count, newest, percentiles):
    newest = chain.get_block_by_number(block_tag(newest))["number"]
    oldest = max(0, newest - quantity(count) + 1)
    blocks = [chain.get_block_by_number(n) for n in range(oldest, newest + 1)]
    base_fees = [b["base_fee_per_gas"] for b in blocks]
    base_fees.append(base_fees[-1])
    return {
        "oldest_block": oldest,
        "base_fee_per_gas": base_fees,
        "gas_used_ratio": [b["gas_used"] / b["gas_limit"] for b in blocks],
        "reward": [[10**9 for _ in percentiles or []] for _ in blocks],
    }


def increase_time(seconds):
    latest = chain.get_block_by_number("latest")["timestamp"]
    chain.time_travel(latest + quantity(seconds) if isinstance(seconds, str) else latest + int(seconds))
    return chain.get_block_by_number("latest")["timestamp"] - latest


def set_automine(enabled):
    if enabled:
        chain.enable_auto_mine_transactions()
    else:
        chain.disable_auto_mine_transactions()
    return True


METHODS = {
    "eth_chainId": lambda: backend.chain.chain_id,
    "net_version": lambda: str(backend.chain.chain_id),
    "eth_blockNumber": lambda: chain.get_block_by_number("latest")["number"],
    "eth_getBlockByNumber": lambda tag, full=False: chain.get_block_by_number(block_tag(tag), full),
    "eth_getBalance": lambda address, tag="latest": chain.get_balance(address, block_tag(tag)),
    "eth_getTransactionCount": lambda address, tag="latest": chain.get_nonce(address, block_tag(tag)),
    "eth_getLogs": get_logs,
    "eth_call": lambda tx, tag="latest": chain.call(transaction(tx), block_tag(tag)),
    "eth_estimateGas": lambda tx, tag="latest": chain.estimate_gas(transaction(tx), block_tag(tag)),
    "eth_sendRawTransaction": lambda raw: chain.send_raw_transaction(raw),
    "eth_getTransactionReceipt": lambda tx_hash: chain.get_transaction_receipt(tx_hash),
    "eth_gasPrice": lambda: chain.get_block_by_number("latest")["base_fee_per_gas"] + 10**9,
    "eth_maxPriorityFeePerGas": lambda: 10**9,
    "eth_feeHistory": fee_history,
    "evm_mine": lambda count="0x1": chain.mine_blocks(quantity(count) if isinstance(count, str) else int(count)) and "0x0",
    "evm_increaseTime": increase_time,
    "evm_setAutomine": set_automine,
}


def answer(call):
    if not isinstance(call, dict) or call.get("jsonrpc") != "2.0" or not isinstance(call.get("method"), str):
        return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
    ident = call.get("id")
    method = METHODS.get(call["method"])
    if method is None:
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": f"the method {call['method']} does not exist"}}
    try:
        with lock:
            result = method(*call.get("params", []))
        if call["method"] == "eth_getTransactionReceipt" and result is not None:
            result = {**result, "status": result["status"]}
        return {"jsonrpc": "2.0", "id": ident, "result": to_rpc(result)}
    except TransactionNotFound:
        return {"jsonrpc": "2.0", "id": ident, "result": None}
    except TransactionFailed as error:
        failure = reverted(error)
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": failure.code, "message": failure.message}}
    except RPCError as error:
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": error.code, "message": error.message}}
    except (ValidationError, BlockNotFound, FilterNotFound, TypeError, ValueError) as error:
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": -32602, "message": f"invalid params: {error}"}}
    except Exception as error:  # noqa: BLE001
        # A node answers a call that fails inside it with an error, never by dropping the
        # connection (which a client can only read as the node being unreachable).
        traceback.print_exc()
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": -32603, "message": f"internal error: {type(error).__name__}: {error}"}}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send(200 if self.path == "/ready" else 404, str(os.getpid()).encode(), "text/plain")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if options.mode == "garbage":
            return self.send(200, b"<html>not json-rpc</html>", "text/html")
        if options.mode == "http500":
            return self.send(500, b"internal error", "text/plain")
        try:
            request = json.loads(body)
        except ValueError:
            return self.send(200, json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}).encode())
        if isinstance(request, list):
            response = [answer(call) for call in request] if request else answer(None)
        else:
            response = answer(request)
        self.send(200, json.dumps(response).encode())


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


server = http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
if options.exit_on_stdin_eof:
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
