package io.seqattn.bench;

import io.seqattn.core.stack.AttentionSpec;
import io.seqattn.core.stack.BlockSpec;
import io.seqattn.core.stack.FfnSpec;
import io.seqattn.core.stack.GateSpec;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link StackBench} (one block of a format-2 stack, pass 1 and pass 2 on one chunk) and
 * {@link SgemmPeak} in one JMH run, and prints per chunk size the block's tokens/s (both passes)
 * and its share of the GEMM-bound limit: the run's best sgemm rate divided by the block's flops
 * per token ({@link #flopsPerToken}). Arguments: the config file (default
 * scripts/reference/bench-gla4.json, the 4-layer GLA stack of docs/performance.md), then
 * {@code NAME=VALUE[,VALUE...]} JMH parameters (chunk, layer).
 */
public final class StackReport {
  /** The causal block of the stack's kernel, for the flop count of the within-block products. */
  static final int CAUSAL_BLOCK = io.seqattn.core.stack.StackNetwork.CAUSAL_BLOCK_SIZE;

  public static void main(String[] args) throws RunnerException, IOException {
    String config = args.length > 0 ? Path.of(args[0]).toAbsolutePath().toString()
        : Path.of("scripts/reference/bench-gla4.json").toAbsolutePath().toString();
    OptionsBuilder builder = ReportOptions.builder(StackBench.class.getSimpleName(), args, 1);
    builder.param("config", config);
    Options options = ReportOptions.timed(builder, 2, 4);
    Collection<RunResult> results = new Runner(options).run();

    StackConfig stack = StackConfigJson.parse(Files.readString(Path.of(config)));
    double peak = 0;
    Map<String, double[]> byChunk = new HashMap<>(); // "chunk layer" -> {summarize ms, forward ms}
    for (RunResult r : results) {
      String step = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      double ms = r.getPrimaryResult().getScore();
      if (step.equals("sgemm")) {
        double n = Double.parseDouble(r.getParams().getParam("n"));
        peak = Math.max(peak, 2 * n * n * n / (ms * 1e6));
        continue;
      }
      String key = r.getParams().getParam("chunk") + " " + r.getParams().getParam("layer");
      byChunk.computeIfAbsent(key, k -> new double[2])[step.equals("summarize") ? 0 : 1] = ms;
    }
    System.out.printf(Locale.ROOT, "%nsgemm peak in this run: %.1f GFLOP/s (OMP_NUM_THREADS=%s); %s%n%n", peak,
        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"), config);
    System.out.println("| chunk | layer | summarize ms | forward ms | tokens/s (both) | kFLOP/token | of the GEMM-bound limit |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Map.Entry<String, double[]> e : byChunk.entrySet()) {
      String[] key = e.getKey().split(" ");
      int chunk = Integer.parseInt(key[0]);
      BlockSpec block = stack.layers().get(Integer.parseInt(key[1]));
      double seconds = (e.getValue()[0] + e.getValue()[1]) / 1e3;
      double tokensPerSecond = chunk / seconds;
      double flops = flopsPerToken(stack.dModel(), block);
      System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %,.0f | %.0f | %.0f%% |%n", chunk, key[1],
          e.getValue()[0], e.getValue()[1], tokensPerSecond, flops / 1e3, 100 * tokensPerSecond * flops / (peak * 1e9));
    }
  }

  /**
   * The GEMM flops per token of one block, both passes' distinct work once (as scripts/bench-deep.sh
   * counts them): the fused input projection (W_q, W_k, W_v, W_g, the gate's first factor), the
   * gate's second factor, W_o, the FFN, and per head the within-block products of a causal mixer
   * (or nothing) plus the state in and out.
   */
  static double flopsPerToken(int d, BlockSpec block) {
    AttentionSpec a = block.mixer();
    int h = a.heads();
    int m = a.features();
    double projected = a.keyWidth() * 2.0 + a.valueWidth() + (a.outputGate() ? a.valueWidth() : 0);
    double gate = 0;
    if (a.gate() instanceof GateSpec.Gla gla) {
      projected += gla.rank();
      gate = 2.0 * gla.rank() * a.keyWidth();
    } else if (a.gate() instanceof GateSpec.Scalar) {
      projected += h;
    }
    double mixer = 2 * d * projected + gate + 2.0 * a.valueWidth() * d;
    double perHead = (a.causal() ? 2.0 * CAUSAL_BLOCK * m + 2.0 * CAUSAL_BLOCK * a.dValue() : 0) + 4.0 * m * a.dValue();
    FfnSpec ffn = block.ffn();
    double feedForward = ffn == null ? 0 : (ffn.kind() == FfnSpec.Kind.SWIGLU ? 3 : 2) * 2.0 * d * ffn.dFf();
    return mixer + h * perHead + feedForward;
  }
}
