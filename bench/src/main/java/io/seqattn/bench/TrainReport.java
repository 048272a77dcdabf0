package io.seqattn.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link TrainBench} (one sequence's forward + backward pass) for the model directories given
 * and prints, per model, milliseconds per sequence and tokens/s as tab-separated lines
 * {@code model tokens chunk ms tokens_per_second} (scripts/bench-train.sh reads them). Arguments:
 * model directories, then {@code NAME=VALUE[,VALUE...]} JMH parameters (tokens, chunk).
 */
public final class TrainReport {
  private TrainReport() {}

  public static void main(String[] args) throws RunnerException {
    int models = 0;
    while (models < args.length && !args[models].contains("=")) {
      models++;
    }
    if (models == 0) {
      throw new IllegalArgumentException("usage: TrainReport MODEL_DIR... [tokens=N] [chunk=N]");
    }
    String[] dirs = java.util.Arrays.copyOf(args, models);
    OptionsBuilder builder = ReportOptions.builder(TrainBench.class.getSimpleName(), args, models);
    builder.exclude(SgemmPeak.class.getSimpleName()).param("model", dirs);
    Collection<RunResult> results = new Runner(ReportOptions.timed(builder, 3, 6)).run();
    System.out.println();
    for (RunResult r : results) {
      int tokens = Integer.parseInt(r.getParams().getParam("tokens"));
      double ms = r.getPrimaryResult().getScore();
      System.out.printf(Locale.ROOT, "train\t%s\t%d\t%s\t%.3f\t%.1f%n", r.getParams().getParam("model"), tokens,
          r.getParams().getParam("chunk"), ms, tokens / (ms / 1e3));
    }
  }
}
