package io.seqattn.job.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.cli.SeqAttn;
import io.seqattn.job.plan.RunStats;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real multi-JVM cluster ({@link LocalCluster}): bitwise the result of local[1], also
 * when an executor JVM is killed in the middle of pass 1 and when a task fails once and is retried.
 * Runs in its own surefire execution, since a JVM holds one SparkContext.
 */
class ClusterTest {
  @TempDir static Path tmp;
  static SparkSession cluster;
  static RunTables baseline;
  static Path model;
  static Path faultDir;

  @BeforeAll
  static void baselineThenCluster() throws Exception {
    model = tmp.resolve("model");
    ModelDirectory.save(TestModels.causalDna(), model); // causal with decay: the ordered scan, not only the fold
    Path local = run(tmp.resolve("local1"), "--master", "local[1]"); // the CLI starts and stops its own session
    faultDir = Files.createDirectories(tmp.resolve("faults"));
    cluster = LocalCluster.start(tmp, faultDir);
    baseline = new RunTables(cluster, local);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.stop();
    }
  }

  static Path run(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", "--input",
        TestModels.sampleCorpus().resolve("human_chrM.fa.gz").toString(),
        TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), "--format", "fasta",
        "--model", model.toString(), "--output", out.toString(), "--chunk-size", "1024", "--partitions", "4"));
    args.addAll(List.of(extra));
    StringWriter err = new StringWriter();
    int status = SeqAttn.execute(new PrintWriter(err, true), args.toArray(String[]::new));
    assertEquals(0, status, err.toString());
    return out;
  }

  static void assertSameAsBaseline(Path run) {
    RunTables other = new RunTables(cluster, run);
    assertEquals(baseline.states.keySet(), other.states.keySet());
    baseline.states.forEach((k, v) -> assertArrayEquals(v, other.states.get(k), "state " + k));
    assertEquals(baseline.embeddings.keySet(), other.embeddings.keySet());
    baseline.embeddings.forEach((k, v) -> assertArrayEquals(v, other.embeddings.get(k), "embedding " + k));
  }

  @Test
  void twoExecutorJvmsGiveBitwiseTheResultOfLocalOne() {
    assertEquals("local-cluster[2,1,1024]", cluster.sparkContext().master());
    Path run = run(tmp.resolve("cluster"));
    assertTrue(LocalCluster.executors().size() >= 2, "executors run in their own JVMs");
    assertSameAsBaseline(run);
  }

  @Test
  void killingAnExecutorDuringPassOneChangesNothing() throws Exception {
    ExecutorKiller killer = new ExecutorKiller(RunStats.jobDescription("pass1"));
    cluster.sparkContext().addSparkListener(killer);
    try {
      Path run = run(tmp.resolve("killed"));
      assertTrue(killer.killed.get() != null, "an executor was killed while pass 1 ran");
      assertTrue(!killer.killed.get().isAlive());
      assertSameAsBaseline(run);
    } finally {
      cluster.sparkContext().removeSparkListener(killer);
    }
  }

  @Test
  void aTaskThatFailsOnceIsRetriedWithTheSameResult() throws Exception {
    Files.writeString(faultDir.resolve("arm"), "");
    Path run = run(tmp.resolve("retried"));
    assertTrue(Files.exists(faultDir.resolve("fired")), "the injected failure happened");
    assertSameAsBaseline(run);
  }

  /** Kills one executor JVM (SIGKILL) when the first task of a stage of the named jobs succeeds. */
  static final class ExecutorKiller extends SparkListener {
    final String description;
    final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    final AtomicReference<ProcessHandle> killed = new AtomicReference<>();

    ExecutorKiller(String description) {
      this.description = description;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
      java.util.Properties p = submitted.properties();
      if (p != null && description.equals(p.getProperty("spark.job.description"))) {
        stages.add(submitted.stageInfo().stageId());
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (stages.contains(end.stageId()) && end.taskInfo().successful() && killed.get() == null) {
        List<ProcessHandle> executors = LocalCluster.executors();
        if (!executors.isEmpty() && killed.compareAndSet(null, executors.get(0))) {
          executors.get(0).destroyForcibly();
          executors.get(0).onExit().join();
        }
      }
    }
  }
}
