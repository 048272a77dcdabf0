package io.seqattn.core.attention;

import static io.seqattn.core.attention.ChunkKernelTest.assertClose;
import static io.seqattn.core.attention.ChunkKernelTest.chunked;
import static io.seqattn.core.attention.ChunkKernelTest.randomTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.features.FeatureKernel;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.features.OrthogonalFeatures;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.ModelVariants;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The random-feature maps: unbiased estimates of exp(q̂ᵀk̂) through the production featurization
 * (stabilized features and log-scales recombined), orthogonal ω blocks, and summaries whose
 * log-scales make them exact where plain exponentials are finite and finite where they are not.
 */
class RandomFeaturesTest {
  static final int D_HEAD = 8;

  static Model model(FeatureMap map, int features, long seed) {
    ModelConfig config = new ModelConfig(TokenizerSpec.dna(2, 1), 16, 1, D_HEAD, map,
        Positional.SINUSOIDAL, 1e-6, false, null, features);
    return ModelInitializer.random(config, 0, seed);
  }

  static Stream<FeatureMap> randomMaps() {
    return Stream.of(FeatureMaps.FAVOR_PLUS, FeatureMaps.TRIG);
  }

  /** φ(q)ᵀφ(k) as the kernel represents it: e^(s_q + c_k)·φ̃(q)ᵀφ̃(k). */
  static double estimate(Model model, float[] q, float[] k) {
    int m = model.config().features();
    FeatureKernel kernel = model.config().featureMap().bind(model.omega(), 1, D_HEAD, m);
    INDArray qRow = Nd4j.create(q, new long[] {1, D_HEAD}, DataType.FLOAT);
    INDArray kRow = Nd4j.create(k, new long[] {1, D_HEAD}, DataType.FLOAT);
    FeatureKernel.QueryFeatures qf = kernel.queries(0, qRow, Nd4j.create(DataType.FLOAT, 1, m));
    FeatureKernel.KeyFeatures kf = kernel.keys(0, kRow, null, Nd4j.create(DataType.FLOAT, 1, m));
    double s = qf.rowLogScale().getDouble(0);
    return Math.exp(s + kf.logScale()) * qf.features().mul(kf.features()).sumNumber().doubleValue();
  }

  /**
   * The mean over 3,000 independently seeded ω of φ(q)ᵀφ(k) against exp(q̂ᵀk̂). With ‖q̂‖, ‖k̂‖ ≈ 0.6
   * and m = 16, one estimate's relative spread is about 0.3 (favor+) and 0.5 (trig), so the mean's
   * standard error is below 1%: the 4% tolerance is over 4 standard errors, while a lost factor
   * (√m, e^(‖x̂‖²/2), d^(−1/4)) would be off by 20% or more.
   */
  @ParameterizedTest
  @MethodSource("randomMaps")
  void estimatesAreUnbiased(FeatureMap map) {
    float[] q = {0.5f, -0.3f, 0.2f, 0.4f, -0.1f, 0.3f, 0.2f, -0.4f};
    float[] k = {0.3f, 0.1f, -0.4f, 0.5f, 0.2f, -0.2f, 0.4f, 0.1f};
    double dot = 0;
    for (int i = 0; i < D_HEAD; i++) {
      dot += q[i] * k[i];
    }
    double exact = Math.exp(dot / Math.sqrt(D_HEAD)); // q̂ᵀk̂ = qᵀk / √d
    int seeds = 3000;
    double sum = 0;
    for (int seed = 0; seed < seeds; seed++) {
      sum += estimate(model(map, 16, seed), q, k);
    }
    double mean = sum / seeds;
    assertEquals(exact, mean, 0.04 * exact, map + ": mean of " + seeds + " estimates");
  }

