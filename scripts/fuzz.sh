#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) under libFuzzer for SECONDS each, starting from
# the committed seeds (Fuzz/corpus) and dictionaries, and prints executions per second and
# coverage per target. A crash or a broken property stops nothing else: its input is kept in
# .build/fuzz-findings/TARGET/, the run ends non-zero, and the fix comes with that input moved
# to Fuzz/regressions/TARGET/ (which the ordinary tests replay).
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]      (make fuzz: 120 s each; make test: 30 s each)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(ls Fuzz/corpus)
fi

# A build of its own (release, coverage-instrumented, AddressSanitizer) beside the ordinary one,
# so that neither invalidates the other.
scratch=.build/fuzz
flags=(-c release --product rakis-fuzz --scratch-path "$scratch" --sanitize fuzzer
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DRAKIS_LIBFUZZER)
work=$(mktemp -d -t rakis-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "fuzz: building rakis-fuzz with libFuzzer and AddressSanitizer into $scratch (the first build takes 15-25 minutes)" >&2
if ! swift build "${flags[@]}" >"$work/build.log" 2>&1; then
  grep -E "error" "$work/build.log" | head -20 >&2
  echo "fuzz: the build failed; run: swift build ${flags[*]}" >&2
  exit 1
fi
bin=$(swift build "${flags[@]}" --show-bin-path)/rakis-fuzz

findings=.build/fuzz-findings
failed=()
printf '%-22s %10s %9s %7s %7s %8s  %s\n' target runs "exec/s" cov ft corpus result
for target in "${targets[@]}"; do
  [[ -d Fuzz/corpus/$target ]] || { echo "fuzz: no target $target (see Fuzz/corpus)" >&2; exit 2; }
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp Fuzz/corpus/"$target"/* "$work/$target/corpus/"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1
           -artifact_prefix="$work/$target/artifacts/")
  [[ -f Fuzz/dictionaries/$target.dict ]] && options+=(-dict="Fuzz/dictionaries/$target.dict")
  log=$work/$target/log
  status=0
  RAKIS_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:handle_abort=1 \
    "$bin" "${options[@]}" "$work/$target/corpus" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  result=ok
  if ((status != 0)); then
    result="FOUND (exit $status)"
    failed+=("$target")
    mkdir -p "$findings/$target"
    cp "$work/$target/artifacts/"* "$findings/$target/" 2>/dev/null || true
    cp "$log" "$findings/$target/log"
  fi
  printf '%-22s %10s %9s %7s %7s %8s  %s\n' "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$result"
done
if ((${#failed[@]})); then
  for target in "${failed[@]}"; do
    echo "fuzz: $target: $(grep -m1 -E 'rakis-fuzz:|Fatal error|ERROR: (libFuzzer|AddressSanitizer)' "$findings/$target/log" || echo 'see the log')" >&2
    echo "      input and log in $findings/$target/; reproduce with: swift run rakis-fuzz $target $findings/$target/<file>" >&2
  done
  exit 1
fi
