#!/usr/bin/env bash
# The approximation study: relative error of each feature map against exact softmax attention, on
# a genome (phiX174, 6 variants) and on documents (State of the Union addresses) from
# ../shared/corpus, with the quickstart's default models. Writes docs/approx-error/{genome,documents}/
# (approx-error.md, .json, .png). Takes a few minutes on two cores.
# Usage: scripts/approx-error.sh [OUT_DIR]   (default: docs/approx-error)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared/corpus"
out="${1:-$root/docs/approx-error}"
for f in "$shared/genomes/phiX174_variants.fa.gz" "$shared/documents/sotu.jsonl.gz"; do
  [[ -r "$f" ]] || { echo "approx-error: $f not found (../shared/corpus is needed)" >&2; exit 1; }
done
models="$(mktemp -d)"
trap 'rm -rf "$models"' EXIT
"$root/scripts/seqattn" init-model --output "$models/dna" --tokenizer dna --k 3 --d-model 64 --heads 2 --d-head 32 \
  --seed 7 2>/dev/null
"$root/scripts/seqattn" init-model --output "$models/words" --tokenizer words --vocab-size 65536 --d-model 64 \
  --heads 2 --d-head 32 --d-out 32 --seed 7 2>/dev/null

common=(--features 16,64,256,1024 --maps favor+,trig,elu,relu --seeds 5 --sequences 3 --tokens 2048
  --qk-scales 0.25,0.5,1)
"$root/scripts/seqattn" approx-error "${common[@]}" --input "$shared/genomes/phiX174_variants.fa.gz" \
  --format fasta --model "$models/dna" --label "phiX174 (dna k=3)" --output "$out/genome"
"$root/scripts/seqattn" approx-error "${common[@]}" --input "$shared/documents/sotu.jsonl.gz" \
  --format jsonl --model "$models/words" --label "State of the Union (words)" --output "$out/documents"
