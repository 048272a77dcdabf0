#!/usr/bin/env bash
# A deep, gated model on a real chromosome: seqattn against the PyTorch reference's chunked path
# (scripts/reference, float32) with the same weights, on the same cores, in one run.
#
# Model: scripts/reference/bench-gla4.json — 4 GLA-gated causal blocks, d_model 128, 4 heads x 32,
# SwiGLU 256, DNA 3-mers — drawn by the reference (seed 1). Input: the first BASES bases of the
# genome's first record (default C. elegans chrX from ../shared/corpus, 2,000,000 bases; BASES=all
# for the whole record). Prints, for both: tokens/s over the forward pass and over the wall clock
# (JVM / interpreter start included), peak RSS; the relative difference of the two embeddings; and
# per layer seqattn's time and its share of the GEMM-bound limit, the machine's sgemm peak (measured
# here by torch, float32 2048^3, same threads) divided by the layer's flops per token.
# PyTorch comes from Debian (python3-torch); this script installs nothing and skips without it.
# Usage: scripts/bench-deep.sh [GENOME.fa[.gz]] [BASES|all]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
genome="${1:-$root/../shared/corpus/genomes/celegans_chrX.fa.gz}"
bases="${2:-2000000}"
py=/usr/bin/python3
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "bench-deep: PyTorch not found for $py; skipping (apt-get install python3-torch python3-numpy)" >&2
  exit 0
fi
[[ -r "$genome" ]] || { echo "bench-deep: $genome not found (pass a FASTA file)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench-deep: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cores="$(nproc)"
ref="$root/scripts/reference/seqattn_reference.py"

# The slice as FASTA for seqattn and as the same 3-mer ids for the reference (seqattn's dna
# tokenizer: base-4 number of the 3-mer, first base most significant; 64 for any other letter).
"$py" - "$genome" "$bases" "$work" <<'PY'
import gzip, sys
import numpy as np
path, limit, work = sys.argv[1], sys.argv[2], sys.argv[3]
opener = gzip.open if path.endswith(".gz") else open
parts, name, total = [], None, 0
with opener(path, "rt") as f:
    for line in f:
        if line.startswith(">"):
            if name is not None:
                break
            name = line[1:].split()[0]
            continue
        s = line.strip()
        parts.append(s)
        total += len(s)
        if limit != "all" and total >= int(limit):
            break
seq = "".join(parts)
if limit != "all":
    seq = seq[:int(limit)]
with open(f"{work}/slice.fa", "w") as f:
    f.write(f">{name}\n")
    for i in range(0, len(seq), 80):
        f.write(seq[i:i + 80] + "\n")
code = np.full(256, 4, dtype=np.int64)
for i, b in enumerate("ACGT"):
    code[ord(b)] = i
    code[ord(b.lower())] = i
c = code[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]
bad = (c == 4)
ids = c[:-2] * 16 + c[1:-1] * 4 + c[2:]
ids[bad[:-2] | bad[1:-1] | bad[2:]] = 64
np.save(f"{work}/ids.npy", ids)
open(f"{work}/name", "w").write(name)
PY
name="$(cat "$work/name")"

"$py" "$ref" init --config "$root/scripts/reference/bench-gla4.json" --out "$work/model" --seed 1 2>/dev/null

"$root/scripts/seqattn" --help >/dev/null 2>&1  # builds the jars first when stale, outside the timing
/usr/bin/time -v -o "$work/java.time" "$root/scripts/seqattn" run --master "local[$cores]" \
  --spark-conf "$root/conf/spark-local.conf" --input "$work/slice.fa" --format fasta --model "$work/model" \
  --output "$work/run" >/dev/null 2>"$work/java.log" || { cat "$work/java.log" >&2; exit 1; }
"$root/scripts/seqattn" export --run "$work/run" --seq-id "$name" --output "$work/export" 2>/dev/null

OMP_NUM_THREADS="$cores" /usr/bin/time -v -o "$work/torch.time" "$py" "$ref" forward "$work/model" \
  --ids "$work/ids.npy" --path chunked --dtype float32 --threads "$cores" --chunk 65536 \
  --out "$work/torch.npz" 2>"$work/torch.log" || { cat "$work/torch.log" >&2; exit 1; }

OMP_NUM_THREADS="$cores" "$py" - "$work" "$cores" <<'PY'
import json, re, sys, time
import numpy as np
import torch
work, cores = sys.argv[1], int(sys.argv[2])

def timing(path):
    text = open(path).read()
    wall = text.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0].split(":")
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024 ** 2
    return seconds, rss

