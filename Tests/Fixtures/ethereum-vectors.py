"""Vectors for rakis's Ethereum primitives, made by independent implementations from PyPI
(eth-hash with pycryptodome, rlp, eth-keys, eth-utils, eth-account), and checks of what rakis
made, the other way round.

    ethereum-vectors.py generate SEED COUNT      JSON vectors on stdout (COUNT random cases each)
    ethereum-vectors.py check FILE               checks rakis's output in FILE; prints "ok N" or the failures

Run by Tests/RakisEthereumTests; `generate 1 40` made Tests/Fixtures/ethereum-vectors.json.
"""
import json
import random
import sys

import rlp
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi.grammar import TupleType, parse
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_hash.auto import keccak
from eth_keys import keys
from eth_utils import to_checksum_address

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def random_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def random_rlp(rng, depth=0):
    """A random RLP structure: bytes (all the length classes) or a list of them."""
    if depth < 4 and rng.random() < 0.3:
        return [random_rlp(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 3, 5, 20]))]
    length = rng.choice([0, 1, 1, 2, 10, 55, 56, 57, 200, 1100])
    data = random_bytes(rng, length)
    if length == 1 and rng.random() < 0.5:
        data = bytes([rng.randrange(0, 0x80)])
    return data


def to_json(item):
    return [to_json(x) for x in item] if isinstance(item, list) else item.hex()


def from_json(item):
    return [from_json(x) for x in item] if isinstance(item, list) else bytes.fromhex(item)


def random_key(rng):
    return rng.randrange(1, SECP256K1_N).to_bytes(32, "big")


def random_abi_type(rng, depth=0):
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        return "(" + ",".join(random_abi_type(rng, depth + 1) for _ in range(rng.randrange(1, 4))) + ")"
    if depth < 3 and roll < 0.3:
        inner = random_abi_type(rng, depth + 1)
        return inner + rng.choice(["[]", "[1]", "[2]", "[3]"])
    kind = rng.choice(["uint", "int", "address", "bool", "bytesN", "bytes", "string"])
    if kind in ("uint", "int"):
        return kind + str(8 * rng.randrange(1, 33))
    if kind == "bytesN":
        return "bytes" + str(rng.randrange(1, 33))
    return kind


def random_abi_value(rng, t):
    if t.is_array:
        length = t.arrlist[-1][0] if t.arrlist[-1] else rng.randrange(0, 4)
        return [random_abi_value(rng, t.item_type) for _ in range(length)]
    if isinstance(t, TupleType):
        return tuple(random_abi_value(rng, c) for c in t.components)
    base, sub = t.base, t.sub
    if base == "uint":
        return rng.choice([0, 1, (1 << sub) - 1, rng.getrandbits(sub)])
    if base == "int":
        low, high = -(1 << (sub - 1)), (1 << (sub - 1)) - 1
        return rng.choice([0, -1, low, high, rng.randrange(low, high + 1)])
    if base == "address":
        return to_checksum_address(random_bytes(rng, 20))
    if base == "bool":
        return rng.random() < 0.5
    if base == "bytes":
        return random_bytes(rng, sub if sub else rng.choice([0, 1, 31, 32, 33, 100]))
    if base == "string":
        return "".join(rng.choice(["a", "Z", " ", "\"", "é", "日本", "🎨", "\n"]) for _ in range(rng.randrange(0, 40)))
    raise ValueError(t)


def abi_to_json(t, v):
    if t.is_array:
        return [abi_to_json(t.item_type, x) for x in v]
    if isinstance(t, TupleType):
        return [abi_to_json(c, x) for c, x in zip(t.components, v)]
    if t.base in ("uint", "int"):
        return str(v)
    if t.base == "bytes":
        return v.hex()
    if t.base == "address":
        return to_checksum_address(v)
    return v


def abi_from_json(t, v):
    if t.is_array:
        return [abi_from_json(t.item_type, x) for x in v]
    if isinstance(t, TupleType):
        return tuple(abi_from_json(c, x) for c, x in zip(t.components, v))
    if t.base in ("uint", "int"):
        return int(v)
    if t.base == "bytes":
        return bytes.fromhex(v)
    return v


def random_transaction(rng):
    """A random legacy (EIP-155) or EIP-1559 transaction, as eth-account's dict and as JSON."""
    big = lambda: rng.choice([0, 1, 255, 256, 10**18, 2**64 - 1, 2**255, rng.getrandbits(rng.choice([8, 64, 128, 256]))])
    fields = {
        "chainId": rng.choice([1, 5, 137, 11155111, 2**32 + 7]), "nonce": rng.choice([0, 1, 127, 128, 2**40]),
        "gas": rng.choice([21000, 100000, 2**63 - 1]), "value": big(), "data": random_bytes(rng, rng.choice([0, 1, 4, 36, 100, 600])),
    }
    to = None if rng.random() < 0.1 else to_checksum_address(random_bytes(rng, 20))
    if to:
        fields["to"] = to
    if rng.random() < 0.5:
        fields["gasPrice"] = big()
    else:
        fields["type"] = 2
        fields["maxPriorityFeePerGas"] = big()
        fields["maxFeePerGas"] = big()
        fields["accessList"] = [
            {"address": to_checksum_address(random_bytes(rng, 20)), "storageKeys": ["0x" + random_bytes(rng, 32).hex() for _ in range(rng.randrange(0, 3))]}
            for _ in range(rng.choice([0, 0, 1, 2]))
        ]
    as_json = {k: (str(v) if isinstance(v, int) else v.hex() if isinstance(v, bytes) else v) for k, v in fields.items()}
    return fields, as_json


