package io.seqattn.job.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts and per-stage wall times of one run, for run.json and the console. */
public final class RunStats {
  private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
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
    T result = step.get();
    stageSeconds.merge(stage, (System.nanoTime() - t0) / 1e9, Double::sum);
    return result;
  }

  public Map<String, Double> stageSeconds() {
    return stageSeconds;
  }

  public double totalSeconds() {
    return stageSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
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
