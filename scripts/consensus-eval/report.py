"""The consensus report (issue 18): how well each candidate distance tells honest answers from
wrong ones, and how the cluster rule behaves with it, over the evaluation set.

usage: .venv/bin/python scripts/consensus-eval/report.py [--rakis PATH] [--eval FILE] [--out DIR]
Embeds every answer with `rakis embed` (the node's own all-MiniLM-L6-v2, bit-identical on every
node), computes each candidate's distances, the ROC AUC of honest–honest against honest–wrong
pairs, and simulates quorums of 3, 5 and 10 with 0 to 40 % wrong members under the cluster rule
of RakisConsensus (a member's cluster is every member within the radius of it; the largest,
earliest on ties, must hold ceil(secPercentage × members)). Writes DIR/README.md and PNG plots.
"""
import argparse
import json
import math
import pathlib
import random
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--rakis", default=str(ROOT / ".build" / "debug" / "rakis"))
parser.add_argument("--eval", default=str(ROOT / "docs" / "consensus-eval" / "eval-set.jsonl"))
parser.add_argument("--out", default=str(ROOT / "docs" / "consensus-eval"))
parser.add_argument("--trials", type=int, default=400, help="simulated quorums per row of the table")
options = parser.parse_args()
out = pathlib.Path(options.out)
out.mkdir(parents=True, exist_ok=True)

records = [json.loads(line) for line in pathlib.Path(options.eval).read_text().splitlines()]
honest = [r for r in records if r["role"] == "honest"]
# A wrong answer derived from another prompt can be an honest answer of this one too (two
# questions both answered "Oxygen"): it is not wrong here, and is left out.
honest_texts = {(r["prompt"], " ".join(r["output"].split())) for r in honest}
wrong = [r for r in records if r["role"] == "wrong" and (r["prompt"], " ".join(r["output"].split())) not in honest_texts]
prompts = sorted({r["prompt"] for r in honest})
kind_of = {r["prompt"]: r["kind"] for r in honest}
TEMPERATURES = sorted({r["temperature"] for r in honest})


def embed(texts):
    """The node's embeddings of `texts`, one process for all. A line break is whitespace to the
    BERT tokenizer, so the texts go one per line with their breaks as spaces."""
    unique = sorted(set(texts))
    lines = "\n".join(" ".join(t.split()) or "." for t in unique) + "\n"
    result = subprocess.run([options.rakis, "embed", "--json", "--workers", "2", "-"], input=lines, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"rakis embed failed: {result.stderr[-500:]}")
    vectors = [json.loads(line)["embedding"] for line in result.stdout.splitlines()]
    return {text: np.array(vector, dtype=np.float64) for text, vector in zip(unique, vectors)}


outputs = embed([r["output"] for r in records])
with_prompt = embed([r["prompt"] + "\n" + r["output"] for r in records])
# The centre for the centred sign bits is fitted on the honest answers of every other prompt and
# applied to the rest (two folds), so that no answer is scored with a centre fitted on itself.
fold = {p: i % 2 for i, p in enumerate(prompts)}
centres = [np.mean([outputs[r["output"]] for r in honest if fold[r["prompt"]] != f], axis=0) for f in (0, 1)]


def bits(vector):
    return vector > 0


CANDIDATES = {
    "hamming": ("sign-bit Hamming (the protocol's)", "bits", lambda r: bits(outputs[r["output"]])),
    "cosine": ("cosine distance, float embedding", "1 − cos", lambda r: outputs[r["output"]]),
    "centred": ("centred sign-bit Hamming", "bits", lambda r: bits(outputs[r["output"]] - centres[fold[r["prompt"]]])),
    "prompt-hamming": ("sign-bit Hamming of prompt + output", "bits", lambda r: bits(with_prompt[r["prompt"] + "\n" + r["output"]])),
    "prompt-cosine": ("cosine distance of prompt + output", "1 − cos", lambda r: with_prompt[r["prompt"] + "\n" + r["output"]]),
}


