#!/usr/bin/env bash
# The quickstart: builds seqattn if needed, creates the default models if missing, and runs global
# linear attention in Spark local mode over the bundled sample corpus — the genomes (FASTA) with a
# DNA k-mer model and the State of the Union sample (JSONL) with a hashed-words model.
# Results go to results/ (override with SEQATTN_RESULTS); models to models/ (SEQATTN_MODELS).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seqattn="$root/scripts/seqattn"
models="${SEQATTN_MODELS:-$root/models}"
results="${SEQATTN_RESULTS:-$root/results}"
conf=(--spark-conf "$root/conf/spark-local.conf")

if [[ ! -f "$models/dna-k3/config.json" ]]; then
  "$seqattn" init-model --output "$models/dna-k3" --tokenizer dna --k 3 --d-model 64 --heads 2 --d-head 32 \
    --feature-map elu --seed 7
fi
if [[ ! -f "$models/words/config.json" ]]; then
  "$seqattn" init-model --output "$models/words" --tokenizer words --vocab-size 65536 --d-model 64 --heads 2 \
    --d-head 32 --feature-map elu --d-out 32 --seed 7
fi

"$seqattn" run "${conf[@]}" --input "$root/sample-corpus" --format fasta --model "$models/dna-k3" \
  --output "$results/genomes" --overwrite >/dev/null
"$seqattn" run "${conf[@]}" --input "$root/sample-corpus/sotu_sample.jsonl" --format jsonl --model "$models/words" \
  --output "$results/documents" --overwrite >/dev/null

cat <<MSG

Results (Parquet tables + run.json) are in:
  $results/genomes     lambda phage, human chrM, 6 phiX174 variants
  $results/documents   7 State of the Union addresses
Try:  scripts/seqattn export --run $results/genomes --seq-id MT_human --output $results/MT_human-npy
MSG
