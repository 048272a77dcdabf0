#!/usr/bin/env bash
# seqattn against a plain PyTorch CPU implementation of the same math with the same weights
# (scripts/pytorch_baseline.py: global elu linear attention, d_model 64, one head of 64, chunks of
# 65,536, float64 state) on the same genome and the same cores, in one run: prints both throughputs
# and their ratio twice — over the stages each reports (seqattn's run.json, the baseline's own timer)
# and over the wall clock a user waits for (JVM / interpreter start included, /usr/bin/time) — and
# how far the two embeddings are apart (they must agree to float32 rounding).
# PyTorch comes from Debian (python3-torch, with libopenblas0-pthread for a fair BLAS); this script
# installs nothing, and skips with a message when it is absent.
# Usage: scripts/compare-pytorch.sh [GENOME.fa.gz]   (default: ../shared/corpus E. coli K-12)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
genome="${1:-$root/../shared/corpus/genomes/ecoli_K12_MG1655.fa.gz}"
py=/usr/bin/python3
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "compare-pytorch: PyTorch not found for $py; skipping (apt-get install python3-torch libopenblas0-pthread)" >&2
  exit 0
fi
[[ -r "$genome" ]] || { echo "compare-pytorch: $genome not found" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "compare-pytorch: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cores="$(nproc)"

"$root/scripts/seqattn" init-model --output "$work/model" --tokenizer dna --k 3 --d-model 64 --heads 1 --d-head 64 \
  --feature-map elu --seed 7 2>/dev/null  # also builds the jars when stale, outside the timing
/usr/bin/time -f %e -o "$work/seqattn.wall" "$root/scripts/seqattn" run --master "local[$cores]" --spark-conf "$root/conf/spark-local.conf" --input "$genome" \
  --format fasta --model "$work/model" --output "$work/run" 2>/dev/null >/dev/null
id="$(zcat -f "$genome" | head -1 | cut -c2- | awk '{print $1}')" || true  # zcat stops on SIGPIPE
"$root/scripts/seqattn" export --run "$work/run" --seq-id "$id" --output "$work/export" 2>/dev/null
OMP_NUM_THREADS="$cores" /usr/bin/time -f %e -o "$work/torch.wall" "$py" "$root/scripts/pytorch_baseline.py" "$work/model" "$genome" 65536 "$cores" \
  > "$work/torch.json"

"$py" - "$work/run/run.json" "$work/torch.json" "$work/export/embedding.npy" "$cores" \
  "$(tail -1 "$work/seqattn.wall")" "$(tail -1 "$work/torch.wall")" <<'PY'
import json, sys
import numpy as np
run, torch_run = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ours_wall, theirs_wall = float(sys.argv[5]), float(sys.argv[6])
ours = np.load(sys.argv[3]).astype(np.float64)
theirs = np.array(torch_run["embedding"])
diff = np.abs(ours - theirs).max() / np.abs(theirs).max()
assert run["counts"]["tokens"] == torch_run["tokens"], (run["counts"]["tokens"], torch_run["tokens"])
tokens = run["counts"]["tokens"]
print(f"| implementation | tokens | stage seconds | stage tokens/s | wall seconds | wall tokens/s |")
print(f"|---|---|---|---|---|---|")
print(f"| seqattn, Spark local[{sys.argv[4]}] (stages: read, both passes, Parquet; wall: JVM start included) "
      f"| {tokens:,} | {run['total_seconds']:.1f} | {run['tokens_per_second']:,} "
      f"| {ours_wall:.1f} | {round(tokens / ours_wall):,} |")
print(f"| PyTorch {torch_run['torch']}, {torch_run['threads']} threads (stages: tokenize + both passes; wall: "
      f"interpreter start included) | {torch_run['tokens']:,} | {torch_run['seconds']:.1f} "
      f"| {round(torch_run['tokens_per_second']):,} | {theirs_wall:.1f} | {round(tokens / theirs_wall):,} |")
print()
print(f"seqattn / PyTorch throughput: {run['tokens_per_second'] / torch_run['tokens_per_second']:.2f}x over stages, "
      f"{theirs_wall / ours_wall:.2f}x over the wall clock")
print(f"embeddings agree to {diff:.1e} of their scale")
assert diff < 1e-3, "the two implementations disagree"
PY
