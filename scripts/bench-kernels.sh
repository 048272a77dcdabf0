#!/usr/bin/env bash
# JMH benchmarks of the chunk kernel (pass 1, global pass 2, causal pass 2; two shapes, chunks of
# 4k-64k, elu, relu, favor+ and trig) and of ND4J's sgemm in the same run; prints tokens/s, GFLOP/s and the ratio
# to that sgemm peak. Not part of CI.
# Usage: scripts/bench-kernels.sh [JMH include regex [NAME=VALUE[,VALUE...]...]], e.g. pass2 chunk=65536 featureMap=elu
#        scripts/bench-kernels.sh softmax [N [SHAPE]]: exact softmax against linear attention, kernel
#        against kernel, over one sequence of N tokens (default 65536, shape 64x2x32); takes minutes.
#        scripts/bench-kernels.sh stack [CONFIG.json [NAME=VALUE...]]: one block of a format-2 stack
#        (default scripts/reference/bench-gla4.json, layer 1, chunks 16k and 64k) through LayeredKernel,
#        pass 1 and pass 2, against the GEMM-bound limit of the same run.
# OMP_NUM_THREADS (default: all cores) sets the BLAS threads of kernels and sgemm alike.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && mvn -q -B -Pbench -DskipTests -pl bench -am package) >&2  # package: nothing goes into ~/.m2
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
main=io.seqattn.bench.KernelReport
if [[ "${1:-}" == softmax ]]; then
  main=io.seqattn.bench.SoftmaxVsLinear
  shift
elif [[ "${1:-}" == stack ]]; then
  main=io.seqattn.bench.StackReport
  shift
  set -- "${1:-$root/scripts/reference/bench-gla4.json}" "${@:2}"
fi
exec java @"$root/conf/jvm-options" -Xmx3g -cp "$root/bench/target/seqattn-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/bench-classpath.txt")" \
  "$main" "$@"
