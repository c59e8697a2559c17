#!/usr/bin/env python3
"""Where a packet's CPU goes in intake on one core: runs one round of `rakis-bench intake` pinned
to CPU 0 under `perf record` and splits the samples of the intake stage (from the first sample
of the intake worker thread to its last) into Ed25519, the rest of the intake thread, the
actor's thread, and the other threads (SQLite's writer). Prints the shares of each.

Usage: scripts/profile-intake.py [BENCH [INTAKE OPTIONS...]] (default .build/release/rakis-bench;
options go to `rakis-bench intake`, e.g. `--peers 2000`); needs `perf`
(Debian's linux-perf) and a kernel that lets this user sample (perf_event_paranoid ≤ 1, or root).
"""
import collections
import os
import shutil
import subprocess
import sys
import tempfile

bench = sys.argv[1] if len(sys.argv) > 1 else ".build/release/rakis-bench"
options = sys.argv[2:]
if not shutil.which("perf"):
    sys.exit("profile-intake: perf is not installed (apt-get install linux-perf)")
if not os.access(bench, os.X_OK):
    sys.exit(f"profile-intake: no benchmark at {bench}; run `swift build -c release --product rakis-bench` first")

with tempfile.TemporaryDirectory() as folder:
    data = os.path.join(folder, "perf.data")
    subprocess.run(["taskset", "-c", "0", "perf", "record", "-q", "-o", data, bench, "intake", "--rounds", "1",
                    "--set", "intakeThreads=1", *options], check=True, stdout=subprocess.DEVNULL)
    script = subprocess.run(["perf", "script", "-i", data, "-F", "tid,time,ip,sym,dso"],
                            check=True, capture_output=True, text=True).stdout

samples = []
for line in script.splitlines():
    fields = line.split()
    if len(fields) < 4:
        continue
    try:
        time = float(fields[1].rstrip(":"))
    except ValueError:
        continue
    samples.append((fields[0], time, " ".join(fields[3:-1])))

counts = collections.Counter(tid for tid, _, _ in samples)
first = {}
for tid, time, _ in samples:
    first.setdefault(tid, time)
# The main thread starts first (signing, parsing, Ed25519 alone); the intake worker is the next
# busy thread, and its first sample is when the intake stage begins.
busy = [tid for tid, _ in sorted(first.items(), key=lambda item: item[1]) if counts[tid] > 1000]
if len(busy) < 2:
    sys.exit("profile-intake: too few samples to tell the threads apart")
main, worker = busy[0], busy[1]
# The stage ends with the worker's last sample: the benchmark goes on with packets verified
# already, on other threads.
last = max(time for tid, time, _ in samples if tid == worker)


def is_ed25519(symbol):
    return symbol.startswith(("fe_", "ge_")) or any(part in symbol for part in ("ED25519", "x25519", "sha512", "fiat"))


# Between intake's segments the benchmark times Ed25519 alone on its own thread: those checks
# are not intake's, and leave the stage.
intake = [s for s in samples if first[worker] <= s[1] <= last and not (s[0] != worker and is_ed25519(s[2]))]


total = len(intake)
ed25519 = sum(1 for _, _, symbol in intake if is_ed25519(symbol))
worker_rest = sum(1 for tid, _, symbol in intake if tid == worker and not is_ed25519(symbol))
actor = sum(1 for tid, _, symbol in intake if tid == main and not is_ed25519(symbol))
others = total - ed25519 - worker_rest - actor
# On one pinned core the shares are the whole of the stage's time only if the core never idles
# (waiting on the disk, say): compare the stage's samples a second with the main thread's
# before it, which never waits.
before = [time for tid, time, _ in samples if tid == main and time < first[worker]]
busy_rate = (len(before) - 1) / (before[-1] - before[0])
stage_rate = (len([s for s in samples if first[worker] <= s[1] <= last]) - 1) / (last - first[worker])
print(f"intake stage: {total} samples, {stage_rate:.0f} a second (the CPU-bound stages before it: {busy_rate:.0f})")
for name, count in [("Ed25519", ed25519), ("intake thread, the rest (parsing, canonical bytes, hex)", worker_rest),
                    ("actor (backlog, copy index, publishing, the benchmark's deliveries)", actor),
                    ("other threads (the SQLite writer)", others)]:
    print(f"  {name:70s} {100 * count / total:5.1f} %")
