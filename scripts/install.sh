#!/usr/bin/env bash
# Installs `rakis` into PREFIX (default /usr/local) so that it runs from any directory:
#   PREFIX/bin/rakis                          the binary (release, Swift runtime linked in)
#   PREFIX/bin/rakis_RakisServer.resources/   the dashboard and OpenAPI document it serves
#   PREFIX/bin/rakis_RakisSimulation.resources/  the answers `rakis simulate` models nodes with
#   PREFIX/lib/rakis/                         the llama.cpp libraries, found through $ORIGIN
# The default models stay in the per-user data directory that `make setup` fills.
#
# Options (environment): PREFIX; CONFIGURATION=release|debug; BIN_PATH=DIR to install an existing
# build instead of building (the tests install the debug build this way).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'install: %s\n' "$*" >&2; }

prefix=${PREFIX:-/usr/local}
configuration=${CONFIGURATION:-release}
[[ -d .llama/lib ]] || { say "llama.cpp is not built; run \`make setup\` first"; exit 1; }
command -v patchelf >/dev/null || { say "patchelf is missing; run \`make setup\` first"; exit 1; }

if [[ -n ${BIN_PATH:-} ]]; then
  bin=$BIN_PATH
else
  flags=(-c "$configuration" --product rakis)
  # A release binary carries the Swift runtime, so that it needs no toolchain where it runs.
  [[ $configuration == release ]] && flags+=(--static-swift-stdlib)
  say "building rakis ($configuration; the first release build takes several minutes)"
  swift build "${flags[@]}" >&2
  bin=$(swift build "${flags[@]}" --show-bin-path)
fi
[[ -x $bin/rakis ]] || { say "no rakis binary in $bin"; exit 1; }

mkdir -p "$prefix/bin" "$prefix/lib/rakis"
install -m 0755 "$bin/rakis" "$prefix/bin/rakis.partial"
# A release binary ships without its debug information (it is most of the file's size).
[[ -z ${BIN_PATH:-} && $configuration == release ]] && strip --strip-debug "$prefix/bin/rakis.partial"
for bundle in rakis_RakisServer.resources rakis_RakisSimulation.resources; do
  rm -rf "$prefix/bin/$bundle"
  cp -r "$bin/$bundle" "$prefix/bin/"
done
cp -P "$(readlink -f .llama)"/lib/*.so* "$prefix/lib/rakis/"
# Look for llama.cpp beside the binary first; keep the other search paths (a debug build's
# Swift runtime) but drop the checkout's own .llama.
kept=$(patchelf --print-rpath "$prefix/bin/rakis.partial" | tr ':' '\n' | grep -v -e '/\.llama/lib$' -e '^$' | paste -sd: -)
patchelf --set-rpath "\$ORIGIN/../lib/rakis${kept:+:$kept}" "$prefix/bin/rakis.partial"
mv "$prefix/bin/rakis.partial" "$prefix/bin/rakis"
say "installed $prefix/bin/rakis"
