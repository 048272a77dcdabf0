package io.seqattn.job.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Progress of a run on standard error, one line per running stage of the run every
 * {@code interval}:
 *
 * <pre>
 * seqattn: pass2+write-embeddings: 37/120 tasks, 45 s, about 1 min 40 s left
 * </pre>
 *
 * A Spark listener counts, for each Spark job whose description is one of seqattn's
 * ({@code "seqattn " + stage}, see {@code RunStats.jobDescription}), the tasks of its stages as
 * they are submitted (a stage Spark skips because its shuffle output exists adds none) and as
 * they succeed; the estimate assumes the remaining tasks take as long as the finished ones did. A
 * line is printed only when something changed since the last one, so a quiet run prints nothing.
 */
final class ProgressReporter extends SparkListener implements AutoCloseable {
  private static final String PREFIX = "seqattn ";

  /** One running Spark job of a seqattn stage. */
  private static final class Job {
    final String stage;
    final long startNanos = System.nanoTime();
    final AtomicInteger total = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    String lastPrinted = "";

    Job(String stage) {
      this.stage = stage;
    }
  }

  private final SparkContext sc;
  private final PrintStream out;
  private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();
  private final Map<Integer, Job> stages = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;

  private ProgressReporter(SparkContext sc, PrintStream out, double intervalSeconds) {
    this.sc = sc;
    this.out = out;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "seqattn-progress");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(1, Math.round(intervalSeconds * 1000));
    timer.scheduleAtFixedRate(this::print, period, period, TimeUnit.MILLISECONDS);
  }

  /** Starts reporting the jobs of {@code sc} to {@code out} every {@code intervalSeconds}. */
  static ProgressReporter start(SparkContext sc, PrintStream out, double intervalSeconds) {
    ProgressReporter reporter = new ProgressReporter(sc, out, intervalSeconds);
    sc.addSparkListener(reporter);
    return reporter;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    String description = start.properties() == null ? null
        : start.properties().getProperty(org.apache.spark.SparkContext$.MODULE$.SPARK_JOB_DESCRIPTION());
    if (description == null || !description.startsWith(PREFIX)) {
      return;
    }
    Job job = new Job(description.substring(PREFIX.length()));
    jobs.put(start.jobId(), job);
    for (Object id : CollectionConverters.asJava(start.stageIds())) {
      stages.put((Integer) id, job);
    }
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    StageInfo stage = submitted.stageInfo();
    Job job = stages.get(stage.stageId());
    if (job != null) {
      job.total.addAndGet(stage.numTasks());
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    Job job = stages.get(end.stageId());
    if (job != null && end.taskInfo().successful()) {
      job.done.incrementAndGet();
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    Job job = jobs.remove(end.jobId());
    if (job != null) {
      stages.values().removeIf(j -> j == job);
    }
  }

  private void print() {
    for (Job job : jobs.values()) {
      int total = job.total.get();
      int done = Math.min(job.done.get(), total);
      if (total == 0) {
        continue;
      }
      double elapsed = (System.nanoTime() - job.startNanos) / 1e9;
      String line = String.format(Locale.ROOT, "seqattn: %s: %d/%d tasks, %s", job.stage, done, total,
          duration(elapsed));
      String state = done + "/" + total;
      if (state.equals(job.lastPrinted)) {
        continue;
      }
      job.lastPrinted = state;
      if (done > 0 && done < total) {
        line += ", about " + duration(elapsed / done * (total - done)) + " left";
      }
      out.println(line);
    }
  }

  /** "45 s", "3 min 20 s", "2 h 05 min". */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    sc.removeSparkListener(this);
  }
}
