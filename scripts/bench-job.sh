#!/usr/bin/env bash
# Whole-job throughput on this machine, in Spark local[2] with the default model (dna k=3, d_model 64,
# 2 heads x 32, elu), from ../shared/corpus:
#   1. E. coli K-12 (4.6 Mb, gzip, read by one task) and C. elegans chrX (17.7 Mb, decompressed and
#      index-split): tokens/s (run.json) and peak RSS (/usr/bin/time -v);
#   2. scaling: the first n, 2n, 4n, 8n bases of C. elegans chrX (n = 2,000,000), time ratios
#      t(kn)/t(n) and peak RSS, at a fixed chunk size;
#   3. exact softmax against linear attention on the first 65,536 tokens of E. coli.
# Prints a table per part. Not part of CI (minutes, and timings need a quiet machine).
# Usage: scripts/bench-job.sh [PART...]   (parts: genomes scaling softmax; default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
genomes="$root/../shared/corpus/genomes"
parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(genomes scaling softmax)
for f in ecoli_K12_MG1655.fa.gz celegans_chrX.fa.gz; do
  [[ -r "$genomes/$f" ]] || { echo "bench-job: $genomes/$f not found" >&2; exit 1; }
done
command -v /usr/bin/time >/dev/null || { echo "bench-job: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/scripts/seqattn" init-model --output "$work/model" 2>/dev/null

# run NAME INPUT [extra run options...]: one run under /usr/bin/time; prints "seconds tokens tokens/s rss_gib"
run() {
  local name="$1" input="$2"
  shift 2
  /usr/bin/time -v "$root/scripts/seqattn" run --master 'local[2]' --spark-conf "$root/conf/spark-local.conf" \
    --input "$input" --format fasta --model "$work/model" --output "$work/$name" "$@" \
    > /dev/null 2> "$work/$name.time" || { cat "$work/$name.time" >&2; exit 1; }
  python3 - "$work/$name/run.json" "$work/$name.time" <<'PY'
import json, re, sys
run = json.load(open(sys.argv[1]))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(sys.argv[2]).read()).group(1))
print(run["total_seconds"], run["counts"]["tokens"], run["tokens_per_second"], round(rss / 1024 / 1024, 2))
PY
}

# prefix FILE N OUT: a one-record FASTA of the first N bases of FILE's first record, 60 a line
prefix() {
  python3 - "$1" "$2" "$3" <<'PY'
import gzip, sys
path, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
parts, left = [], n
with gzip.open(path, "rt") as f:
    next(f)
    for line in f:
        if line.startswith(">") or left == 0:
            break
        s = line.strip()[:left]
        parts.append(s)
        left -= len(s)
seq = "".join(parts)
with open(out, "w") as o:
    o.write(">prefix_%d\n" % n)
    o.write("".join(seq[i:i + 60] + "\n" for i in range(0, len(seq), 60)))
PY
}

for part in "${parts[@]}"; do
  case "$part" in
    genomes)
      zcat "$genomes/celegans_chrX.fa.gz" > "$work/celegans_chrX.fa"
      "$root/scripts/seqattn" index "$work/celegans_chrX.fa" 2>/dev/null
      echo "| input | tokens | seconds (stages) | tokens/s | peak RSS (GiB) |"
      echo "|---|---|---|---|---|"
      read -r s t tps rss < <(run ecoli "$genomes/ecoli_K12_MG1655.fa.gz")
      echo "| E. coli K-12 (gzip, one read task) | $t | $s | $tps | $rss |"
      read -r s t tps rss < <(run celegans "$work/celegans_chrX.fa")
      echo "| C. elegans chrX (indexed, split) | $t | $s | $tps | $rss |"
      echo ;;
    scaling)
      echo "| bases | tokens | seconds (stages) | t / t(n) | tokens/s | peak RSS (GiB) |"
      echo "|---|---|---|---|---|---|"
      base=""
      for k in 1 2 4 8; do
        prefix "$genomes/celegans_chrX.fa.gz" $((k * 2000000)) "$work/prefix$k.fa"
        read -r s t tps rss < <(run "scale$k" "$work/prefix$k.fa")
        base="${base:-$s}"
        echo "| $((k * 2000000)) | $t | $s | $(python3 -c "print(round($s / $base, 2))") | $tps | $rss |"
      done
      echo ;;
    softmax)
      prefix "$genomes/ecoli_K12_MG1655.fa.gz" 65538 "$work/ecoli65k.fa"   # k = 3: 65,536 tokens
      read -r sl t tl rl < <(run linear65k "$work/ecoli65k.fa" --chunk-size 8192)
      read -r ss t ts rs < <(run softmax65k "$work/ecoli65k.fa" --chunk-size 8192 --attention softmax)
      echo "| attention at n = $t | seconds (stages) | tokens/s | peak RSS (GiB) |"
      echo "|---|---|---|---|"
      echo "| linear (elu) | $sl | $tl | $rl |"
      echo "| exact softmax | $ss | $ts | $rs |"
      echo
      echo "softmax / linear time: $(python3 -c "print(round($ss / $sl, 1))")x"
      echo ;;
    *) echo "bench-job: unknown part '$part' (genomes, scaling, softmax)" >&2; exit 2 ;;
  esac
done
