#!/usr/bin/env bash
# The bitwise regression matrix: runs a fixed set of models (every feature map; global, causal,
# decayed; exact softmax) over sample-corpus/ and ../shared/corpus with one checkout's
# scripts/seqattn, and writes each run's table digests (seqattn digest) to OUT/NAME.digest.
# A refactor that must not change results runs it on the commit before and the commit after and
# compares:   diff -r OUT_BEFORE OUT_AFTER   (no output: bitwise identical).
# Digests are computed by the checkout given as DIGEST_WITH (default: the checkout that ran), so
# runs made by an older commit can be digested by a newer one.
# Usage: scripts/bitwise-matrix.sh OUT [CHECKOUT]     (CHECKOUT: default this one)
# Inputs are this checkout's sample-corpus/ and ../shared/corpus (the genome-scale part is skipped
# with a note when absent), read from fixed paths under $TMPDIR/seqattn-bitwise-inputs, so the runs
# of every checkout name the same source files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
checkout="$(cd "${2:-$here}" && pwd)"
digest_with="$(cd "${DIGEST_WITH:-$checkout}" && pwd)"
seqattn="$checkout/scripts/seqattn"
corpus="$here/../shared/corpus"
work="$(mktemp -d "${TMPDIR:-/tmp}/seqattn-bitwise.XXXXXX")"
trap 'rm -rf "$work"' EXIT
conf=(--spark-conf "$here/conf/spark-local.conf" --master 'local[2]')

model() { # NAME init-model options...
  local name="$1"; shift
  "$seqattn" init-model --out "$work/models/$name" --seed 7 "$@" 2>/dev/null
}
run() { # NAME MODEL FORMAT INPUT [run options...]
  local name="$1" m="$2" format="$3" input="$4"; shift 4
  "$seqattn" run "${conf[@]}" --input "$input" --format "$format" --model "$work/models/$m" \
    --output "$work/runs/$name" "$@" >/dev/null 2>"$work/$name.log" \
    || { cat "$work/$name.log" >&2; echo "bitwise-matrix: run $name failed" >&2; exit 1; }
  "$digest_with/scripts/seqattn" digest --run "$work/runs/$name" 2>/dev/null > "$out/$name.digest"
  echo "bitwise-matrix: $name" >&2
}

dna=(--tokenizer dna --k 3 --d-model 32 --heads 2 --d-head 16)
model elu "${dna[@]}" --feature-map elu
model relu "${dna[@]}" --feature-map relu
model identity "${dna[@]}" --feature-map identity
model favor "${dna[@]}" --feature-map favor+ --features 32
model trig "${dna[@]}" --feature-map trig --features 32
model causal "${dna[@]}" --feature-map elu --causal
model decayed "${dna[@]}" --feature-map elu --causal --decay 0.999,0.99
model decayed-favor "${dna[@]}" --feature-map favor+ --features 16 --causal --decay 0.995
model words --tokenizer words --vocab-size 4096 --d-model 32 --heads 2 --d-head 16 --feature-map elu --d-out 8
model words-causal --tokenizer words --vocab-size 4096 --d-model 32 --heads 2 --d-head 16 --feature-map elu \
  --causal --decay 0.99

# Inputs at fixed paths: embeddings name their source files, so every checkout must read the same paths.
inputs="${TMPDIR:-/tmp}/seqattn-bitwise-inputs"
mkdir -p "$inputs"
rm -rf "$inputs/sample-corpus"
cp -r "$here/sample-corpus" "$inputs/sample-corpus"
sample="$inputs/sample-corpus"
small=(--chunk-size 4096 --emit-outputs)
for m in elu relu identity favor trig causal decayed decayed-favor; do
  run "sample-$m" "$m" fasta "$sample" "${small[@]}"
done
run sample-skip-n decayed fasta "$sample" "${small[@]}" --skip-n --keep-soft-mask
run sample-softmax elu fasta "$sample/lambda_phage.fa.gz" "${small[@]}" --attention softmax
run sample-softmax-causal causal fasta "$sample/lambda_phage.fa.gz" "${small[@]}" --attention softmax
run sample-words words jsonl "$sample/sotu_sample.jsonl" --chunk-size 512 --emit-outputs
run sample-words-causal words-causal jsonl "$sample/sotu_sample.jsonl" --chunk-size 512 --emit-outputs
run sample-text words text "$sample/texts" --chunk-size 512

if [[ -d "$corpus/genomes" ]]; then
  # Index-split reads of an uncompressed copy.
  [[ -f "$inputs/yeast_chrI.fa" ]] || zcat "$corpus/genomes/yeast_chrI.fa.gz" > "$inputs/yeast_chrI.fa"
  ln -sf "$(cd "$corpus" && pwd)/genomes/ecoli_K12_MG1655.fa.gz" "$inputs/ecoli_K12_MG1655.fa.gz"
  ln -sf "$(cd "$corpus" && pwd)/documents/sotu.jsonl.gz" "$inputs/sotu.jsonl.gz"
  run yeast-split-elu elu fasta "$inputs/yeast_chrI.fa" --chunk-size 16384 --partitions 3
  run yeast-split-decayed decayed fasta "$inputs/yeast_chrI.fa" --chunk-size 16384 --partitions 3
  run ecoli-elu elu fasta "$inputs/ecoli_K12_MG1655.fa.gz"
  run ecoli-decayed-favor decayed-favor fasta "$inputs/ecoli_K12_MG1655.fa.gz"
  run sotu-words words jsonl "$inputs/sotu.jsonl.gz" --chunk-size 2048
  run sotu-words-causal words-causal jsonl "$inputs/sotu.jsonl.gz" --chunk-size 2048
else
  echo "bitwise-matrix: $corpus not found; only sample-corpus/ was run" >&2
fi
echo "$out"
