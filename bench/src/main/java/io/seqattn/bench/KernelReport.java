package io.seqattn.bench;

import io.seqattn.core.features.FeatureMaps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

/**
 * Runs the sgemm peak and the kernel benchmarks in one JMH run (one forked JVM each, same
 * machine state) and prints, per kernel configuration, tokens/s, GFLOP/s and the ratio to the
 * best sgemm rate of the same run. Arguments: an optional JMH include regex for the kernels, then
 * optional parameter restrictions such as {@code chunk=65536} or {@code featureMap=elu,favor+}.
 */
public final class KernelReport {

  /** The causal block size of {@code ChunkKernel}, used for its flop count. */
  static final int CAUSAL_BLOCK = io.seqattn.core.mixer.ChunkKernel.DEFAULT_BLOCK_SIZE;

  public static void main(String[] args) throws RunnerException {
    String kernels = args.length > 0 ? args[0] : "KernelBench";
    Options options = ReportOptions.timed(ReportOptions.builder(kernels, args, 1), 1, 2);
    Collection<RunResult> results = new Runner(options).run();

    double peak = 0;
    List<RunResult> kernelResults = new ArrayList<>();
    for (RunResult r : results) {
      if (r.getParams().getBenchmark().endsWith("sgemm")) {
        double n = Double.parseDouble(r.getParams().getParam("n"));
        double ms = r.getPrimaryResult().getScore();
        peak = Math.max(peak, 2 * n * n * n / (ms * 1e6));
      } else {
        kernelResults.add(r);
      }
    }
    System.out.printf(Locale.ROOT, "%nsgemm peak in this run: %.1f GFLOP/s (OMP_NUM_THREADS=%s)%n%n", peak,
        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    System.out.println("| step | shape | chunk | φ | ms/chunk | tokens/s | GFLOP/s | of sgemm peak |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (RunResult r : kernelResults) {
      String step = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      Shape shape = Shape.parse(r.getParams().getParam("shape"));
      int chunk = Integer.parseInt(r.getParams().getParam("chunk"));
      double ms = r.getPrimaryResult().getScore();
      io.seqattn.core.features.FeatureMap map =
          io.seqattn.core.features.FeatureMaps.byName(r.getParams().getParam("featureMap"));
      double flopsPerToken = switch (step) {
        case "pass1" -> shape.pass1Flops(map);
        case "pass2" -> shape.pass2Flops(map);
        default -> shape.causalPass2Flops(map, CAUSAL_BLOCK);
      };
      double tokensPerSecond = chunk / (ms / 1e3);
      double gflops = tokensPerSecond * flopsPerToken / 1e9;
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %.1f | %,.0f | %.1f | %.0f%% |%n", step,
          r.getParams().getParam("shape"), chunk, r.getParams().getParam("featureMap"), ms, tokensPerSecond, gflops,
          100 * gflops / peak);
    }
  }
}
