package io.seqattn.core.stack;

import io.seqattn.core.features.OrthogonalFeatures;
import io.seqattn.core.random.Gaussian;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random deep models, the same on every machine: embeddings and pooling queries ~ N(0, 1)
 * (so a query's logits q·x/√d over unit-RMS outputs start near N(0, 1)); every projection W
 * [in, out] ~ N(0, 1/in); norm weights 1 and biases 0; FFN biases 0; GLA gate biases +3, so the
 * gates start near 1 (e^(logsigmoid(3)/τ)); scalar gates as Mamba2 initializes them — a_log =
 * ln U(1, 16), softplus(b_dt) = dt with ln dt ~ U(ln 0.001, ln 0.1); ω of random-feature maps as
 * orthogonal random features per head; short convolutions [C, K] ~ N(0, 1/K), PyTorch's fan-in
 * scale for a depthwise kernel. Each tensor draws from its own split of the seed, in the
 * order of {@link StackConfig#tensorShapes()}.
 */
public final class StackInitializer {
  private StackInitializer() {}

  public static StackModel random(StackConfig config, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    Map<String, float[]> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : config.tensorShapes().entrySet()) {
      tensors.put(e.getKey(), draw(e.getKey(), e.getValue(), root.split()));
    }
    return new StackModel(config, tensors);
  }

  private static float[] draw(String name, int[] shape, SplittableRandom random) {
    int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    String leaf = name.substring(name.lastIndexOf('.') + 1);
    if (name.equals("embedding") || name.equals("head.pool_queries")) {
      return Gaussian.array(random, size, 1.0);
    }
    if (name.endsWith("norm1.weight") || name.endsWith("norm2.weight") || name.endsWith("norm.weight")) {
      return filled(size, 1f);
    }
    if (name.endsWith(".omega")) {
      float[] omega = new float[size];
      int rowsTimesD = shape[1] * shape[2];
      for (int h = 0; h < shape[0]; h++) {
        System.arraycopy(OrthogonalFeatures.draw(shape[1], shape[2], random.split()), 0, omega, h * rowsTimesD,
            rowsTimesD);
      }
      return omega;
    }
    if (leaf.startsWith("conv_")) {
      return Gaussian.array(random, size, 1.0 / Math.sqrt(shape[1]));
    }
    if (name.endsWith("mixer.gate.b")) {
      return filled(size, 3f);
    }
    if (name.endsWith("mixer.gate.a_log")) {
      float[] a = new float[size];
      for (int i = 0; i < size; i++) {
        a[i] = (float) Math.log(1 + 15 * random.nextDouble());
      }
      return a;
    }
    if (name.endsWith("mixer.gate.b_dt")) {
      float[] b = new float[size];
      for (int i = 0; i < size; i++) {
        double dt = Math.exp(Math.log(0.001) + random.nextDouble() * (Math.log(0.1) - Math.log(0.001)));
        b[i] = (float) (dt + Math.log(-Math.expm1(-dt))); // softplus⁻¹(dt)
      }
      return b;
    }
    if (leaf.equals("bias") || leaf.startsWith("b")) {
      return new float[size]; // norm biases, ffn.b1, ffn.b2
    }
    return Gaussian.array(random, size, 1.0 / Math.sqrt(shape[0]));
  }

  private static float[] filled(int size, float value) {
    float[] a = new float[size];
    Arrays.fill(a, value);
    return a;
  }
}
