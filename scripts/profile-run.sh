#!/usr/bin/env bash
# Profiles one whole `seqattn run` and prints where its wall clock went (issue #17):
#  - Spark's event log gives every stage's wall time and its tasks' time split into deserialize,
#    run, GC, shuffle write, shuffle fetch wait and result serialization;
#  - async-profiler samples every thread's wall clock (running, in native code or waiting) every
#    10 ms; each sample of a Spark task thread is charged to the innermost frame of a known kind:
#    kernel (seqattn core, ND4J, BLAS), tokenize/read, decompression, serialization, shuffle and
#    cache, Parquet, waiting, other. The driver's main thread is split the same way, and the time
#    before the first Spark job is JVM and Spark start-up.
# Usage: scripts/profile-run.sh OUT_DIR -- <seqattn run options>
#   e.g. scripts/profile-run.sh /tmp/prof -- --master 'local[2]' --spark-conf conf/spark-local.conf \
#          --input chrX.fa --format fasta --model m --output /tmp/prof/run --overwrite
# Needs python3 (standard library only) and async-profiler's libasyncProfiler.so in ASYNC_PROFILER.
# It is on Maven Central; this script does not fetch it. One way:
#   mvn -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.6 -DoutputDirectory=/tmp/ap
#   unzip -q /tmp/ap/async-profiler-4.6.jar -d /tmp/ap && export ASYNC_PROFILER=/tmp/ap/linux-x64/libasyncProfiler.so
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -lt 2 || "$2" != "--" ]]; then
  echo "usage: scripts/profile-run.sh OUT_DIR -- <seqattn run options>" >&2
  exit 2
fi
if [[ ! -f "${ASYNC_PROFILER:-}" ]]; then
  echo "profile-run: set ASYNC_PROFILER to async-profiler's libasyncProfiler.so (see the head of this script)" >&2
  exit 2
fi
out="$(mkdir -p "$1" && cd "$1" && pwd)"
shift 2
rm -rf "$out/events" "$out/wall.collapsed"
mkdir -p "$out/events"

# Spark reads spark.* system properties into every SparkConf: the event log needs no change to the
# run's own --spark-conf. Class-data sharing is off, so the JVM start measured is the plain one.
SEQATTN_CDS=off JAVA_TOOL_OPTIONS="-agentpath:$ASYNC_PROFILER=start,event=wall,interval=10ms,threads,file=$out/wall.collapsed,collapsed \
-Dspark.eventLog.enabled=true -Dspark.eventLog.dir=file://$out/events -Dspark.eventLog.compress=false" \
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$root/scripts/seqattn" run "$@"
python3 "$root/scripts/profile_breakdown.py" --time "$out/time.txt" --events "$out"/events/*/events_* \
  --samples "$out/wall.collapsed" --interval-ms 10 | tee "$out/breakdown.txt"
