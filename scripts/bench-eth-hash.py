"""Keccak-256 throughput of eth-hash with its pycryptodome backend (C), the reference for
`rakis-bench ethereum`. Prints hashes per second for one input size.

    bench-eth-hash.py SIZE_BYTES SECONDS
"""
import sys
import time

from eth_hash.backends.pycryptodome import keccak256

size, seconds = int(sys.argv[1]), float(sys.argv[2])
data = bytes(range(256)) * (size // 256) + bytes(size % 256)
count = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    for _ in range(1000):
        keccak256(data)
    count += 1000
print(f"{count / (time.perf_counter() - start):.0f}")
