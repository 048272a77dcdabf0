#!/usr/bin/env bash
# The rehearsal of a real spark-submit, on this machine: starts a Spark standalone master and two
# workers bound to 127.0.0.1 from the Spark jars Maven downloaded (no Spark distribution), submits
# the seqattn job through scripts/seqattn-submit — Spark's own SparkSubmit with the shaded
# application jar (job/target/seqattn-job-*-all.jar) and conf/spark-defaults.conf — waits, checks the result
# against a local[1] run of the same input bit for bit (every table, by seqattn digest) — for a
# one-layer model and for a deep, gated two-layer one — and stops
# everything it started.
# Usage: scripts/cluster-local.sh [INPUT [FORMAT]]   (default: sample-corpus/ as fasta)
# Needs: java, mvn, curl, python3. Prints the run directory; exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
input="${1:-$root/sample-corpus}"
format="${2:-fasta}"
work="$(mktemp -d "${TMPDIR:-/tmp}/seqattn-cluster.XXXXXX")"
pids=()

stop_all() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true      # workers stop their executors on SIGTERM
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    echo "cluster-local: failed; logs in $work/logs" >&2
  fi
}
trap stop_all EXIT

log() { echo "cluster-local: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- build: the thin jar for the local reference run, the shaded one for the cluster ---------------
"$root/scripts/seqattn" --version >/dev/null       # builds when sources are newer than the jars
app_jar="$(ls "$root"/job/target/seqattn-job-*-all.jar)"

# --- a Spark "distribution": jars/ holds Spark and its dependencies only, resolved by Maven from a
# --- throwaway POM under the project's parent (so at the versions the project pins) --------------
home="$work/spark-home"
mkdir -p "$home/jars" "$home/conf" "$work/logs" "$work/spark-pom"
# Maven resolves a parent's relativePath against the POM's own directory, so it must be relative:
# then the parent comes from this checkout, never from an io.seqattn artifact in ~/.m2.
parent_pom="$(realpath --relative-to="$work/spark-pom" "$root/pom.xml")"
cat > "$work/spark-pom/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>io.seqattn</groupId>
    <artifactId>seqattn-parent</artifactId>
    <version>0.1.0-SNAPSHOT</version>
    <relativePath>$parent_pom</relativePath>
  </parent>
  <artifactId>spark-distribution</artifactId>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.spark</groupId>
      <artifactId>spark-sql_\${scala.binary.version}</artifactId>
      <scope>compile</scope>
    </dependency>
    <dependency>
      <groupId>org.apache.spark</groupId>
      <artifactId>spark-mllib_\${scala.binary.version}</artifactId>
      <scope>compile</scope>
    </dependency>
  </dependencies>
</project>
POM
(cd "$work/spark-pom" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$work/spark-classpath.txt" \
  -Dmaven.multiModuleProjectDirectory="$root") >&2
tr ':' '\n' < "$work/spark-classpath.txt" | while read -r jar; do ln -s "$jar" "$home/jars/"; done
cp "$root/conf/log4j2.properties" "$home/conf/log4j2.properties"
# what bin/load-spark-env.sh exports in a distribution; the workers build executor commands from it
export SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 SPARK_CONF_DIR="$home/conf" SPARK_SCALA_VERSION=2.13
spark_java=(java @"$root/conf/jvm-options" -Xmx512m -cp "$home/conf:$home/jars/*")
# bin/spark-submit of this "distribution", for scripts/seqattn-submit (which adds the jar, the class and
# conf/spark-defaults.conf): Spark's own SparkSubmit on the jars above.
printf '#!/usr/bin/env bash\nexec java @%q -Xmx512m -cp %q org.apache.spark.deploy.SparkSubmit "$@"\n' \
  "$root/conf/jvm-options" "$home/conf:$home/jars/*" > "$work/spark-submit"
chmod +x "$work/spark-submit"

master_port="$(free_port)"
master_ui="$(free_port)"
master="spark://127.0.0.1:$master_port"
"${spark_java[@]}" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$master_port" \
  --webui-port "$master_ui" > "$work/logs/master.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$master_ui/json/" >/dev/null && break; sleep 0.5; done
for i in 1 2; do
  "${spark_java[@]}" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 3g \
    --webui-port "$(free_port)" --work-dir "$work/worker$i" "$master" > "$work/logs/worker$i.log" 2>&1 &
  pids+=($!)
done
alive=0
for _ in $(seq 60); do
  alive="$(curl -sf "http://127.0.0.1:$master_ui/json/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["aliveworkers"])' || echo 0)"
  [[ "$alive" == 2 ]] && break
  sleep 0.5
done
[[ "$alive" == 2 ]] || { log "workers did not register with $master"; exit 1; }
log "master $master with 2 workers (1 core each); logs in $work/logs"

# --- the job, through SparkSubmit, for a one-layer model and a deep gated one ------------------------
"$root/scripts/seqattn" init-model --output "$work/model" 2>/dev/null
# Two blocks: GLA-gated (identity features, no normalizer, output norm and gate, SwiGLU), then
# scalar-gated (Mamba2 form; elu, RoPE, LayerNorm, GELU); docs/model-format-2.md. The same model
# (config and seed) as the JVM tests' TestModels.gatedStack().
"$root/scripts/seqattn" init-model --config "$root/scripts/reference/gated-stack.json" --seed 5 --output "$work/deep-model" 2>/dev/null

# Submits one run to the cluster, runs the same in local[1], and compares every table bit for bit.
check() {
  local name="$1" model="$2"
  log "submitting $(basename "$app_jar") with the $name model"
  SPARK_SUBMIT="$work/spark-submit" SEQATTN_JAR="$app_jar" "$root/scripts/seqattn-submit" \
    --master "$master" --deploy-mode client \
    --conf spark.executor.memory=1g --conf spark.executor.memoryOverhead=1g --conf spark.executor.cores=1 \
    --conf spark.driver.memory=1g --conf spark.ui.enabled=false \
    -- run --input "$input" --format "$format" --model "$model" --output "$work/$name-cluster-run" \
    --chunk-size 8192 --emit-outputs > "$work/logs/submit-$name.log" 2>&1 \
    || { cat "$work/logs/submit-$name.log" >&2; exit 1; }
  executors="$(ls -d "$work"/worker*/app-*/* 2>/dev/null | wc -l)"
  log "job finished; $executors executor JVM(s) so far, their logs under $work/worker1 and $work/worker2"

  "$root/scripts/seqattn" run --master 'local[1]' --spark-conf "$root/conf/spark-local.conf" --input "$input" \
    --format "$format" --model "$model" --output "$work/$name-local-run" --chunk-size 8192 --emit-outputs \
    >/dev/null 2>"$work/logs/local-$name.log"
  python3 - "$work/$name-cluster-run/run.json" "$work/$name-local-run/run.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["spark"]["master"].startswith("spark://"), a["spark"]["master"]
for k in ("sequences", "chunks", "tokens"):
    assert a["counts"][k] == b["counts"][k], (k, a["counts"][k], b["counts"][k])
print(f"cluster-local: {a['counts']['sequences']} sequences, {a['counts']['tokens']:,} tokens, "
      f"{a['model']['layers']} layer(s) on {a['spark']['master']}", file=sys.stderr)
PY
  # Every table of both runs, digested by content (seqattn digest: rows by key, values by their bits).
  for run in "$name-cluster-run" "$name-local-run"; do
    "$root/scripts/seqattn" digest --run "$work/$run" 2>/dev/null > "$work/$run.digest"
  done
  diff "$work/$name-local-run.digest" "$work/$name-cluster-run.digest" >&2 \
    || { log "the $name model's tables on the cluster differ from local[1] (digests above)"; exit 1; }
  log "$name model: every table bitwise identical to local[1] ($(grep -c rows "$work/$name-cluster-run.digest") tables)"
}
check one-layer "$work/model"
check deep "$work/deep-model"
echo "$work/one-layer-cluster-run"
