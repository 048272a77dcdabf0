#!/usr/bin/python3
"""Writes the language-model gradient cases that seqattn's trainer is checked against
(ReferenceNextTokenTest).

Each case is a format-2 model with causal mixers drawn at random by the reference module (float32
weights), a next-token head (`lm_head.weight` [d, C], `lm_head.bias` [C], float32) and 1,100 token
ids from real data in sample-corpus/ (as make_conformance.py takes them), some positions absent.
DNA cases predict the next base after each 3-mer (C = 4); document cases the next word id. The
reference computes the mean −log p over the targets by the per-token recurrence in float64, and
PyTorch autograd gives the gradient of every tensor.

    /usr/bin/python3 scripts/reference/make_lm_gradients.py core/src/test/resources/lm-gradients

Per case directory: `model/`, `lm_head.weight.npy`, `lm_head.bias.npy`, `ids.txt` (`-1` where a
position is absent), `targets.txt` (−1 where there is none), and `expected/`: `loss.npy` [1],
`log_likelihood.npy` [n] (0 where there is no target), `grad/<tensor>.npy` (float64).
Deterministic: the same script writes the same bytes.
"""
import os
import sys

import torch

torch.set_num_threads(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seqattn_reference as ref  # noqa: E402
from make_conformance import GELU, OUT_NORM, SCALAR, SWIGLU, generate, layer, mixer, new_case, norm, write_npy  # noqa: E402

ABSENT_EVERY = 37
CONSTANT = {"type": "constant", "decay": [0.995, 0.95]}

# name -> (data, layers, positional, final norm)
CASES = {
    "l1-causal-elu-dna": ("dna", [layer(mixer(True), SWIGLU)], "sinusoidal", norm()),
    "l2-causal-constant-scalar-docs": ("docs", [
        layer(mixer(True, "elu", gate=CONSTANT, rope=True, output_norm=OUT_NORM), GELU),
        layer(mixer(True, "relu", gate=SCALAR, output_gate=True), SWIGLU)], "sinusoidal", norm()),
    "l2-causal-scalar-dna-no-final-norm": ("dna", [
        layer(mixer(True, "elu", gate=SCALAR, normalizer="none", output_norm=OUT_NORM), SWIGLU),
        layer(mixer(True, "elu", gate=SCALAR, heads=4, d_key=4, d_value=6))], "none", None),
}


def write_case(out_dir, name, spec, seed):
    data, layers, positional, final_norm = spec
    case, ids, model = new_case(out_dir, name, data, layers, positional, final_norm, 0, seed)
    present = [i % ABSENT_EVERY != ABSENT_EVERY - 1 for i in range(len(ids))]
    engine_ids = [t if p else 0 for t, p in zip(ids, present)]
    if data == "dna":
        targets = ref.next_base_targets(ids, present, 3)
        classes = 4
    else:
        targets = ref.next_token_targets(ids, present)
        classes = model.config.vocab_size
    head = ref.NextTokenHead(16, classes).to(torch.float64)
    with torch.no_grad():
        head.reset(torch.Generator().manual_seed(2000 + seed))
    head = head.to(torch.float32)
    for pname, p in head.named_parameters():
        write_npy(os.path.join(case, f"lm_head.{pname}.npy"), p.detach().numpy().astype("<f4"))
    with open(os.path.join(case, "ids.txt"), "w", encoding="ascii") as f:
        f.write(" ".join(str(t) if p else "-1" for t, p in zip(ids, present)) + "\n")
    with open(os.path.join(case, "targets.txt"), "w", encoding="ascii") as f:
        f.write(" ".join(str(int(t)) for t in targets) + "\n")

    loaded = ref.SeqAttnModel.load(os.path.join(case, "model"), dtype=torch.float64)
    head = head.to(torch.float64)
    final = loaded.final_of(torch.tensor(engine_ids, dtype=torch.int64), torch.tensor(present), torch.float64)
    ll = head.log_likelihood(final, targets, torch.float64)
    loss = head.loss(final, targets, torch.float64)
    loss.backward()
    expected = os.path.join(case, "expected")
    os.makedirs(os.path.join(expected, "grad"))
    write_npy(os.path.join(expected, "loss.npy"), loss.detach().numpy().reshape(1).astype("<f8"))
    # 0 where there is no target (NaN would not compare)
    write_npy(os.path.join(expected, "log_likelihood.npy"),
              torch.nan_to_num(ll.detach(), nan=0.0).numpy().astype("<f8"))
    named = list(loaded.named_parameters()) + [("lm_head." + n, p) for n, p in head.named_parameters()]
    for pname, p in named:
        grad = p.grad if p.grad is not None else torch.zeros_like(p)
        write_npy(os.path.join(expected, "grad", pname + ".npy"), grad.numpy().astype("<f8"))
    print(f"{case}: {len(layers)} layers, {len(ids)} ids ({data}), {int((targets >= 0).sum())} targets, "
          f"loss {float(loss):.6f}", file=sys.stderr)


def main(argv):
    return generate(argv, CASES, write_case)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
