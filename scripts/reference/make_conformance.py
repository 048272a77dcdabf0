#!/usr/bin/python3
"""Writes the conformance cases that seqattn's Java engine is checked against (ReferenceConformanceTest).

Each case is a format-2 model drawn at random by the reference module (float32 weights), a token-id
sequence taken from real data in sample-corpus/, and what the reference's oracle — the per-token
recurrence, in float64 (`forward_recurrent`) — computes for it. The Java test runs the same model
over the same ids chunk by chunk and compares.

    /usr/bin/python3 scripts/reference/make_conformance.py core/src/test/resources/conformance

Ids of real data, so the sequences have real statistics (repeats, skewed frequencies):
- dna: lambda phage bases 20,000..21,102, each position's 3-mer over ACGT as a base-4 number
  (vocabulary 64; the sequence has no other letters there);
- docs: the 1790 State of the Union address, lower-cased words (runs of letters), each word's rank
  among the address's 511 most frequent words, 511 for every other word (vocabulary 512).
The models declare the `ids` tokenizer; `ids.txt` holds the ids as the `ids` tokenizer reads them.

Per case directory: `model/` (config.json + float32 .npy), `ids.txt`, and `expected/`: `final.npy`
(F, [n, d], rounded to float32 — 6e-8 relative, far below the test's 1e-5), `embedding.npy`,
`state_s_{l}.npy` [H, m, d_v] and `state_z_{l}.npy` [H, m] (float64), l the 0-based layer.
Deterministic: the same script writes the same bytes.
"""
import gzip
import json
import os
import re
import shutil
import sys
from collections import Counter

import numpy as np
import torch

torch.set_num_threads(1)  # one reduction order, so the same script writes the same bytes on any machine

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seqattn_reference as ref  # noqa: E402

N = 1100
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "sample-corpus")


def dna_ids():
    with gzip.open(os.path.join(CORPUS, "lambda_phage.fa.gz"), "rt") as f:
        bases = "".join(line.strip() for line in f if not line.startswith(">"))
    window = bases[20_000:20_000 + N + 2].upper()
    code = {"A": 0, "C": 1, "G": 2, "T": 3}
    return [code[window[i]] * 16 + code[window[i + 1]] * 4 + code[window[i + 2]] for i in range(N)], 64


def doc_ids():
    with open(os.path.join(CORPUS, "texts", "sotu_1790_washington.txt"), encoding="utf-8") as f:
        words = re.findall(r"[a-z]+", f.read().lower())
    ranked = [w for w, _ in sorted(Counter(words).items(), key=lambda item: (-item[1], item[0]))[:511]]
    rank = {w: i for i, w in enumerate(ranked)}
    return [rank.get(w, 511) for w in words[:N]], 512


def norm(kind="rmsnorm", eps=1e-6):
    return {"type": kind, "eps": eps}


def mixer(causal, feature_map="elu", gate=None, normalizer="z", rope=False, features=None, heads=2, d_key=8,
          d_value=8, query_scale=1.0, output_norm=None, output_gate=False, short_conv=None, window=0):
    m = {"type": "linear_attention", "heads": heads, "d_key": d_key, "d_value": d_value, "feature_map": feature_map,
         "query_scale": query_scale, "rope": rope, "normalizer": normalizer, "eps": 1e-6, "causal": causal,
         "output_norm": output_norm, "output_gate": output_gate}
    if features is not None:
        m["features"] = features
    if causal:
        m["gate"] = gate or {"type": "none"}
    if short_conv is not None:
        m["short_conv"] = short_conv
    if window:
        m["window"] = window
    return m


def layer(mix, ffn=None, norm_spec=None):
    return {"norm": norm_spec or norm(), "mixer": mix, "ffn": ffn}


SWIGLU = {"type": "swiglu", "d_ff": 32}
GELU = {"type": "gelu", "d_ff": 32}
GLA = {"type": "gla", "rank": 4, "tau": 16.0}
SCALAR = {"type": "scalar"}
LN = norm("layernorm", 1e-5)
OUT_NORM = norm("rmsnorm", 1e-5)

