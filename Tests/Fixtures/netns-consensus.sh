#!/usr/bin/env bash
# Three rakis nodes, each in a network namespace of its own, and a fourth namespace holding a
# Nostr relay and the submitting client, joined by veth pairs on one bridge. The nodes reach
# consensus on a prompt over the relay (MODE=relay) or over the direct mesh (MODE=mesh).
# Everything it creates it removes on exit. Needs root and iproute2.
#
#   netns-consensus.sh relay|mesh RAKIS_BINARY
# Prints the submitting client's JSON on its last line.
set -euo pipefail
mode=$1
rakis=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tag=$(( $$ % 100000 ))
subnet="10.$(( 100 + $$ % 100 )).$(( $$ / 100 % 250 ))"
bridge="rkb$tag"
work=$(mktemp -d /tmp/rakis-netns-XXXXXX)
pids=()
namespaces=()

cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for ns in "${namespaces[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true; ip netns del "$ns" 2>/dev/null || true; done
  ip link del "$bridge" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf 'netns: %s\n' "$*" >&2; }

ip link add "$bridge" type bridge
ip link set "$bridge" up
for i in 1 2 3 4; do
  ns="rk$tag-$i"
  ip netns add "$ns"
  namespaces+=("$ns")
  ip link add "rv$tag$i" type veth peer name eth0 netns "$ns"
  ip link set "rv$tag$i" master "$bridge" up
  ip -n "$ns" addr add "$subnet.$i/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
say "hosts $subnet.1-3 (nodes) and $subnet.4 (relay, client) on bridge $bridge"

relay_url="ws://$subnet.4:7447"
if [[ $mode == relay ]]; then
  mkdir -p "$work/relay"
  sed -e "s|{{DIR}}|$work/relay|" -e "s|{{HOST}}|$subnet.4|" -e "s|{{PORT}}|7447|" -e "s|{{MAX_EVENT_SIZE}}|1048576|" \
    Tests/Fixtures/nostr-relay.yaml > "$work/relay/config.yaml"
  ip netns exec "rk$tag-4" .venv/bin/nostr-relay -c "$work/relay/config.yaml" serve > "$work/relay.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    ip netns exec "rk$tag-4" .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://$subnet.4:7447/', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done
  say "relay up at $relay_url"
fi

export RAKIS_PASSWORD="netns test password"
topic="netns-$tag"
for i in 1 2 3; do
  "$rakis" init --data-dir "$work/node$i" > /dev/null
  if [[ $mode == relay ]]; then
    network=(--relay "$relay_url")
  else
    network=(--no-relays --listen "$subnet.$i:7400")
    [[ $i -gt 1 ]] && network+=(--peer "ws://$subnet.1:7400")
  fi
  ip netns exec "rk$tag-$i" "$rakis" run --data-dir "$work/node$i" --topic "$topic" "${network[@]}" > "$work/node$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  for _ in $(seq 300); do grep -q "models ready" "$work/node$i.log" && break; sleep 0.2; done
  grep -q "models ready" "$work/node$i.log" || { say "node $i did not get ready:"; cat "$work/node$i.log" >&2; exit 1; }
done
if [[ $mode == mesh ]]; then
  for _ in $(seq 100); do [[ $(grep -c "mesh peer connected" "$work/node1.log") -ge 2 ]] && break; sleep 0.2; done
fi
say "3 nodes ready over the $mode"

if [[ $mode == relay ]]; then client=(--relay "$relay_url"); else client=(--peer "ws://$subnet.2:7400"); fi
set +e
ip netns exec "rk$tag-4" "$rakis" submit "${client[@]}" --topic "$topic" --prompt "What is the capital of France?" \
  --quorum 3 --time 15 --max-tokens 12 --json > "$work/result.json" 2> "$work/submit.log"
status=$?
set -e
if [[ $status -ne 0 ]]; then
  say "submit failed ($status):"; cat "$work/submit.log" >&2
  for i in 1 2 3; do say "node $i log:"; tail -20 "$work/node$i.log" >&2; done
fi
cat "$work/result.json"
exit $status
