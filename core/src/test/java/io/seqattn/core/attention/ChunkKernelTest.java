package io.seqattn.core.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.ModelVariants;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.testing.Corpora;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkKernelTest {

  /**
   * The kernel computes in float32 (sgemm) and the oracle in double. On these tests (chunks of up to
   * 1,000 tokens, sequences of up to 2,000) the worst error measured is 3.5e-7 of the output scale.
   * The bound is set looser, at 2e-4, because float32 accumulation error grows with chunk length
   * (up to 65,536 tokens in real runs); a wrong index, scale, sign or position is off by far more.
   */
  static final double ALLOWED_ERROR = 2e-4;

  /**
   * A small model. For trig, Wq and Wk are scaled by 0.3: its normalizer is a sum of terms of both
   * signs whose spread grows like exp(‖q̂‖² + ‖k̂‖²), and at unit scale it comes close to 0 at some
   * positions, where any rounding is amplified without bound (the failure mode counted in run.json).
   * With small logits it stays far from 0, so the comparison tests the arithmetic, not the luck.
   */
  static Model model(FeatureMap map, Positional positional, int k, long seed) {
    ModelConfig config = new ModelConfig(TokenizerSpec.dna(k, 1), 16, 2, 8, map,
        positional, 1e-6, false, null, map == FeatureMaps.TRIG ? 256 : 0);
    Model model = ModelInitializer.random(config, 0, seed);
    return map == FeatureMaps.TRIG ? ModelVariants.withScaledQueriesAndKeys(model, 0.3f) : model;
  }

  /** Runs both passes chunk by chunk, merging summaries in order: what the Spark job does. */
  static double[][] chunked(Model model, int[] tokens, long start, int chunkSize) {
    ChunkKernel kernel = new ChunkKernel(model);
    List<int[]> chunks = new ArrayList<>();
    for (int from = 0; from < tokens.length; from += chunkSize) {
      chunks.add(Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunkSize)));
    }
    Summary state = null;
    long pos = start;
    for (int[] chunk : chunks) {
      Summary s = kernel.summarize(chunk, pos);
      state = Summary.MERGE.mergeNullable(state, s);
      pos += chunk.length;
    }
    int inner = model.config().innerDim();
    double[][] out = new double[tokens.length][inner];
    pos = start;
    int row = 0;
    for (int[] chunk : chunks) {
      float[] o = kernel.attend(chunk, pos, state, true).outputs();
      for (int i = 0; i < chunk.length; i++, row++) {
        for (int f = 0; f < inner; f++) {
          out[row][f] = o[i * inner + f];
        }
      }
      pos += chunk.length;
    }
    return out;
  }

  static int[] randomTokens(int n, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(vocab);
    }
    return t;
  }

  static void assertClose(double[][] expected, double[][] actual) {
    double scale = 0;
    for (double[] row : expected) {
      for (double v : row) {
        scale = Double.isNaN(v) ? scale : Math.max(scale, Math.abs(v));
      }
    }
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      for (int f = 0; f < expected[i].length; f++) {
        if (Double.isNaN(expected[i][f])) {
          assertTrue(Double.isNaN(actual[i][f]), "position " + i + " has no output, got " + actual[i][f]);
          continue;
        }
        worst = Math.max(worst, Math.abs(expected[i][f] - actual[i][f]));
      }
    }
    assertTrue(worst <= ALLOWED_ERROR * scale,
        "max abs error " + worst + " exceeds " + ALLOWED_ERROR + " x output scale " + scale);
  }

  @ParameterizedTest
  @MethodSource("io.seqattn.core.features.FeatureMaps#all")
  void matchesNaiveAttentionOnRandomTokens(FeatureMap map) {
    Model model = model(map, Positional.SINUSOIDAL, 3, 11);
    int[] tokens = randomTokens(700, model.config().tokenizer().vocabularySize(), 5);
    assertClose(NaiveAttention.outputs(model, tokens, 0), chunked(model, tokens, 0, 256));
  }

  @Test
  void matchesNaiveAttentionFarAlongAChromosome() {
    // positions near 1.5e8 stress the double-precision angle computation
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 2, 3);
    int[] tokens = randomTokens(300, model.config().tokenizer().vocabularySize(), 9);
    long start = 150_000_000L;
    assertClose(NaiveAttention.outputs(model, tokens, start), chunked(model, tokens, start, 128));
  }

  @Test
  void matchesNaiveAttentionOnLambdaPhage() throws Exception {
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 3, 7);
    int[] tokens = Corpora.dnaTokens("lambda_phage.fa.gz", 3, 2000);
    assertClose(NaiveAttention.outputs(model, tokens, 0), chunked(model, tokens, 0, 512));
  }

  @Test
  void matchesNaiveAttentionWithoutPositions() {
    Model model = model(FeatureMaps.RELU, Positional.NONE, 3, 13);
    int[] tokens = randomTokens(200, model.config().tokenizer().vocabularySize(), 1);
    assertClose(NaiveAttention.outputs(model, tokens, 0), chunked(model, tokens, 0, 64));
  }

  /** Tokens with N-run-like stretches of absent positions (−1), one of them across a chunk boundary. */
  static int[] withAbsentRuns(int[] tokens) {
    int[] t = tokens.clone();
    Arrays.fill(t, 100, 180, -1);
    Arrays.fill(t, 250, 262, -1);
    t[0] = -1;
    return t;
  }

  @Test
  void absentPositionsHaveNoKeyAndNoOutputButKeepTheirPlace() {
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 3, 11);
    int[] tokens = withAbsentRuns(randomTokens(400, model.config().tokenizer().vocabularySize(), 5));
    assertClose(NaiveAttention.outputs(model, tokens, 1000), chunked(model, tokens, 1000, 128));

    ChunkKernel kernel = new ChunkKernel(model);
    Summary state = kernel.summarize(tokens, 1000);
    assertEquals(400, state.tokens(), "absent positions still count as positions");
    ChunkOutputs out = kernel.attend(tokens, 1000, state, true);
    assertEquals(400 - 80 - 12 - 1, out.pooled().count(), "only present tokens are pooled");
    assertTrue(Arrays.stream(out.pooled().sum()).allMatch(Double::isFinite));
    int[] allAbsent = new int[50];
    Arrays.fill(allAbsent, -1);
    assertEquals(Summary.empty(2, 8, 8).s().length, kernel.summarize(allAbsent, 0).s().length);
    assertTrue(Arrays.stream(kernel.summarize(allAbsent, 0).s()).allMatch(v -> v == 0), "no keys at all");
  }

  @Test
  void splitMergeOracle() {
    // summarize(a ++ b) == merge(summarize(a), summarize(b)) with b at its global offset
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 3, 21);
    ChunkKernel kernel = new ChunkKernel(model);
    int[] all = randomTokens(1000, model.config().tokenizer().vocabularySize(), 2);
    int cut = 377;
    Summary whole = kernel.summarize(all, 40);
    Summary merged = Summary.MERGE.merge(
        kernel.summarize(Arrays.copyOfRange(all, 0, cut), 40),
        kernel.summarize(Arrays.copyOfRange(all, cut, all.length), 40 + cut));
    assertEquals(whole.tokens(), merged.tokens());
    assertRelativelyClose(whole.s(), merged.s(), 1e-5);
    assertRelativelyClose(whole.z(), merged.z(), 1e-5);
  }

  @Test
  void sameInputGivesBitwiseSameSummary() {
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 3, 4);
    int[] tokens = randomTokens(4096, model.config().tokenizer().vocabularySize(), 8);
    ChunkKernel a = new ChunkKernel(model);
    ChunkKernel b = new ChunkKernel(model);
    Summary first = a.summarize(tokens, 99);
    a.summarize(randomTokens(333, 65, 1), 0); // workspace reuse must not leak into later results
    assertEquals(first, a.summarize(tokens, 99));
    assertEquals(first, b.summarize(tokens, 99));
  }

  @Test
  void emptyChunkIsTheIdentity() {
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 3, 4);
    ChunkKernel kernel = new ChunkKernel(model);
    Summary empty = kernel.summarize(new int[0], 0);
    assertEquals(Summary.empty(2, 8, 8), empty);
    ChunkOutputs out = kernel.attend(new int[0], 0, empty, false);
    assertEquals(0, out.pooled().count());
    assertNull(out.outputs());
    assertNull(Pooling.embedding(model, out.pooled()));
  }

  @Test
  void pooledEmbeddingIsTheMeanOfOutputsTimesWo() {
    ModelConfig config = new ModelConfig(TokenizerSpec.bytes(), 8, 2, 4,
        FeatureMaps.ELU, Positional.SINUSOIDAL, 1e-6);
    Model model = ModelInitializer.random(config, 5, 17);
    int[] tokens = randomTokens(90, 256, 3);
    double[][] ref = NaiveAttention.outputs(model, tokens, 0);
    double[] expected = new double[5];
    for (int j = 0; j < 5; j++) {
      for (double[] row : ref) {
        for (int i = 0; i < 8; i++) {
          expected[j] += row[i] * model.wo()[i * 5 + j] / tokens.length;
        }
      }
    }
    ChunkKernel kernel = new ChunkKernel(model);
    Summary state = kernel.summarize(tokens, 0);
    float[] actual = Pooling.embedding(model, kernel.attend(tokens, 0, state, false).pooled());
    double[] actualD = new double[5];
    for (int j = 0; j < 5; j++) {
      actualD[j] = actual[j];
    }
    assertRelativelyClose(expected, actualD, ALLOWED_ERROR);
  }

  static void assertRelativelyClose(double[] expected, double[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]);
      assertTrue(err <= tolerance * scale, "element " + i + ": " + expected[i] + " vs " + actual[i]);
    }
  }

  @Test
  void mismatchedStateIsRejected() {
    Model model = model(FeatureMaps.ELU, Positional.SINUSOIDAL, 3, 4);
    ChunkKernel kernel = new ChunkKernel(model);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> kernel.attend(new int[] {1, 2}, 0, Summary.empty(3, 8, 8), false));
    assertTrue(e.getMessage().contains("does not match"));
  }
}
