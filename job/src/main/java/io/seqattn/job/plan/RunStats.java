package io.seqattn.job.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts and per-stage wall times of one run, for run.json and the console. */
public final class RunStats {
  private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
  /** When each stage first started, in seconds since these stats were made (the run's start). */
  private final Map<String, Double> stageStarts = new LinkedHashMap<>();
  private final long created = System.nanoTime();
  /** Stages that ran beside others (their time is not added to the total again). */
  private final java.util.Set<String> overlapped = new java.util.LinkedHashSet<>();
  long sequences;
  long chunks;
  long tokens;
  long emptySequences;
  long absentTokens;
  long nonPositiveNormalizers;
  long softMaskedTokens;
  int partitions;
  int readTasks;
  java.util.List<io.seqattn.job.input.ReadItem.Skipped> skipped = java.util.List.of();

  /** The Spark job description of a stage's jobs: "seqattn " + stage (shown in the UI, seen by listeners). */
  public static String jobDescription(String stage) {
    return "seqattn " + stage;
  }

  /** Times {@code stage}, a step that forces Spark to compute something. */
  <T> T time(String stage, java.util.function.Supplier<T> step) {
    long t0 = System.nanoTime();
    synchronized (this) {
      stageStarts.putIfAbsent(stage, (t0 - created) / 1e9);
    }
    T result = step.get();
    record(stage, (System.nanoTime() - t0) / 1e9);
    return result;
  }

  /** Times {@code stage}, which runs on its own thread beside the stages timed on the run's thread. */
  <T> T timeBeside(String stage, java.util.function.Supplier<T> step) {
    synchronized (this) {
      overlapped.add(stage);
    }
    return time(stage, step);
  }

  private synchronized void record(String stage, double seconds) {
    stageSeconds.merge(stage, seconds, Double::sum);
  }

  public synchronized Map<String, Double> stageSeconds() {
    return new LinkedHashMap<>(stageSeconds);
  }

  /** When each stage first started, in seconds since the run started, in the order they started. */
  public synchronized Map<String, Double> stageStarts() {
    return new LinkedHashMap<>(stageStarts);
  }

  /** Stages that ran beside the others, on a thread of their own. */
  public synchronized java.util.Set<String> overlappedStages() {
    return new java.util.LinkedHashSet<>(overlapped);
  }

  /** The run's stage time: every stage's seconds but those that ran beside others. */
  public synchronized double totalSeconds() {
    return stageSeconds.entrySet().stream().filter(e -> !overlapped.contains(e.getKey()))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  public long sequences() {
    return sequences;
  }

  public long chunks() {
    return chunks;
  }

  /** Tokens read by this run (a continued sequence's earlier tokens are not counted). */
  public long tokens() {
    return tokens;
  }

  public long emptySequences() {
    return emptySequences;
  }

  /**
   * Positions at which some head's normalizer φ(q)ᵀz was ≤ 0 (relu, identity, trig): their outputs
   * are not a weighted average of values and should not be trusted.
   */
  public long nonPositiveNormalizers() {
    return nonPositiveNormalizers;
  }

  /** Positions without a token (k-mers of N runs read with --skip-n). */
  public long absentTokens() {
    return absentTokens;
  }

  /** Tokens flagged soft-masked (read with --keep-soft-mask). */
  public long softMaskedTokens() {
    return softMaskedTokens;
  }

  /** Spark tasks that read the inputs (split pieces of indexed FASTA, or whole files). */
  public int readTasks() {
    return readTasks;
  }

  /** Records left out under lenient validation (empty under strict, where the first one is fatal). */
  public java.util.List<io.seqattn.job.input.ReadItem.Skipped> skipped() {
    return skipped;
  }

  public int partitions() {
    return partitions;
  }

  /** Tokens through both passes per second of total stage time. */
  public double tokensPerSecond() {
    double t = totalSeconds();
    return t > 0 ? tokens / t : 0;
  }
}
