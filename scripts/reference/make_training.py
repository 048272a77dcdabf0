#!/usr/bin/python3
"""Writes the training case that seqattn's trainer is checked against (ReferenceTrainingTest).

A one-layer global model (elu, SwiGLU, RMSNorm, sinusoidal positions) with a 3-class classifier
head, seeded float32 weights, trained by the reference module's own loop (`train_classifier`:
PyTorch's AdamW and clip_grad_norm_, in float64) for 4 epochs of 3 steps over 7 documents of
sample-corpus/sotu_sample.jsonl — the first 160 + 40·i words of document i, each word's rank
among the 511 most frequent words of those documents (511 for every other), labelled by party.

    /usr/bin/python3 scripts/reference/make_training.py core/src/test/resources/training

Writes `model/`, `classifier.weight.npy`, `classifier.bias.npy`, `sequences.txt` (per line: the
label, then the ids), `settings.json` (TrainSettings' fields) and `expected/losses.npy` (every
step's mean batch loss, float64). Deterministic: the same script writes the same bytes.
"""
import json
import os
import re
import sys
from collections import Counter

import torch

torch.set_num_threads(1)  # one reduction order, so the same script writes the same bytes on any machine

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seqattn_reference as ref  # noqa: E402
from make_conformance import CORPUS, SWIGLU, layer, mixer, new_case, norm, write_npy  # noqa: E402

PARTIES = {"none": 0, "Republican": 1, "Democratic": 2}
SETTINGS = {"epochs": 4, "batch_size": 3, "learning_rate": 0.01, "min_learning_rate": 0.001, "warmup_steps": 3,
            "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999, "adam_eps": 1e-8, "clip_norm": 1.0, "seed": 5,
            "chunk_size": 64}


def documents():
    with open(os.path.join(CORPUS, "sotu_sample.jsonl"), encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    words = [re.findall(r"[a-z]+", r["text"].lower())[:160 + 40 * i] for i, r in enumerate(records)]
    counts = Counter(w for doc in words for w in doc)
    ranked = [w for w, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:511]]
    rank = {w: i for i, w in enumerate(ranked)}
    return [[rank.get(w, 511) for w in doc] for doc in words], [PARTIES[r["party"]] for r in records]


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUT_DIR", file=sys.stderr)
        return 2
    sequences, labels = documents()
    case, _, _ = new_case(os.path.dirname(os.path.abspath(argv[1])), os.path.basename(os.path.abspath(argv[1])),
                          "docs", [layer(mixer(False), SWIGLU)], "sinusoidal", norm(), 0, 11)
    head = ref.Classifier(16, len(PARTIES)).to(torch.float64)
    with torch.no_grad():
        head.reset(torch.Generator().manual_seed(1011))
    head = head.to(torch.float32)
    for name, p in head.named_parameters():
        write_npy(os.path.join(case, f"classifier.{name}.npy"), p.detach().numpy().astype("<f4"))
    with open(os.path.join(case, "sequences.txt"), "w", encoding="ascii") as f:
        for ids, label in zip(sequences, labels):
            f.write(" ".join(str(t) for t in [label] + ids) + "\n")
    with open(os.path.join(case, "settings.json"), "w", encoding="ascii") as f:
        json.dump(SETTINGS, f, indent=2)
        f.write("\n")
    model = ref.SeqAttnModel.load(os.path.join(case, "model"), dtype=torch.float64)
    losses = ref.train_classifier(model, head.to(torch.float64), sequences, labels, SETTINGS)
    os.makedirs(os.path.join(case, "expected"))
    write_npy(os.path.join(case, "expected", "losses.npy"), torch.tensor(losses, dtype=torch.float64).numpy())
    print(f"{case}: {len(losses)} steps, losses {losses[0]:.4f} … {losses[-1]:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
