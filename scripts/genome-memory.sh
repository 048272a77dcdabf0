#!/usr/bin/env bash
# Runs the global job over one large genome, decompressed (or recompressed as BGZF) and indexed,
# in local[2] with a small driver heap, and reports tokens/s (from run.json) and the peak RSS of
# the JVM (/usr/bin/time -v).
# Usage: scripts/genome-memory.sh [GENOME.fa.gz] [HEAP] [plain|bgzf]
#   (defaults: C. elegans chrX, 1g, plain; bgzf needs bgzip, Debian package 'tabix')
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
genome="${1:-$root/../shared/corpus/genomes/celegans_chrX.fa.gz}"
heap="${2:-1g}"
layout="${3:-plain}"
[[ -r "$genome" ]] || { echo "genome-memory: $genome not found" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "genome-memory: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fa="$work/$(basename "${genome%.gz}")"
case "$layout" in
  plain) zcat -f "$genome" > "$fa" ;;
  bgzf)
    command -v bgzip >/dev/null || { echo "genome-memory: bgzf needs bgzip (Debian package 'tabix')" >&2; exit 1; }
    fa="$fa.gz"
    zcat -f "$genome" | bgzip -c > "$fa" ;;
  *) echo "genome-memory: layout must be plain or bgzf, got '$layout'" >&2; exit 2 ;;
esac
"$root/scripts/seqattn" index "$fa"
"$root/scripts/seqattn" init-model --output "$work/model" >/dev/null 2>&1

SEQATTN_HEAP="$heap" /usr/bin/time -v "$root/scripts/seqattn" run --master 'local[2]' \
  --spark-conf "$root/conf/spark-local.conf" --input "$fa" --format fasta --model "$work/model" \
  --output "$work/run" 2> "$work/time.log" >/dev/null || { cat "$work/time.log" >&2; exit 1; }

python3 - "$work/run/run.json" "$work/time.log" "$heap" <<'PY'
import json, re, sys
run = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", log).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", log).group(1)
c = run["counts"]
print(f"tokens            {c['tokens']:,}")
print(f"read tasks        {c['read_tasks']}")
print(f"heap (-Xmx)       {sys.argv[3]}")
print(f"input             {run['inputs'][0]}")
print(f"tokens/s          {run['tokens_per_second']:,}")
print(f"wall              {wall}")
print(f"peak RSS          {rss_kb / 1024 / 1024:.2f} GiB")
print("stage seconds     " + ", ".join(f"{k} {v}" for k, v in run["stage_seconds"].items()))
PY