def distance(name, a, b):
    if CANDIDATES[name][1] == "bits":
        return float(np.count_nonzero(a != b))
    return float(1 - np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def auc(positives, negatives):
    """P(a wrong pair is farther than an honest pair), ties counting half (Mann–Whitney)."""
    values = np.concatenate([negatives, positives])
    ranks = np.empty(len(values))
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = ranks[len(negatives):].sum()
    return (rank_sum - len(positives) * (len(positives) + 1) / 2) / (len(positives) * len(negatives))


# Pairs per prompt: honest–honest at one temperature (two different answers of the pool),
# honest–wrong by wrong kind.
pairs = {name: {"honest": {t: [] for t in TEMPERATURES}, "wrong": {}} for name in CANDIDATES}
for name, (_, _, vector) in CANDIDATES.items():
    for prompt in prompts:
        pool = [r for r in honest if r["prompt"] == prompt]
        vectors = [vector(r) for r in pool]
        # Greedy decoding gives every honest node the same text: at t=0 the honest distance is 0.
        pairs[name]["honest"][0.0].append(0.0)
        for i in range(len(pool)):
            for j in range(i + 1, len(pool)):
                if pool[i]["temperature"] == pool[j]["temperature"] or pool[i]["temperature"] == 0 or pool[j]["temperature"] == 0:
                    t = max(pool[i]["temperature"], pool[j]["temperature"])
                    pairs[name]["honest"][t].append(distance(name, vectors[i], vectors[j]))
        for w in (r for r in wrong if r["prompt"] == prompt):
            wv = vector(w)
            for r, v in zip(pool, vectors):
                pairs[name]["wrong"].setdefault(w["wrongKind"], []).append(distance(name, v, wv))

lines = ["# How well the embedding distance tells honest answers from wrong ones", "",
         f"Generated by `make consensus-report` from `{pathlib.Path(options.eval).name}`: {len(prompts)} prompts, "
         f"{len(honest)} honest answers by Gemma 3 270M (temperatures {', '.join(str(t) for t in TEMPERATURES)}), {len(wrong)} wrong ones.",
         "", "## Separation (ROC AUC: the chance that a wrong pair is farther apart than an honest pair)", "",
         "| candidate | unit | " + " | ".join(f"AUC t={t}" for t in TEMPERATURES) + " | AUC all | honest median | wrong median |",
         "| --- | --- | " + " | ".join("---" for _ in TEMPERATURES) + " | --- | --- | --- |"]
all_wrong = {name: np.array([d for ds in pairs[name]["wrong"].values() for d in ds]) for name in CANDIDATES}
for name, (title, unit, _) in CANDIDATES.items():
    honest_all = np.array([d for ds in pairs[name]["honest"].values() for d in ds])
    per_t = [auc(all_wrong[name], np.array(pairs[name]["honest"][t])) if pairs[name]["honest"][t] else float("nan") for t in TEMPERATURES]
    lines.append(f"| {title} | {unit} | " + " | ".join(f"{a:.3f}" for a in per_t)
                 + f" | {auc(all_wrong[name], honest_all):.3f} | {np.median(honest_all):.3g} | {np.median(all_wrong[name]):.3g} |")
# How often the model's own answer is right, where the right answer is known.
facts = {e["prompt"]: e["answer"].lower() for e in json.loads((HERE / "prompts.json").read_text())["factual"]}
lines += ["", "The model itself: share of its answers to the factual prompts that contain the known answer "
          "(an honest node can be wrong; the protocol can only check agreement):", "",
          "| temperature | " + " | ".join(str(t) for t in TEMPERATURES) + " |", "| --- | " + " | ".join("---" for _ in TEMPERATURES) + " |",
          "| right | " + " | ".join(
              f"{np.mean([facts[r['prompt']] in r['output'].lower() for r in honest if r['prompt'] in facts and r['temperature'] == t]):.0%}"
              for t in TEMPERATURES) + " |"]
lines += ["", "AUC by wrong kind (all temperatures):", "",
          "| candidate | " + " | ".join(sorted(pairs["hamming"]["wrong"])) + " |",
          "| --- | " + " | ".join("---" for _ in pairs["hamming"]["wrong"]) + " |"]
for name, (title, _, _) in CANDIDATES.items():
    honest_all = np.array([d for ds in pairs[name]["honest"].values() for d in ds])
    lines.append(f"| {title} | " + " | ".join(f"{auc(np.array(pairs[name]['wrong'][k]), honest_all):.3f}" for k in sorted(pairs[name]["wrong"])) + " |")

# Distributions.
figure, axes = plt.subplots(len(CANDIDATES), 1, figsize=(8, 3 * len(CANDIDATES)))
for axis, (name, (title, unit, _)) in zip(axes, CANDIDATES.items()):
    for t in TEMPERATURES:
        # At t=0 every honest distance is 0: a spike that would flatten the rest.
        if t > 0 and pairs[name]["honest"][t]:
            axis.hist(pairs[name]["honest"][t], bins=40, histtype="step", density=True, label=f"honest–honest t={t}")
    axis.hist(all_wrong[name], bins=40, histtype="stepfilled", alpha=0.3, density=True, color="red", label="honest–wrong")
    axis.set_title(title + " (honest at t=0: all 0)")
    axis.set_xlabel(unit)
    axis.legend(fontsize=7)
figure.tight_layout()
figure.savefig(out / "distances.png", dpi=90)


def cluster_valid(matrix, radius, percentage):
    """RakisConsensus's rule on a distance matrix: the valid members, or None when it fails."""
    n = len(matrix)
    needed = max(1, (int(round(min(max(percentage, 0), 1) * 1_000_000)) * n + 999_999) // 1_000_000)
    sizes = [sum(1 for j in range(n) if matrix[i][j] <= radius) for i in range(n)]
    centre = max(range(n), key=lambda i: (sizes[i], -i))
    if sizes[centre] < needed:
        return None
    return [j for j in range(n) if matrix[centre][j] <= radius]


# Each prompt's answers (honest, then wrong) with every candidate's distances among them,
# computed once; the simulated quorums only pick indices.
table = {}
for prompt in prompts:
    items = [r for r in honest if r["prompt"] == prompt] + [r for r in wrong if r["prompt"] == prompt]
    table[prompt] = {"items": items}
    for name in CANDIDATES:
        vectors = [CANDIDATES[name][2](r) for r in items]
        table[prompt][name] = np.array([[distance(name, a, b) for b in vectors] for a in vectors])


def draw(rng, quorum, wrong_count, wrong_kind=None, temperatures=None):
    """One quorum: a prompt, a temperature, honest members from that temperature's answers (with
    replacement; at t=0 they are one text), wrong ones from the prompt's wrong answers."""
    prompt = rng.choice(prompts)
    t = rng.choice(temperatures or TEMPERATURES)
    items = table[prompt]["items"]
    pool = [i for i, r in enumerate(items) if r["role"] == "honest" and r["temperature"] == t]
    bad = [i for i, r in enumerate(items) if r["role"] == "wrong" and (wrong_kind is None or r["wrongKind"] == wrong_kind)]
    if wrong_count and not bad:
        return None
    members = [rng.choice(pool) for _ in range(quorum - wrong_count)] + [rng.choice(bad) for _ in range(wrong_count)]
    rng.shuffle(members)
    return prompt, members


def simulate(name, radius, percentage, quorum, wrong_count, trials, rng, wrong_kind=None, temperatures=None):
    """Returns (quorums that failed, quorums with a wrong member among the valid ones)."""
    failed = admitted = counted = 0
    while counted < trials:
        drawn = draw(rng, quorum, wrong_count, wrong_kind, temperatures)
        if drawn is None:
            continue
        prompt, members = drawn
        counted += 1
        matrix = table[prompt][name][np.ix_(members, members)]
        valid = cluster_valid(matrix, radius, percentage)
        items = table[prompt]["items"]
        if valid is None:
            failed += 1
        elif any(items[members[i]]["role"] == "wrong" for i in valid):
            admitted += 1
    return failed / trials, admitted / trials


rng = random.Random(18)
QUORUMS = [3, 5, 10]
lines += ["", "## The cluster rule over simulated quorums, each node sampling with a seed of its own (consensus version 1)", "",
          f"{options.trials} quorums per row; honest members answer at a temperature drawn from {TEMPERATURES} (five samples "
          "per temperature, drawn with replacement, so a quorum of 10 overstates how often honest members agree); "
          "`failed`: no cluster large enough (the request gets no answer); `wrong in`: a wrong answer is among the valid ones.", ""]
settings = {"hamming": [(96, 0.5), (128, 0.5), (150, 0.5)], "cosine": [(0.3, 0.5), (0.5, 0.5), (0.6, 0.5)],
            "centred": [(150, 0.5), (170, 0.5)], "prompt-hamming": [(60, 0.5), (90, 0.5)], "prompt-cosine": [(0.1, 0.5), (0.2, 0.5)]}
lines += ["| candidate | radius | secPercentage | quorum | wrong members | failed | wrong in |", "| --- | --- | --- | --- | --- | --- | --- |"]
for name, choices in settings.items():
    for radius, percentage in choices:
        for quorum in QUORUMS:
            for wrong_count in sorted({0, *[math.floor(quorum * f) for f in (0.2, 0.4)]}):
                failed, admitted = simulate(name, radius, percentage, quorum, wrong_count, options.trials, rng)
                lines.append(f"| {CANDIDATES[name][0]} | {radius} | {percentage} | {quorum} | {wrong_count} | {failed:.1%} | {admitted:.1%} |")

# Which wrong answers get in: one wrong member of one kind in a quorum of 5, version 1's default radius.
lines += ["", "Which wrong answers get in (version 1: sign-bit Hamming, radius 96, secPercentage 0.5, quorum 5, one wrong member):", "",
          "| wrong kind | failed | wrong in |", "| --- | --- | --- |"]
for kind in sorted({r["wrongKind"] for r in wrong}):
    failed, admitted = simulate("hamming", 96, 0.5, 5, 1, options.trials, rng, wrong_kind=kind)
    lines.append(f"| {kind} | {failed:.1%} | {admitted:.1%} |")

# The trade-off each candidate offers: over radii, honest quorums failed against wrong members
# admitted (quorums of 3, 5 and 10; one fifth and two fifths wrong), secPercentage 0.5.
sweeps = {name: [] for name in CANDIDATES}
for name, (_, unit, _) in CANDIDATES.items():
    all_d = np.concatenate([table[p][name].ravel() for p in prompts])
    for radius in np.quantile(all_d[all_d > 0], np.linspace(0.02, 0.9, 16)):
        honest_fail = np.mean([simulate(name, radius, 0.5, q, 0, options.trials // 4, rng)[0] for q in QUORUMS])
        admitted = np.mean([simulate(name, radius, 0.5, q, max(1, math.floor(q * f)), options.trials // 4, rng)[1] for q in QUORUMS for f in (0.2, 0.4)])
        sweeps[name].append((float(radius), honest_fail, admitted))
figure, axis = plt.subplots(figsize=(7, 5))
for name, points in sweeps.items():
    axis.plot([p[2] for p in points], [p[1] for p in points], marker="o", markersize=3, label=CANDIDATES[name][0])
axis.set_xlabel("quorums with a wrong member among the valid ones")
axis.set_ylabel("honest quorums that fail")
axis.set_title("Each candidate over its radius (secPercentage 0.5)")
axis.legend(fontsize=7)
figure.tight_layout()
figure.savefig(out / "tradeoff.png", dpi=90)
lines += ["", "## The trade-off over the radius", "", "![honest quorums failed against wrong members admitted](tradeoff.png)", "",
          "![distance distributions](distances.png)", "",
          "For each candidate, the radius at which the fewest honest quorums fail while wrong members get in at most 1 %, 5 % and 10 % of quorums:", "",
          "| candidate | ≤ 1 % wrong in | ≤ 5 % | ≤ 10 % |", "| --- | --- | --- | --- |"]
for name, points in sweeps.items():
    cells = []
    for limit in (0.01, 0.05, 0.10):
        allowed = [p for p in points if p[2] <= limit]
        best = min(allowed, key=lambda p: p[1]) if allowed else None
        cells.append(f"radius {best[0]:.3g}: {best[1]:.0%} fail" if best else "none")
    lines.append(f"| {CANDIDATES[name][0]} | " + " | ".join(cells) + " |")
# Consensus version 2: every honest node samples with the request's seed, so honest members give
# one text per (prompt, temperature, seed) at any temperature. Wrong members are drawn as before.
SEEDED_RADII = (0, 4, 8, 16, 24, 32, 48, 64, 96)


def simulate_seeded(radius, quorum, wrong_count, trials, rng, wrong_kind=None):
    failed = admitted = counted = 0
    while counted < trials:
        prompt = rng.choice(prompts)
        items = table[prompt]["items"]
        t = rng.choice(TEMPERATURES)
        sample = rng.choice([i for i, r in enumerate(items) if r["role"] == "honest" and r["temperature"] == t])
        bad = [i for i, r in enumerate(items) if r["role"] == "wrong" and (wrong_kind is None or r["wrongKind"] == wrong_kind)]
        if wrong_count and not bad:
            continue
        counted += 1
        members = [sample] * (quorum - wrong_count) + [rng.choice(bad) for _ in range(wrong_count)]
        rng.shuffle(members)
        valid = cluster_valid(table[prompt]["hamming"][np.ix_(members, members)], radius, 0.5)
        if valid is None:
            failed += 1
        elif any(items[members[i]]["role"] == "wrong" for i in valid):
            admitted += 1
    return failed / trials, admitted / trials


seeded_trials = options.trials * 5
shares = (0.2, 0.4)
lines += ["", "## Consensus version 2: every node samples with the request's seed", "",
          "Honest members all answer with the request's seed (SHA-256 of the requestId), so at each temperature "
          "they write one text; sign-bit Hamming; secPercentage 0.5; "
          f"{seeded_trials} quorums per cell over all temperatures; `wrong in` with one fifth and two fifths of the members wrong "
          "(at least one), the worst of quorums 3, 5 and 10:", "",
          "| radius (bits) | honest quorums failed | wrong in, 20 % wrong | wrong in, 40 % wrong |", "| --- | --- | --- | --- |"]
seeded = {}
for radius in SEEDED_RADII:
    honest_fail = max(simulate_seeded(radius, q, 0, seeded_trials // 5, rng)[0] for q in QUORUMS)
    admitted = [max(simulate_seeded(radius, q, max(1, math.floor(q * f)), seeded_trials, rng)[1] for q in QUORUMS) for f in shares]
    seeded[radius] = (honest_fail, max(admitted))
    lines.append(f"| {radius} | {honest_fail:.1%} | {admitted[0]:.1%} | {admitted[1]:.1%} |")
chosen = max(r for r, (fail, admitted) in seeded.items() if admitted <= 0.01)
# Honest pairs are at distance 0 under version 2: the AUC is the share of honest–wrong pairs
# farther apart than that, ties counting half.
wrong_d = all_wrong["hamming"]
lines += ["", f"ROC AUC under version 2 (sign-bit Hamming, every honest pair at 0 bits): {auc(wrong_d, np.zeros(1)):.4f}; "
          f"{np.mean(wrong_d <= chosen):.2%} of honest–wrong pairs lie within the radius chosen below."]
lines += ["", f"The largest radius that keeps wrong answers out of at least 99 % of quorums: **{chosen} bits** "
          "(`InferenceRequestDefaults.secDistance`). Which wrong answers get in there (quorum 5, one wrong member):", "",
          "| wrong kind | wrong in |", "| --- | --- |"]
for kind in sorted({r["wrongKind"] for r in wrong}):
    lines.append(f"| {kind} | {simulate_seeded(chosen, 5, 1, seeded_trials, rng, wrong_kind=kind)[1]:.1%} |")
(out / "README.md").write_text("\n".join(lines) + "\n")
print("\n".join(lines))
