"""The simulator's answers (issue 21): every answer of the consensus evaluation set with the binary
embedding the node's own all-MiniLM-L6-v2 gives it, so that simulated clusters have the distances
real ones have.

usage: python3 scripts/simulation/embed-eval-set.py [--rakis PATH] [--eval FILE] [--out FILE]
Reads docs/consensus-eval/eval-set.jsonl, embeds each distinct answer once with `rakis embed`
(bit-identical on every machine), and writes one JSON object per answer:
{"prompt", "kind", "role", "wrongKind"?, "temperature"?, "output", "bEmbedding" (hex)}.
An answer's whitespace is collapsed to single spaces first, as the embedding sees it.
"""
import argparse
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
parser = argparse.ArgumentParser()
parser.add_argument("--rakis", default=str(ROOT / ".build" / "debug" / "rakis"))
parser.add_argument("--eval", default=str(ROOT / "docs" / "consensus-eval" / "eval-set.jsonl"))
parser.add_argument("--out", default=str(ROOT / "Sources" / "RakisSimulation" / "Resources" / "answers.jsonl"))
options = parser.parse_args()

records = [json.loads(line) for line in pathlib.Path(options.eval).read_text().splitlines()]
for record in records:
    record["output"] = " ".join(record["output"].split()) or "."
unique = sorted({r["output"] for r in records})
result = subprocess.run(
    [options.rakis, "embed", "--workers", "2", "-"], input="\n".join(unique) + "\n", capture_output=True, text=True)
if result.returncode != 0:
    sys.exit(f"rakis embed failed: {result.stderr[-500:]}")
lines = result.stdout.splitlines()
if len(lines) != len(unique):
    sys.exit(f"rakis embed printed {len(lines)} embeddings for {len(unique)} answers")
bits = {text: line.split()[1] for text, line in zip(unique, lines)}
keys = ["prompt", "kind", "role", "wrongKind", "temperature", "output"]
with open(options.out, "w") as out:
    for record in records:
        entry = {key: record[key] for key in keys if key in record}
        entry["bEmbedding"] = bits[record["output"]]
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
print(f"wrote {len(records)} answers ({len(unique)} distinct) to {options.out}", file=sys.stderr)
