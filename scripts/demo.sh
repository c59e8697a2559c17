#!/usr/bin/env bash
# The main job on the embedded default: create a node in a temporary directory, show its id,
# run it until it is up, stop it with SIGINT and check that it shut down cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

rakis=${RAKIS_BIN:-.build/debug/rakis}
work=$(mktemp -d -t rakis-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
export RAKIS_PASSWORD=${RAKIS_PASSWORD:-demo-password-$$}
node="$work/node"

echo "== rakis init --data-dir $node"
"$rakis" init --data-dir "$node"
echo
echo "== rakis id --data-dir $node"
"$rakis" id --data-dir "$node"
echo
echo "== rakis run --data-dir $node   (stopped with Ctrl-C once it is up)"
"$rakis" run --data-dir "$node" --set waitForP2PBootupMs=0 2> "$work/run.log" &
pid=$!
for _ in $(seq 1 300); do
  grep -q "node started" "$work/run.log" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
sleep 1
kill -INT "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
cat "$work/run.log"
if [[ $status -ne 0 ]] || ! grep -q "shut down cleanly" "$work/run.log"; then
  echo "demo: the node did not shut down cleanly (exit $status)" >&2
  exit 1
fi
echo
echo "== rakis embed   (all-MiniLM-L6-v2 in Swift: dimensions and bEmbedding per text)"
"$rakis" embed "Red, green and blue are primary colours of light." "The primary colours of light are red, green and blue."
echo
echo "== rakis generate   (Gemma 3 270M through llama.cpp, in process; greedy, 32 tokens)"
"$rakis" generate --log-level warning --max-tokens 32 "What is the capital of France?"
echo
echo "demo: node created, started, and stopped cleanly; two answers embedded; one generated. (Its data in $work is removed now.)"
