#!/usr/bin/env python3
"""Where a profiled `seqattn run` spent its wall clock (scripts/profile-run.sh writes the inputs).

Two views of one run:
  * per seqattn stage (the Spark job description `seqattn STAGE`), from Spark's event log: the
    stage's wall time and its tasks' summed deserialize, run, CPU, GC, shuffle-write and
    fetch-wait times, with the bytes shuffled and spilled;
  * per kind of work, from async-profiler's wall-clock samples of the task threads: each sample
    is charged to the first kind (in the order of KINDS) that one of its frames belongs to.
Standard library only.
"""
import argparse
import collections
import json
import re

# (kind, frame prefixes): a sample belongs to the first kind one of its frames matches.
KINDS = [
    ("waiting (locks, fetches)", None),  # decided by the leaf frames, see waiting()
    ("serialization", ("java/io/ObjectOutputStream", "java/io/ObjectInputStream",
                       "org/apache/spark/serializer/", "java/io/ObjectStreamClass")),
    ("Parquet and Spark SQL", ("org/apache/parquet/", "org/apache/spark/sql/")),
    ("kernel (seqattn core, ND4J, BLAS)", ("io/seqattn/core/", "org/nd4j/", "org/bytedeco/")),
    ("decompression", ("java/util/zip/",)),
    ("tokenize and read", ("io/seqattn/job/input/",)),
    ("sort and aggregate", ("org/apache/spark/util/collection/",)),
    ("shuffle and cache I/O", ("org/apache/spark/shuffle/", "org/apache/spark/storage/",
                               "java/io/File", "sun/nio/ch/", "org/apache/spark/network/")),
]
WAIT_LEAVES = ("Unsafe_Park", "Unsafe.park", "Object.wait", "JVM_MonitorWait", "__futex", "epoll_wait",
               "pthread_cond")
IDLE = ("ThreadPoolExecutor.getTask",)


def waiting(frames):
    return any(any(w in f for w in WAIT_LEAVES) for f in frames[-6:])


def kind_of(frames):
    if waiting(frames):
        return KINDS[0][0]
    for kind, prefixes in KINDS[1:]:
        if any(f.startswith(prefixes) for f in frames):
            return kind
    return "other"


def samples(path):
    """(thread name, frames, count) per line of async-profiler's collapsed output with threads."""
    line_re = re.compile(r"^\[(.*?) tid=\d+\];(.*) (\d+)$")
    with open(path) as f:
        for line in f:
            m = line_re.match(line.rstrip("\n"))
            if m:
                yield m.group(1), m.group(2).split(";"), int(m.group(3))


def thread_breakdown(path, interval_s):
    tasks, main = collections.Counter(), collections.Counter()
    for thread, frames, n in samples(path):
        if thread.startswith("Executor task launch worker"):
            if not any(any(i in f for i in IDLE) for f in frames):
                tasks[kind_of(frames)] += n * interval_s
        elif thread == "main":
            main[kind_of(frames)] += n * interval_s
    return tasks, main


def stage_breakdown(paths):
    jobs, stage_job, stages, tasks = {}, {}, {}, collections.defaultdict(collections.Counter)
    app = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                e = json.loads(line)
                kind = e["Event"]
                if kind == "SparkListenerApplicationStart":
                    app["start"] = e["Timestamp"]
                elif kind == "SparkListenerApplicationEnd":
                    app["end"] = e["Timestamp"]
                elif kind == "SparkListenerJobStart":
                    name = (e.get("Properties") or {}).get("spark.job.description", "(no description)")
                    jobs[e["Job ID"]] = {"name": name, "start": e["Submission Time"]}
                    for s in e["Stage IDs"]:
                        stage_job[s] = e["Job ID"]
                elif kind == "SparkListenerJobEnd":
                    jobs[e["Job ID"]]["end"] = e["Completion Time"]
                elif kind == "SparkListenerStageCompleted":
                    info = e["Stage Info"]
                    stages[info["Stage ID"]] = info
                elif kind == "SparkListenerTaskEnd":
                    m = e.get("Task Metrics") or {}
                    t = tasks[stage_job.get(e["Stage ID"])]
                    t["tasks"] += 1
                    t["deserialize"] += m.get("Executor Deserialize Time", 0) / 1e3
                    t["run"] += m.get("Executor Run Time", 0) / 1e3
                    t["cpu"] += m.get("Executor CPU Time", 0) / 1e9
                    t["gc"] += m.get("JVM GC Time", 0) / 1e3
                    t["result"] += m.get("Result Serialization Time", 0) / 1e3
                    w = m.get("Shuffle Write Metrics") or {}
                    t["shuffle write"] += w.get("Shuffle Write Time", 0) / 1e9
                    t["shuffle MB"] += w.get("Shuffle Bytes Written", 0) / 1e6
                    r = m.get("Shuffle Read Metrics") or {}
                    t["fetch wait"] += r.get("Fetch Wait Time", 0) / 1e3
                    t["spill MB"] += m.get("Disk Bytes Spilled", 0) / 1e6
    by_name = collections.OrderedDict()
    for job_id in sorted(jobs):
        job = jobs[job_id]
        row = by_name.setdefault(job["name"], collections.Counter())
        row["jobs"] += 1
        row["wall"] += (job.get("end", job["start"]) - job["start"]) / 1e3
        row.update(tasks[job_id])
    first_job = min(j["start"] for j in jobs.values()) if jobs else None
    return by_name, app, first_job


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time", required=True, help="/usr/bin/time -f '%%e %%M' output of the run")
    ap.add_argument("--events", nargs="+", required=True, help="Spark event log files")
    ap.add_argument("--samples", required=True, help="async-profiler collapsed wall-clock output (threads)")
    ap.add_argument("--interval-ms", type=float, default=10)
    args = ap.parse_args()

    wall, rss_kb = open(args.time).read().split()[:2]
    wall = float(wall)
    by_name, app, first_job = stage_breakdown(args.events)
    print(f"run: {wall:.1f} s wall, peak RSS {int(rss_kb) / 1e6:.2f} GB")
    if app.get("start") and app.get("end") and first_job:
        jobs_wall = sum(r["wall"] for r in by_name.values())
        spark_life = (app["end"] - app["start"]) / 1e3
        print(f"  outside the Spark context (JVM start, class loading, shutdown): {wall - spark_life:.1f} s")
        print(f"  Spark context up to its first job (session, planning): {(first_job - app['start']) / 1e3:.1f} s")
        print(f"  inside Spark jobs: {jobs_wall:.1f} s; between jobs (driver work): "
              f"{spark_life - (first_job - app['start']) / 1e3 - jobs_wall:.1f} s")
    print()
    cols = ["jobs", "wall", "tasks", "run", "cpu", "deserialize", "gc", "shuffle write", "fetch wait",
            "result", "shuffle MB", "spill MB"]
    print("per seqattn stage (times in s; task times summed over tasks):")
    print("| stage | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, row in by_name.items():
        cells = [f"{row[c]:.0f}" if c in ("jobs", "tasks") else f"{row[c]:.1f}" for c in cols]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    interval = args.interval_ms / 1e3
    tasks, main_thread = thread_breakdown(args.samples, interval)
    for title, counter in (("Spark task threads, busy (summed over threads)", tasks),
                           ("driver main thread", main_thread)):
        total = sum(counter.values())
        print(f"{title}: {total:.1f} s")
        for kind, secs in counter.most_common():
            print(f"  {kind:36s} {secs:7.1f} s  {100 * secs / total:5.1f}%")
        print()


if __name__ == "__main__":
    main()
