#!/usr/bin/env bash
# Training throughput: one sequence's forward + backward pass (the loss and every weight's gradient),
# seqattn against PyTorch on the same weights, sequence length and threads, in one run. For each
# model, tokens/s of:
#   seqattn            TrainBench (JMH): what a Spark task of `seqattn train` computes per sequence;
#   PyTorch, chunked   autograd through the reference module's chunked path (blocks of 64 as matrix
#                      products, the same chunks): the baseline a PyTorch user would write;
#   PyTorch, loop      autograd through the path the reference's own training loop differentiates
#                      (train_classifier, final_of: the per-token recurrence, written to be read).
# Models (weights drawn by the reference's `init`, seed 1): conf/models/docs-classifier.json (a
# global layer, trained as a classifier of 8 classes on the pooled output) and
# conf/models/dna-lm.json (2 causal layers with scalar gates, trained on next-base targets).
# THREADS (default 1) sets the BLAS and torch threads of both: a Spark task trains its sequences
# on one core, so tokens/s per core is the figure that scales with the cluster.
# PyTorch comes from Debian (python3-torch); this script installs nothing and skips without it.
# Usage: scripts/bench-train.sh [TOKENS (default 8192)] [CONFIG.json ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tokens="${1:-8192}"
shift || true
configs=("$@")
[[ ${#configs[@]} -gt 0 ]] || configs=("$root/conf/models/docs-classifier.json" "$root/conf/models/dna-lm.json")
py=/usr/bin/python3
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
  echo "bench-train: PyTorch not found for $py; skipping (apt-get install python3-torch python3-numpy)" >&2
  exit 0
fi
threads="${THREADS:-1}"
chunk=4096
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ref="$root/scripts/reference/seqattn_reference.py"
models=()
for c in "${configs[@]}"; do
  m="$work/$(basename "$c" .json)"
  "$py" "$ref" init --config "$c" --out "$m" --seed 1 >/dev/null 2>&1
  models+=("$m")
done

(cd "$root" && mvn -q -B -Pbench -DskipTests -pl bench -am package) >&2  # package: nothing goes into ~/.m2
OMP_NUM_THREADS="$threads" java @"$root/conf/jvm-options" -Xmx3g \
  -cp "$root/bench/target/seqattn-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/bench-classpath.txt")" \
  io.seqattn.bench.TrainReport "${models[@]}" "tokens=$tokens" "chunk=$chunk" > "$work/jmh.log"
grep -P '^train\t' "$work/jmh.log" > "$work/seqattn.tsv"

OMP_NUM_THREADS="$threads" "$py" - "$root/scripts/reference" "$work/seqattn.tsv" "$tokens" "$chunk" "$threads" \
  "${models[@]}" <<'PY'
import os, statistics, sys, time
import torch
refdir, ours_tsv, n, chunk, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sys.path.insert(0, refdir)
import seqattn_reference as ref
torch.set_num_threads(threads)
ours = {line.split("\t")[1]: float(line.split("\t")[5]) for line in open(ours_tsv)}
chunked = ref.SeqAttnModel.forward_chunked.__wrapped__  # the method without its no_grad: autograd through it

def timed(step, reps):
    step()  # warm-up
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)

print(f"one sequence of {n:,} tokens, forward + backward, chunks of {chunk}, {threads} thread(s); tokens/s")
print()
print("| model | task | seqattn | PyTorch, chunked | PyTorch, loop | seqattn / chunked | seqattn / loop |")
print("|---|---|---|---|---|---|---|")
for model_dir in sys.argv[6:]:
    model = ref.SeqAttnModel.load(model_dir, dtype=torch.float32)
    cfg = model.config
    lm = all(spec.mixer is not None and spec.mixer.causal for spec in cfg.layers)
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(0, cfg.vocab_size - 1, (n,), generator=gen)
    present = torch.ones(n, dtype=torch.bool)
    if lm:
        k = cfg.raw["tokenizer"]["k"]
        head = ref.NextTokenHead(cfg.d_model, 4)
        targets = ref.next_base_targets(ids, present, k)
        loss_of = lambda final: head.loss(final, targets, torch.float32)
    else:
        head = ref.Classifier(cfg.d_model, 8)
        loss_of = lambda final: head.loss(final.mean(0), 0, torch.float32)
    with torch.no_grad():
        head.reset(torch.Generator().manual_seed(1))

    def through_chunks():
        model.zero_grad(); head.zero_grad()
        final = chunked(model, ids, None, chunk_size=chunk, dtype=torch.float32).final
        loss_of(final).backward()

    def through_loop():
        model.zero_grad(); head.zero_grad()
        loss_of(model.final_of(ids, None, torch.float32)).backward()

    with torch.enable_grad():
        fast = n / timed(through_chunks, 5)
        slow = n / timed(through_loop, 2)
    mine = ours[model_dir]
    name = os.path.basename(model_dir)
    print(f"| {name} | {'lm' if lm else 'classify'} | {mine:,.0f} | {fast:,.0f} | {slow:,.0f} | "
          f"{mine / fast:.2f}x | {mine / slow:.1f}x |")
PY