run = json.load(open(f"{work}/run/run.json"))
tokens = run["counts"]["tokens"]
stages = run["stage_seconds"]
java_wall, java_rss = timing(f"{work}/java.time")
torch_wall, torch_rss = timing(f"{work}/torch.time")
m = re.search(r"in ([0-9.]+) s", open(f"{work}/torch.log").read())
torch_forward = float(m.group(1))
layers = {}
for stage, seconds in stages.items():
    hit = re.match(r"(pass1|forward)-layer(\d+)$", stage)
    if hit:
        layers[int(hit.group(2))] = layers.get(int(hit.group(2)), 0.0) + seconds
java_forward = run["total_seconds"] - stages.get("read", 0.0)  # the reference gets its ids ready-made

ours = np.load(f"{work}/export/embedding.npy").astype(np.float64)
theirs = np.load(f"{work}/torch.npz")["embedding"].astype(np.float64)
diff = np.linalg.norm(ours - theirs) / np.linalg.norm(theirs)

torch.set_num_threads(cores)
a = torch.randn(2048, 2048)
b = torch.randn(2048, 2048)
a @ b
start = time.perf_counter()
for _ in range(5):
    a @ b
peak = 5 * 2 * 2048 ** 3 / (time.perf_counter() - start)

d, h, dk, dv, f, r, blk = 128, 4, 32, 32, 256, 16, 32
flops = (2 * d * h * (2 * dk + 2 * dv)      # W_q, W_k, W_v, W_g
         + 2 * h * dv * d                   # W_o
         + 2 * d * r + 2 * r * h * dk       # GLA gate, low rank
         + 3 * 2 * d * f                    # SwiGLU
         + h * (2 * blk * dk + 2 * blk * dv + 4 * dk * dv))  # within a block, and the state in and out
limit = peak / flops

print(f"{tokens:,} tokens ({cores} cores); sgemm peak {peak / 1e9:.1f} GFLOP/s; {flops / 1e3:.0f} kFLOP per token "
      f"per layer -> GEMM-bound limit {limit:,.0f} tokens/s per layer, {limit / 4:,.0f} for the stack")
print()
print("| implementation | forward (s) | forward tokens/s | wall (s) | wall tokens/s | peak RSS (GB) |")
print("|---|---|---|---|---|---|")
print(f"| seqattn, local[{cores}], between-layers {run.get('between_layers', '?')} | {java_forward:.1f} | "
      f"{tokens / java_forward:,.0f} | {java_wall:.1f} | {tokens / java_wall:,.0f} | {java_rss:.2f} |")
print(f"| reference chunked, float32, {cores} threads | {torch_forward:.1f} | {tokens / torch_forward:,.0f} | "
      f"{torch_wall:.1f} | {tokens / torch_wall:,.0f} | {torch_rss:.2f} |")
print(f"| ratio | | **{torch_forward / java_forward:.2f}x** | | **{torch_wall / java_wall:.2f}x** | |")
print()
print("| layer | seqattn (s) | tokens/s | of the GEMM-bound limit |")
print("|---|---|---|---|")
for layer in sorted(layers):
    print(f"| {layer} | {layers[layer]:.1f} | {tokens / layers[layer]:,.0f} | {tokens / layers[layer] / limit:.0%} |")
print()
print(f"embeddings: relative difference {diff:.2e} (float32 engines, same weights)")
PY
