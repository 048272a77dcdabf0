#!/usr/bin/env python3
"""A plain PyTorch CPU implementation of seqattn's global linear attention, for comparison.

Same math and weights as `seqattn run` on a dna model with elu features (README "Semantics"):
x_p = E[t_p] + PE(p); q, k, v = x·Wq, x·Wk, x·Wv; per head S = Σ φ(k)vᵀ, z = Σ φ(k) accumulated in
float64 over chunks; O = φ(q)ᵀS / (φ(q)ᵀz + eps); the embedding is the mean of O (times wo).
Written the way a PyTorch user would, with the same precision plan as seqattn (float32 compute,
float64 accumulation across chunks) so neither side is slowed by a choice the other does not make:
positions with torch ops, pass 2 in float32 against the state rounded once per run.
Prints one JSON line: tokens, seconds (tokenizing and both passes, after the model is loaded),
tokens/s and the embedding. Usage: pytorch_baseline.py MODEL_DIR FASTA[.gz] [CHUNK] [THREADS]
"""
import gzip
import json
import sys
import time

import numpy as np
import torch


def main():
    model_dir, fasta = sys.argv[1], sys.argv[2]
    chunk = int(sys.argv[3]) if len(sys.argv) > 3 else 65536
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    cfg = json.load(open(f"{model_dir}/config.json"))
    assert cfg["tokenizer"]["type"] == "dna" and cfg["feature_map"] == "elu", "dna + elu models only"
    assert not cfg.get("causal"), "global models only"
    k = cfg["tokenizer"]["k"]
    heads, dh, d = cfg["heads"], cfg["d_head"], cfg["d_model"]
    eps = cfg["eps"]
    emb = torch.from_numpy(np.load(f"{model_dir}/embedding.npy"))
    wq, wk, wv = (torch.from_numpy(np.load(f"{model_dir}/{w}.npy")) for w in ("wq", "wk", "wv"))
    wkv = torch.cat([wk, wv], dim=1)
    omega = 1.0 / np.power(10000.0, 2.0 * np.arange(d // 2) / d)

    opener = gzip.open if fasta.endswith(".gz") else open
    with opener(fasta, "rb") as f:
        raw = f.read()
    t0 = time.perf_counter()
    # first record only (E. coli, C. elegans chrX: one record each)
    body = raw.split(b"\n", 1)[1].split(b"\n>", 1)[0]
    seq = np.frombuffer(body.replace(b"\n", b"").replace(b"\r", b""), dtype=np.uint8)
    codes = np.full(256, 4, dtype=np.int64)
    for i, base in enumerate(b"ACGT"):
        codes[base] = i
        codes[ord(chr(base).lower())] = i
    c = codes[seq]
    n = len(c) - k + 1
    ids = np.zeros(n, dtype=np.int64)
    ambiguous = np.zeros(n, dtype=bool)
    for j in range(k):
        part = c[j:j + n]
        ambiguous |= part == 4
        ids = ids * 4 + np.where(part == 4, 0, part)
    ids[ambiguous] = 4 ** k
    tokens = torch.from_numpy(ids)

    omega_t = torch.from_numpy(omega)

    def embed(start, stop):
        # angles in float64 (positions reach 10^8), then float32 like the model
        angles = torch.arange(start, stop, dtype=torch.float64)[:, None] * omega_t[None, :]
        pe = torch.stack([torch.sin(angles), torch.cos(angles)], dim=2).reshape(stop - start, d).float()
        return emb[tokens[start:stop]] + pe

    def phi(x):
        return torch.nn.functional.elu(x) + 1

    S = torch.zeros(heads, dh, dh, dtype=torch.float64)
    z = torch.zeros(heads, dh, dtype=torch.float64)
    with torch.no_grad():
        for start in range(0, n, chunk):
            kv = embed(start, min(n, start + chunk)) @ wkv
            kf = phi(kv[:, :heads * dh]).reshape(-1, heads, dh)
            v = kv[:, heads * dh:].reshape(-1, heads, dh)
            S += torch.einsum("nhm,nhd->hmd", kf, v).double()
            z += kf.sum(0).double()
        # pass 2 in float32 against the float64 state rounded once, pooled sums in float64
        S32, z32 = S.float(), z.float()
        pooled = torch.zeros(heads * dh, dtype=torch.float64)
        for start in range(0, n, chunk):
            q = phi(embed(start, min(n, start + chunk)) @ wq).reshape(-1, heads, dh)
            num = torch.einsum("nhm,hmd->nhd", q, S32)
            den = torch.einsum("nhm,hm->nh", q, z32) + eps
            pooled += (num / den[:, :, None]).reshape(-1, heads * dh).sum(0).double()
    seconds = time.perf_counter() - t0
    embedding = (pooled / n).numpy()
    try:
        embedding = embedding @ np.load(f"{model_dir}/wo.npy").astype(np.float64)
    except FileNotFoundError:
        pass
    print(json.dumps({"tokens": n, "seconds": seconds, "tokens_per_second": n / seconds, "threads": threads,
                      "torch": torch.__version__, "embedding": embedding.tolist()}))


if __name__ == "__main__":
    main()
