package io.seqattn.job.plan;

import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/**
 * One stage of a run on a driver thread of its own, beside the stages the run's thread goes on
 * with — a small write whose Spark SQL planning would otherwise keep every task slot idle. Its
 * Spark jobs form a job group of their own, so a run that fails elsewhere can cancel them, and its
 * failure reaches the run's thread as it was thrown, when the run {@linkplain #join joins} it.
 */
final class StageBeside {
  private final SparkSession spark;
  private final String group;
  private final Thread thread;
  private volatile Throwable failure;

  private StageBeside(SparkSession spark, String name, Runnable step) {
    this.spark = spark;
    this.group = name + "-" + UUID.randomUUID();
    this.thread = new Thread(() -> {
      spark.sparkContext().setJobGroup(group, name, true);
      try {
        step.run();
      } catch (Throwable t) {
        failure = t;
      } finally {
        spark.sparkContext().clearJobGroup();
      }
    }, name);
    thread.setDaemon(true);
  }

  /** Starts {@code step} on a new daemon thread named {@code name}. */
  static StageBeside start(SparkSession spark, String name, Runnable step) {
    StageBeside stage = new StageBeside(spark, name, step);
    stage.thread.start();
    return stage;
  }

  /** Waits for the stage to end, and throws what it threw. */
  void join() {
    awaitEnd();
    Throwable t = failure;
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  /** Cancels the stage's Spark jobs if it is still running, and waits until its thread has ended. */
  void cancel() {
    if (thread.isAlive()) {
      spark.sparkContext().cancelJobGroup(group);
    }
    awaitEnd();
  }

  private void awaitEnd() {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
