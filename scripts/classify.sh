#!/usr/bin/env bash
# Whole documents against truncated ones: k-fold cross-validated accuracy of seqattn's
# LinearAttentionEncoder -> LogisticRegression on whole documents and on their first --max-tokens
# tokens, with the majority class as the floor. Runs in Spark local mode.
# Usage: scripts/classify.sh --input FILE.jsonl --text-field F --label-field L [--folds 5]
#          [--max-tokens 512] [--model DIR] [--output results.json]     (all of 'seqattn classify --help')
# Example (the State of the Union addresses by party):
#   scripts/classify.sh --input ../shared/corpus/documents/sotu.jsonl.gz --text-field text \
#     --label-field party --output docs/classify/sotu-party.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/scripts/seqattn" classify --master "${SEQATTN_MASTER:-local[*]}" "$@"
