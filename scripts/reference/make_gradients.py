#!/usr/bin/python3
"""Writes the gradient cases that seqattn's trainer is checked against (ReferenceGradientTest).

Each case is a format-2 model with global or causal mixers (no gate, constant and scalar gates) drawn at random by the reference module (float32
weights), a classifier head (`classifier.weight` [e, C], `classifier.bias` [C], float32), a label,
and a sequence of 1,100 token ids from real data in sample-corpus/ (as make_conformance.py takes
them), some positions marked absent. The loss is softmax cross entropy of the classifier on the
pooled embedding; the reference computes it by the per-token definitions in float64 and PyTorch
autograd gives the gradient of every tensor.

    /usr/bin/python3 scripts/reference/make_gradients.py core/src/test/resources/gradients

Per case directory: `model/` (config.json + float32 .npy), `classifier.weight.npy`,
`classifier.bias.npy`, `ids.txt` (ids, `-1` where a position is absent), `label.txt`, and
`expected/`: `loss.npy` [1] and `logits.npy` [C] (float64), and `grad/<tensor>.npy` (float64) for
every tensor of the model and the classifier. Deterministic: the same script writes the same bytes.
"""
import os
import sys

import torch

torch.set_num_threads(1)  # one reduction order, so the same script writes the same bytes on any machine

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seqattn_reference as ref  # noqa: E402
from make_conformance import GELU, LN, OUT_NORM, SCALAR, SWIGLU, generate, layer, mixer, new_case, norm, write_npy  # noqa: E402

CLASSES = 3
CONSTANT = {"type": "constant", "decay": [0.99, 0.9]}
# every ABSENT_EVERY-th position is absent (an N in a genome, a dropped record): no key, not pooled
ABSENT_EVERY = 37

# name -> (data, layers, positional, final norm, d_out, label[, pool_queries])
CASES = {
    "l1-global-elu-swiglu": ("dna", [layer(mixer(False), SWIGLU)], "sinusoidal", norm(), 0, 2),
    "l1-global-relu-rope-gated-gelu-layernorm-head": (
        "docs", [layer(mixer(False, "relu", rope=True, output_norm=OUT_NORM, output_gate=True), GELU, LN)],
        "none", LN, 4, 0),
    "l2-global-identity-none-elu-rope": ("dna", [
        layer(mixer(False, "identity", normalizer="none", query_scale=8 ** -0.5, output_norm=OUT_NORM), SWIGLU),
        layer(mixer(False, "elu", rope=True, heads=4, d_key=4, d_value=6, output_gate=True), GELU, LN)],
        "sinusoidal", norm(), 0, 1),
    "l2-global-docs-no-ffn": ("docs", [layer(mixer(False, "elu")), layer(mixer(False, "elu", rope=True), SWIGLU)],
                              "sinusoidal", None, 0, 2),
    # causal mixers: the reverse suffix scan of adjoints across chunks, blocks inside a chunk
    "l1-causal-elu-swiglu": ("dna", [layer(mixer(True), SWIGLU)], "sinusoidal", norm(), 0, 1),
    "l1-causal-constant-relu-rope-gated-docs": (
        "docs", [layer(mixer(True, "relu", gate=CONSTANT, rope=True, output_norm=OUT_NORM, output_gate=True), GELU,
                       LN)], "none", LN, 4, 2),
    "l2-causal-scalar-dna": ("dna", [
        layer(mixer(True, "elu", gate=SCALAR, normalizer="none", output_norm=OUT_NORM), SWIGLU),
        layer(mixer(True, "identity", gate=SCALAR, rope=True, heads=4, d_key=4, d_value=6), GELU, LN)],
        "sinusoidal", norm(), 0, 0),
    "l2-global-then-causal-scalar-docs": ("docs", [
        layer(mixer(False, "elu"), SWIGLU),
        layer(mixer(True, "elu", gate=SCALAR, output_gate=True), SWIGLU)], "sinusoidal", norm(), 0, 1),
    # attention pooling: 2 learned queries, the embedding [e_1 e_2] fed to the classifier directly
    "pool-attention-l2-docs": ("docs", [layer(mixer(False, "elu"), SWIGLU),
                                       layer(mixer(True, "elu", gate=SCALAR, rope=True), GELU, LN)],
                               "sinusoidal", norm(), 0, 2, 2),
}


def write_case(out_dir, name, spec, seed):
    data, layers, positional, final_norm, d_out, label, *pool = spec
    case, ids, _ = new_case(out_dir, name, data, layers, positional, final_norm, d_out, seed, *pool)
    width = d_out or 16 * (pool[0] if pool else 1)
    head = ref.Classifier(width, CLASSES).to(torch.float64)
    with torch.no_grad():
        head.reset(torch.Generator().manual_seed(1000 + seed))
    head = head.to(torch.float32)
    for pname, p in head.named_parameters():
        write_npy(os.path.join(case, f"classifier.{pname}.npy"), p.detach().numpy().astype("<f4"))
    present = [i % ABSENT_EVERY != ABSENT_EVERY - 1 for i in range(len(ids))]
    with open(os.path.join(case, "ids.txt"), "w", encoding="ascii") as f:
        f.write(" ".join(str(t) if p else "-1" for t, p in zip(ids, present)) + "\n")
    with open(os.path.join(case, "label.txt"), "w", encoding="ascii") as f:
        f.write(f"{label}\n")

    loaded = ref.SeqAttnModel.load(os.path.join(case, "model"), dtype=torch.float64)
    head = head.to(torch.float64)
    # as the engine reads them: an absent position's hidden state starts from row 0 of the table
    # (it has no key, but a causal layer's gate is computed there too)
    engine_ids = [t if p else 0 for t, p in zip(ids, present)]
    embedding = loaded.embedding_of(torch.tensor(engine_ids, dtype=torch.int64), torch.tensor(present),
                                    torch.float64)
    logits = head.logits(embedding, torch.float64)
    loss = head.loss(embedding, label, torch.float64)
    loss.backward()
    expected = os.path.join(case, "expected")
    os.makedirs(os.path.join(expected, "grad"))
    write_npy(os.path.join(expected, "loss.npy"), loss.detach().numpy().reshape(1).astype("<f8"))
    write_npy(os.path.join(expected, "logits.npy"), logits.detach().numpy().astype("<f8"))
    named = list(loaded.named_parameters()) + [("classifier." + n, p) for n, p in head.named_parameters()]
    for pname, p in named:
        grad = p.grad if p.grad is not None else torch.zeros_like(p)
        write_npy(os.path.join(expected, "grad", pname + ".npy"), grad.numpy().astype("<f8"))
    print(f"{case}: {len(layers)} layers, {len(ids)} ids ({data}), loss {float(loss):.6f}", file=sys.stderr)


def main(argv):
    return generate(argv, CASES, write_case)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