# name -> (data, layers, positional, final norm, d_out[, pool_queries])
CASES = {
    "l1-global-elu": ("dna", [layer(mixer(False), SWIGLU)], "sinusoidal", norm(), 0),
    "l1-global-favor-layernorm-head": ("docs", [layer(mixer(False, "favor+", features=16), GELU, LN)], "none", LN, 4),
    # trig without the z normalizer: trig features change sign, so with z the denominator can cancel
    # and even the reference's own float32 recurrence is off by 3e-4 (docs/feature-maps.md)
    "l1-causal-trig-constant": ("dna", [layer(mixer(True, "trig", {"type": "constant", "decay": [0.99, 0.9]},
                                                    "none", features=16))], "sinusoidal", None, 0),
    "l1-causal-relu-rope-gated-output": ("docs", [layer(mixer(True, "relu", rope=True, output_norm=OUT_NORM,
                                                              output_gate=True), SWIGLU)], "sinusoidal", norm(), 0),
    "l2-gla-scalar": ("dna", [
        layer(mixer(True, "identity", GLA, "none", query_scale=8 ** -0.5, output_norm=OUT_NORM, output_gate=True),
              SWIGLU),
        layer(mixer(True, "elu", SCALAR, rope=True), GELU, LN)], "sinusoidal", norm(), 0),
    "l2-global-rope-causal-scalar": ("docs", [
        layer(mixer(False, "elu", rope=True), GELU),
        layer(mixer(True, "relu", SCALAR, "none", output_norm=OUT_NORM), SWIGLU)], "sinusoidal", norm(), 2),
    "l4-gla": ("dna", [layer(mixer(True, "identity", GLA, "none", query_scale=8 ** -0.5, output_norm=OUT_NORM,
                                   output_gate=True), SWIGLU) for _ in range(4)], "none", norm(), 0),
    "l4-mixed": ("docs", [
        layer(mixer(False, "favor+", features=16), SWIGLU),
        layer(mixer(True, "elu", GLA, rope=True), GELU, LN),
        layer(mixer(True, "trig", {"type": "constant", "decay": [0.999, 0.95]}, features=8, d_value=4)),
        layer(mixer(True, "identity", SCALAR, "none", heads=4, d_key=4, d_value=4, output_norm=OUT_NORM,
                    output_gate=True), SWIGLU)], "sinusoidal", norm(), 0),
    # pooled by 3 learned queries' exact softmax over the whole sequence, then head.wo [48, 4]
    "pool-attention-global-causal": ("dna", [layer(mixer(False, "elu"), SWIGLU),
                                             layer(mixer(True, "elu", SCALAR, rope=True), GELU, LN)],
                                     "sinusoidal", norm(), 4, 3),
    # short causal convolutions on q, k, v before the feature map: chunked runs read K-1 halo rows
    # (named to sort last, so the seeds of the cases above stay as they were)
    "short-conv-causal-global": ("dna", [
        layer(mixer(True, "elu", short_conv={"kernel": 4, "activation": "silu"}), SWIGLU),
        layer(mixer(False, "elu", short_conv={"kernel": 3, "activation": "identity"}), GELU, LN),
        layer(mixer(True, "identity", SCALAR, "none", query_scale=8 ** -0.5, output_norm=OUT_NORM,
                    short_conv={"kernel": 2, "activation": "silu"}), SWIGLU)], "sinusoidal", norm(), 0),
    # exact softmax over the last w positions added to the linear output; halos of w − 1 (+ K − 1) rows
    "window-gla-scalar-global": ("docs", [
        layer(mixer(True, "identity", GLA, "none", query_scale=8 ** -0.5, output_norm=OUT_NORM, output_gate=True,
                    window=32), SWIGLU),
        layer(mixer(True, "elu", SCALAR, rope=True, window=64, short_conv={"kernel": 4, "activation": "silu"}), GELU),
        layer(mixer(False, "elu"), SWIGLU)], "sinusoidal", norm(), 0),
}


def write_npy(path, array):
    with open(path, "wb") as f:
        np.save(f, np.ascontiguousarray(array), allow_pickle=False)


def new_case(out_dir, name, data, layers, positional, final_norm, d_out, seed, pool_queries=0):
    """A fresh case directory with its `model/` (d_model 16, the `ids` tokenizer, seeded float32
    weights; pooled by `pool_queries` learned queries when > 0): (case directory, ids, model)."""
    ids, vocab = dna_ids() if data == "dna" else doc_ids()
    raw = {"format": 2, "tokenizer": {"type": "ids", "vocab_size": vocab}, "d_model": 16, "positional": positional,
           "layers": layers, "final_norm": final_norm, "d_out": d_out}
    if pool_queries:
        raw["pool_queries"] = pool_queries
    model = ref.SeqAttnModel.random(ref.parse_config(raw), seed, torch.float32)
    case = os.path.join(out_dir, name)
    shutil.rmtree(case, ignore_errors=True)
    model.export(os.path.join(case, "model"))
    return case, ids, model


def write_case(out_dir, name, spec, seed):
    data, layers, positional, final_norm, d_out, *pool = spec
    case, ids, _ = new_case(out_dir, name, data, layers, positional, final_norm, d_out, seed, *pool)
    with open(os.path.join(case, "ids.txt"), "w", encoding="ascii") as f:
        f.write(" ".join(str(t) for t in ids) + "\n")
    loaded = ref.SeqAttnModel.load(os.path.join(case, "model"))
    result = loaded.forward_recurrent(torch.tensor(ids, dtype=torch.int64), dtype=torch.float64)
    expected = os.path.join(case, "expected")
    os.makedirs(expected)
    write_npy(os.path.join(expected, "final.npy"), result.final.numpy().astype("<f4"))
    write_npy(os.path.join(expected, "embedding.npy"), result.embedding.numpy().astype("<f8"))
    for i, (s, z) in enumerate(result.states):
        write_npy(os.path.join(expected, f"state_s_{i}.npy"), s.numpy().astype("<f8"))
        write_npy(os.path.join(expected, f"state_z_{i}.npy"), z.numpy().astype("<f8"))
    print(f"{case}: {len(layers)} layers, {len(ids)} ids ({data})", file=sys.stderr)


def generate(argv, cases, write):
    """`SCRIPT OUT_DIR`: every case, sorted by name, written by `write(out_dir, name, spec, seed)`
    with seeds 1, 2, … in that order."""
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUT_DIR", file=sys.stderr)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    for seed, (name, spec) in enumerate(sorted(cases.items()), start=1):
        write(argv[1], name, spec, seed)
    return 0


def main(argv):
    return generate(argv, CASES, write_case)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
