#!/usr/bin/env bash
# The main job on the embedded default: a local network of three nodes in one process, each
# with Gemma 3 270M (llama.cpp) and all-MiniLM-L6-v2, takes one prompt through inference,
# commit, reveal and embedding-cluster consensus, and prints what every node agreed on. Then the
# same network answers a request made on a test chain (a real EVM) and fulfils it there.
set -euo pipefail
cd "$(dirname "$0")/.."

rakis=${RAKIS_BIN:-.build/debug/rakis}
echo "== rakis devnet --nodes 3"
"$rakis" devnet --nodes 3 "$@"
echo
echo "== rakis devnet --nodes 3 --chain"
"$rakis" devnet --nodes 3 --chain "$@"