  @Test
  void omegaBlocksAreOrthogonalWithChiDistributedNorms() {
    int d = 16;
    float[] omega = OrthogonalFeatures.draw(40, d, new SplittableRandom(3)); // blocks of 16, 16, 8 rows
    double[] norms = new double[40];
    for (int r = 0; r < 40; r++) {
      for (int j = 0; j < d; j++) {
        norms[r] += omega[r * d + j] * omega[r * d + j];
      }
      norms[r] = Math.sqrt(norms[r]);
    }
    for (int block = 0; block < 40; block += d) {
      for (int a = block; a < Math.min(40, block + d); a++) {
        for (int b = a + 1; b < Math.min(40, block + d); b++) {
          double dot = 0;
          for (int j = 0; j < d; j++) {
            dot += omega[a * d + j] * omega[b * d + j];
          }
          assertTrue(Math.abs(dot) < 1e-5 * norms[a] * norms[b], "rows " + a + ", " + b + ": " + dot);
        }
      }
    }
    // the lengths are not all 1 (or all equal): they follow a chi distribution with d degrees of freedom
    double mean = java.util.Arrays.stream(norms).average().orElseThrow();
    double spread = java.util.Arrays.stream(norms).map(x -> Math.abs(x - mean)).max().orElseThrow();
    assertTrue(Math.abs(mean - Math.sqrt(d - 0.5)) < 0.5 && spread > 0.3, "mean " + mean + ", spread " + spread);
  }

  @Test
  void stabilizedChunkedResultEqualsTheUnstabilizedDoubleComputation() {
    // moderate inputs: plain exponentials are finite, so the O(n²) oracle in double is exact
    Model model = model(FeatureMaps.FAVOR_PLUS, 64, 5);
    int[] tokens = randomTokens(600, model.config().tokenizer().vocabularySize(), 4);
    assertClose(NaiveAttention.outputs(model, tokens, 0), chunked(model, tokens, 0, 97));

    ChunkKernel kernel = new ChunkKernel(model);
    Summary merged = null;
    for (int from = 0; from < 600; from += 97) {
      Summary s = kernel.summarize(java.util.Arrays.copyOfRange(tokens, from, Math.min(600, from + 97)), from);
      merged = Summary.MERGE.mergeNullable(merged, s);
    }
    double[][] unscaled = merged.unscaled();
    NaiveInputs in = NaiveInputs.of(model, tokens, 0);
    double[] z = new double[64];
    for (double[] k : in.phiK()) {
      for (int a = 0; a < 64; a++) {
        z[a] += k[a];
      }
    }
    ChunkKernelTest.assertRelativelyClose(z, java.util.Arrays.copyOf(unscaled[1], 64), 1e-5);
    assertTrue(merged.logScale()[0] != 0, "favor+ summaries carry a log-scale");
  }

  /**
   * Queries and keys ×50 (logits ×2500). The plain double computation breaks: trig's e^(‖x̂‖²/2)
   * overflows to ∞ (NaN outputs), favor+'s exp(ωᵀx̂ − ‖x̂‖²/2) underflows to 0 for every feature
   * (all-zero outputs, silently wrong). The stabilized kernel stays finite, and for favor+ equals
   * the log-space oracle.
   */
  @ParameterizedTest
  @MethodSource("randomMaps")
  void inputsScaledBy50StayFiniteWherePlainExponentialsBreak(FeatureMap map) {
    Model model = ModelVariants.withScaledQueriesAndKeys(model(map, 64, 9), 50f);
    int[] tokens = randomTokens(500, model.config().tokenizer().vocabularySize(), 2);
    double[][] naive = NaiveAttention.outputs(model, tokens, 0);
    boolean broken = java.util.Arrays.stream(naive).anyMatch(row -> java.util.Arrays.stream(row)
        .allMatch(v -> v == 0) || java.util.Arrays.stream(row).anyMatch(v -> !Double.isFinite(v)));
    assertTrue(broken, "the unstabilized double computation overflows or underflows on these inputs");
    double[][] out = chunked(model, tokens, 0, 128);
    for (double[] row : out) {
      for (double v : row) {
        assertTrue(Double.isFinite(v), "stabilized output " + v);
      }
    }
    if (map == FeatureMaps.FAVOR_PLUS) {
      assertClose(LogSpaceAttention.outputs(model, tokens), out);
    }
  }
}