def transaction_from_json(j):
    fields = {}
    for k, v in j.items():
        if k in ("to", "accessList"):
            fields[k] = v
        elif k == "data":
            fields[k] = bytes.fromhex(v)
        else:
            fields[k] = int(v)
    return fields


def generate(seed, count):
    rng = random.Random(seed)
    out = {"keccak": [], "rlp": [], "addresses": [], "personal": [], "identities": [], "abi": [], "transactions": []}
    lengths = [0, 1, 3, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 1000, 4096]
    for n in range(count):
        data = random_bytes(rng, lengths[n] if n < len(lengths) else rng.randrange(0, 700))
        out["keccak"].append({"input": data.hex(), "digest": keccak(data).hex()})
        item = random_rlp(rng)
        out["rlp"].append({"item": to_json(item), "encoding": rlp.encode(item).hex()})
        key = keys.PrivateKey(random_key(rng))
        out["addresses"].append({"publicKey": "04" + key.public_key.to_bytes().hex(), "address": key.public_key.to_checksum_address()})
        message = random_bytes(rng, rng.choice([0, 1, 32, 64, 100, 300]))
        signed = Account.sign_message(encode_defunct(primitive=message), private_key=key.to_bytes())
        out["personal"].append({
            "message": message.hex(), "secretKey": key.to_bytes().hex(), "signature": signed.signature.hex().removeprefix("0x"),
            "address": key.public_key.to_checksum_address(),
        })
        types = [random_abi_type(rng) for _ in range(rng.randrange(1, 4))]
        parsed = [parse(t) for t in types]
        values = [random_abi_value(rng, t) for t in parsed]
        out["abi"].append({
            "types": types, "values": [abi_to_json(t, v) for t, v in zip(parsed, values)], "encoding": abi_encode(types, values).hex(),
        })
        fields, as_json = random_transaction(rng)
        signed = Account.sign_transaction(fields, key.to_bytes())
        out["transactions"].append({
            "secretKey": key.to_bytes().hex(), "transaction": as_json, "raw": bytes(signed.raw_transaction).hex(), "hash": bytes(signed.hash).hex(),
        })
        synthient_id = random_bytes(rng, 32).hex()
        signed = Account.sign_message(encode_defunct(text=synthient_id), private_key=key.to_bytes())
        out["identities"].append({
            "synthientId": synthient_id, "address": key.public_key.to_checksum_address(),
            "signature": "0x" + signed.signature.hex().removeprefix("0x"),
        })
    json.dump(out, sys.stdout)


def check(path):
    with open(path) as f:
        made = json.load(f)
    failures = []
    checked = 0
    for case in made.get("rlp", []):
        item = from_json(case["item"])
        encoding = bytes.fromhex(case["encoding"])
        if rlp.encode(item) != encoding or rlp.decode(encoding) != item:
            failures.append(f"rlp {case['encoding'][:40]}")
        checked += 1
    for case in made.get("keccak", []):
        if keccak(bytes.fromhex(case["input"])).hex() != case["digest"]:
            failures.append(f"keccak {case['input'][:40]}")
        checked += 1
    for case in made.get("addresses", []):
        if to_checksum_address("0x" + case["bytes"]) != case["address"]:
            failures.append(f"address {case['address']}")
        checked += 1
    for case in made.get("personal", []):
        recovered = Account.recover_message(encode_defunct(primitive=bytes.fromhex(case["message"])), signature=bytes.fromhex(case["signature"]))
        if recovered != case["address"]:
            failures.append(f"personal {case['signature'][:40]} recovered {recovered}, not {case['address']}")
        checked += 1
    for case in made.get("abi", []):
        parsed = [parse(t) for t in case["types"]]
        encoding = bytes.fromhex(case["encoding"])
        values = [abi_from_json(t, v) for t, v in zip(parsed, case["values"])]
        decoded = abi_decode(case["types"], encoding)
        if abi_encode(case["types"], values) != encoding or [abi_to_json(t, v) for t, v in zip(parsed, decoded)] != case["values"]:
            failures.append(f"abi {case['types']}")
        checked += 1
    for case in made.get("transactions", []):
        key = bytes.fromhex(case["secretKey"])
        signed = Account.sign_transaction(transaction_from_json(case["transaction"]), key)
        raw = bytes.fromhex(case["raw"])
        if bytes(signed.raw_transaction) != raw or Account.recover_transaction(raw) != Account.from_key(key).address:
            failures.append(f"transaction {case['raw'][:40]}")
        checked += 1
    if failures:
        print("\n".join(failures[:20]))
        sys.exit(1)
    print(f"ok {checked}")


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
