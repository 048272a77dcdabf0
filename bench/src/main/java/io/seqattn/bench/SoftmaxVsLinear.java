package io.seqattn.bench;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.ModelInitializer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Exact softmax attention against linear attention over one sequence of n tokens, kernel against
 * kernel in one JVM: linear is pass 1 and pass 2 over chunks of 65,536 (best of 5 after warm-up),
 * softmax is {@link ChunkKernel#attendSoftmax} of every chunk against the whole sequence (one run:
 * it takes minutes). Prints both times and their ratio. Arguments: [n [shape]], default 65536 and
 * the default model's 64x2x32.
 */
public final class SoftmaxVsLinear {

  private static final int CHUNK = 65_536;

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 65_536;
    Shape shape = Shape.parse(args.length > 1 ? args[1] : "64x2x32");
    ChunkKernel kernel = new ChunkKernel(ModelInitializer.random(shape.config(FeatureMaps.ELU), 0, 7));
    SplittableRandom random = new SplittableRandom(1);
    int[] tokens = new int[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = random.nextInt(65);
    }
    double linear = Double.MAX_VALUE;
    for (int run = 0; run < 8; run++) {
      long t0 = System.nanoTime();
      linear(kernel, tokens);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (run >= 3) {
        linear = Math.min(linear, seconds);
      }
    }
    long t0 = System.nanoTime();
    for (int c = 0; c < n; c += CHUNK) {
      int[] chunk = java.util.Arrays.copyOfRange(tokens, c, Math.min(n, c + CHUNK));
      kernel.attendSoftmax(chunk, c, tokens, 0, false);
    }
    double softmax = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "n = %,d, shape %s, OMP_NUM_THREADS=%s%n", n, shapeName(shape),
        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    System.out.printf(Locale.ROOT, "linear (pass 1 + pass 2): %.3f s, %,.0f tokens/s%n", linear, n / linear);
    System.out.printf(Locale.ROOT, "exact softmax:            %.3f s, %,.0f tokens/s%n", softmax, n / softmax);
    System.out.printf(Locale.ROOT, "softmax / linear: %.0fx%n", softmax / linear);
  }

  private static void linear(ChunkKernel kernel, int[] tokens) {
    Summary state = null;
    for (int c = 0; c < tokens.length; c += CHUNK) {
      Summary s = kernel.summarize(java.util.Arrays.copyOfRange(tokens, c, Math.min(tokens.length, c + CHUNK)), c);
      state = Summary.MERGE.mergeNullable(state, s);
    }
    for (int c = 0; c < tokens.length; c += CHUNK) {
      kernel.attend(java.util.Arrays.copyOfRange(tokens, c, Math.min(tokens.length, c + CHUNK)), c, state, false);
    }
  }

  private static String shapeName(Shape s) {
    return s.dModel() + "x" + s.heads() + "x" + s.dHead();
  }
}
