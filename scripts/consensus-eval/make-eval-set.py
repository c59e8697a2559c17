"""The consensus evaluation set (issue 18): honest answers by the default LLM through the real
engine (`rakis generate`, llama.cpp in process) at several temperatures, and wrong answers of
five kinds made from them, for measuring how well a distance tells them apart.

usage: python3 scripts/consensus-eval/make-eval-set.py [--rakis PATH] [--out FILE] [--samples N]
Resumable: answers already in FILE are kept and not generated again. Deterministic: greedy
answers repeat exactly, sampled ones repeat by their seed, and the wrong answers are derived
from the answers with a fixed random seed.
"""
import argparse
import json
import pathlib
import random
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPERATURES = [0.0, 0.3, 0.7, 1.0]
MAX_TOKENS = 48
# Words for the random-text wrong answers: ordinary English, so that only the meaning is off.
VOCABULARY = ("table window river green quickly seven paper under music bright stone village carry yellow "
              "engine softly garden ladder minute orange travel winter basket silent number cloud follow "
              "kitchen purple market simple thunder bottle forest letter morning island careful pencil").split()
ECHOES = ["{prompt}", "You asked: {prompt}", "I am not sure. {prompt}", "That is a good question: {prompt}"]

parser = argparse.ArgumentParser()
parser.add_argument("--rakis", default=str(ROOT / ".build" / "debug" / "rakis"))
parser.add_argument("--out", default=str(ROOT / "docs" / "consensus-eval" / "eval-set.jsonl"))
parser.add_argument("--samples", type=int, default=5, help="sampled answers per prompt and temperature above 0")
parser.add_argument("--limit", type=int, default=None, help="only the first N prompts of each kind (a quick trial)")
options = parser.parse_args()


def prompts():
    table = json.loads((HERE / "prompts.json").read_text())
    for kind, entries in table.items():
        for entry in entries[: options.limit]:
            yield (kind, entry) if isinstance(entry, dict) else (kind, {"prompt": entry})


def generate(prompt, temperature, seed):
    arguments = [options.rakis, "generate", "--max-tokens", str(MAX_TOKENS), "--temperature", str(temperature), "--log-level", "error"]
    if temperature > 0:
        arguments += ["--seed", str(seed)]
    result = subprocess.run(arguments + [prompt], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        sys.exit(f"rakis generate failed for {prompt!r}: {result.stderr.strip()[-500:]}")
    return result.stdout.strip()


out = pathlib.Path(options.out)
out.parent.mkdir(parents=True, exist_ok=True)
done = {}
if out.exists():
    for line in out.read_text().splitlines():
        record = json.loads(line)
        if record["role"] == "honest":
            done[(record["prompt"], record["temperature"], record["seed"])] = record

entries = list(prompts())
plan = [(kind, entry, t, seed) for kind, entry in entries for t in TEMPERATURES for seed in ([0] if t == 0 else range(1, options.samples + 1))]
honest = []
with out.open("a") as sink:
    for index, (kind, entry, temperature, seed) in enumerate(plan):
        key = (entry["prompt"], temperature, seed)
        if key not in done:
            record = {"role": "honest", "kind": kind, "prompt": entry["prompt"], "temperature": temperature, "seed": seed,
                      "output": generate(entry["prompt"], temperature, seed)}
            sink.write(json.dumps(record) + "\n")
            sink.flush()
            done[key] = record
            print(f"[{index + 1}/{len(plan)}] {kind} t={temperature} seed={seed}: {record['output'][:60]!r}", file=sys.stderr)
        honest.append(done[key])

# Wrong answers, from the greedy answers, the same every run.
rng = random.Random(18)
greedy = {r["prompt"]: r["output"] for r in honest if r["temperature"] == 0}
wrong = []
for position, (kind, entry) in enumerate(entries):
    prompt, answer = entry["prompt"], greedy[entry["prompt"]]
    others = [p for k, e in entries for p in [e["prompt"]] if p != prompt]
    def add(wrong_kind, text):
        wrong.append({"role": "wrong", "kind": kind, "prompt": prompt, "wrongKind": wrong_kind, "output": text})
    for other in rng.sample(others, min(3, len(others))):
        add("otherPrompt", greedy[other])
    add("echo", rng.choice(ECHOES).format(prompt=prompt))
    add("random", " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 24))).capitalize() + ".")
    words = answer.split()
    if len(words) >= 6:  # a shorter answer cut short is often still the answer
        add("truncated", " ".join(words[: len(words) // 3]))
    if kind == "factual":
        lowered = answer.lower()
        if entry["answer"].lower() in lowered:
            start = lowered.index(entry["answer"].lower())
            swapped = answer[:start] + entry["wrong"] + answer[start + len(entry["answer"]):]
        else:
            swapped = f"The answer is {entry['wrong']}."
        add("swappedFact", swapped)

with out.open("w") as sink:
    for record in honest + wrong:
        sink.write(json.dumps(record) + "\n")
print(f"{len(honest)} honest and {len(wrong)} wrong answers for {len(entries)} prompts in {out}", file=sys.stderr)
