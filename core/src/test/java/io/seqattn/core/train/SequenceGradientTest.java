package io.seqattn.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The trainer's gradient by its own properties, beside the autograd comparison of
 * {@link ReferenceGradientTest}: central finite differences, one chunk against seven, the same
 * bits from the same chunks — for global and for gated causal stacks — and the models it refuses.
 */
class SequenceGradientTest {
  private static final String CASE = "l2-global-identity-none-elu-rope";
  /** Two causal layers with scalar gates: the suffix scan of adjoints and the gates' own backward. */
  private static final String CAUSAL = "l2-causal-scalar-dna";
  /** Two layers pooled by the softmax attention of two learned queries. */
  private static final String POOL = "pool-attention-l2-docs";

  private static double loss(ReferenceGradientTest.Case c, Map<String, float[]> tensors, int chunk) {
    float[] w = tensors.get(Classifier.WEIGHT);
    float[] b = tensors.get(Classifier.BIAS);
    Map<String, float[]> model = new LinkedHashMap<>(tensors);
    model.remove(Classifier.WEIGHT);
    model.remove(Classifier.BIAS);
    Classifier head = new Classifier(c.model().config().embeddingDim(), b.length, w, b);
    return new SequenceGradient(c.model().config(), model, head, DataType.DOUBLE).classify(c.ids(), chunk, c.label())
        .loss();
  }

  /**
   * (L(w + h) − L(w − h)) / 2h for the largest-gradient element of a tensor of every kind (h the
   * float32-rounded step actually taken), within 1e-5 of the gradient, relative: the truncation
   * error of a central difference at h ≈ 1e-3 is about h²·L''' ~ 1e-6.
   */
  @Test
  void gradientsMatchCentralFiniteDifferences() throws IOException {
    checkFiniteDifferences(CASE, 1e-3, "embedding", "layers.0.mixer.wq", "layers.0.mixer.wk", "layers.0.mixer.wv",
        "layers.0.mixer.out_norm.weight", "layers.0.ffn.w_gate", "layers.1.mixer.wg", "layers.1.norm2.bias",
        "layers.1.ffn.b1", "final_norm.weight", Classifier.WEIGHT);
  }

  /**
   * The same for causal layers, the scalar gates' weights among them, with h ≈ 1e-5: the case's
   * second layer (identity map, z normalizer) has denominators near 0, where the loss curves too
   * much for h = 1e-3 (measured: the difference is off by 10× there, and within 2e-7 at 1e-5).
   */
  @Test
  void causalGradientsMatchCentralFiniteDifferences() throws IOException {
    checkFiniteDifferences(CAUSAL, 1e-5, "embedding", "layers.0.mixer.gate.a_log", "layers.0.mixer.gate.w_dt",
        "layers.0.mixer.gate.b_dt", "layers.0.mixer.wk", "layers.1.mixer.gate.a_log", "layers.1.mixer.gate.w_dt",
        "layers.1.mixer.wq", "layers.1.mixer.wv");
  }

  /** The pooling queries and what feeds them, through the chunk-by-chunk backward of the softmax pool. */
  @Test
  void attentionPoolingGradientsMatchCentralFiniteDifferences() throws IOException {
    checkFiniteDifferences(POOL, 1e-3, "head.pool_queries", "final_norm.weight", "layers.1.mixer.wv",
        "layers.0.mixer.wq", "embedding", Classifier.WEIGHT);
  }

  private static void checkFiniteDifferences(String caseName, double step, String... tensors) throws IOException {
    ReferenceGradientTest.Case c = ReferenceGradientTest.Case.load(caseName);
    SequenceGradient.Result result = c.run(157, DataType.DOUBLE);
    for (String name : tensors) {
      double[] g = result.gradients().get(name);
      int at = 0;
      for (int i = 1; i < g.length; i++) {
        if (Math.abs(g[i]) > Math.abs(g[at])) {
          at = i;
        }
      }
      float w = c.tensors().get(name)[at];
      float up = (float) (w + step);
      float down = (float) (w - step);
      double lossUp = loss(c, replaced(c.tensors(), name, at, up), 157);
      double lossDown = loss(c, replaced(c.tensors(), name, at, down), 157);
      double numeric = (lossUp - lossDown) / ((double) up - (double) down);
      assertEquals(g[at], numeric, 1e-5 * Math.abs(g[at]), name + "[" + at + "]: analytic " + g[at] + ", numeric "
          + numeric);
    }
  }

  private static Map<String, float[]> replaced(Map<String, float[]> tensors, String name, int at, float value) {
    Map<String, float[]> out = new LinkedHashMap<>(tensors);
    float[] t = tensors.get(name).clone();
    t[at] = value;
    out.put(name, t);
    return out;
  }

  /** One chunk against seven (157 ids each, 1,100 in all): the same gradient to float rounding. */
  @Test
  void theGradientDoesNotDependOnTheChunking() throws IOException {
    checkChunking(CASE);
  }

  @Test
  void theCausalGradientDoesNotDependOnTheChunking() throws IOException {
    checkChunking(CAUSAL);
  }

  @Test
  void theAttentionPooledGradientDoesNotDependOnTheChunking() throws IOException {
    checkChunking(POOL);
  }

  private static void checkChunking(String caseName) throws IOException {
    ReferenceGradientTest.Case c = ReferenceGradientTest.Case.load(caseName);
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Gradients whole = c.run(1100, type).gradients();
      Gradients seven = c.run(158, type).gradients();
      double bound = type == DataType.DOUBLE ? 1e-12 : 5e-5;
      for (String name : whole.names()) {
        ReferenceGradientTest.assertRelative(whole.get(name), seven.get(name), bound, type + " " + name);
      }
    }
  }

  @Test
  void theSameChunksGiveTheSameBits() throws IOException {
    for (String name : new String[] {CASE, CAUSAL, POOL}) {
      ReferenceGradientTest.Case c = ReferenceGradientTest.Case.load(name);
      SequenceGradient.Result first = c.run(256, DataType.FLOAT);
      SequenceGradient.Result second = c.run(256, DataType.FLOAT);
      assertTrue(first.gradients().sameBits(second.gradients()), name);
      assertEquals(Double.doubleToLongBits(first.loss()), Double.doubleToLongBits(second.loss()), name);
    }
  }

  @Test
  void glaGatesAndRandomFeatureMapsAreRefusedByName() throws IOException {
    StackModel causal = StackDirectory.load(Path.of("src/test/resources/conformance/l4-gla/model"));
    Classifier head = new Classifier(causal.config().embeddingDim(), 2, new float[causal.config().embeddingDim() * 2],
        new float[2]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SequenceGradient(causal.config(), causal.tensors(), head, DataType.FLOAT));
    assertEquals("layers.0.mixer: training GLA gates (one decay per key dimension) is not implemented yet (none, "
        + "constant and scalar gates are)", e.getMessage());
    StackModel favor = StackDirectory.load(Path.of("src/test/resources/conformance/l1-global-favor-layernorm-head/model"));
    Classifier head2 = new Classifier(favor.config().embeddingDim(), 2, new float[favor.config().embeddingDim() * 2],
        new float[2]);
    e = assertThrows(IllegalArgumentException.class,
        () -> new SequenceGradient(favor.config(), favor.tensors(), head2, DataType.FLOAT));
    assertTrue(e.getMessage().contains("favor+"), e.getMessage());
  }

  @Test
  void badIdsAndLabelsAreNamed() throws IOException {
    ReferenceGradientTest.Case c = ReferenceGradientTest.Case.load(CASE);
    SequenceGradient g = new SequenceGradient(c.model().config(), c.model().tensors(), c.classifier(), DataType.FLOAT);
    int[] ids = Arrays.copyOf(c.ids(), 300);
    ids[211] = 64;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.classify(ids, 100, 0));
    assertEquals("token id 64 at position 211 is outside the model's vocabulary (64 ids)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.classify(c.ids(), 100, 3));
    assertEquals("label 3 is not a class (0..2)", e.getMessage());
    int[] absent = new int[10];
    Arrays.fill(absent, -1);
    e = assertThrows(IllegalArgumentException.class, () -> g.classify(absent, 4, 0));
    assertEquals("the sequence has no present position: nothing to pool", e.getMessage());
  }
}
