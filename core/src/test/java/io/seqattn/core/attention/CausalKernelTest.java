package io.seqattn.core.attention;

import static io.seqattn.core.attention.ChunkKernelTest.assertClose;
import static io.seqattn.core.attention.ChunkKernelTest.assertRelativelyClose;
import static io.seqattn.core.attention.ChunkKernelTest.randomTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Causal and decayed attention: the chunkwise-parallel kernel against the per-token recurrence. */
class CausalKernelTest {

  static Model model(double[] decay, long seed) {
    ModelConfig config = new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6).withCausal(decay);
    return ModelInitializer.random(config, 0, seed);
  }

  /** What the causal job does: pass 1 summaries, exclusive prefix per chunk in order, pass 2. */
  static double[][] chunked(Model model, int[] tokens, long start, int chunkSize, int blockSize) {
    ChunkKernel kernel = new ChunkKernel(model, blockSize);
    int inner = model.config().innerDim();
    double[][] out = new double[tokens.length][inner];
    Summary prefix = null;
    for (int from = 0; from < tokens.length; from += chunkSize) {
      int[] chunk = Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunkSize));
      float[] o = kernel.attendCausal(chunk, start + from, prefix, true).outputs();
      for (int i = 0; i < chunk.length; i++) {
        for (int f = 0; f < inner; f++) {
          out[from + i][f] = o[i * inner + f];
        }
      }
      Summary s = kernel.summarize(chunk, start + from);
      prefix = Summary.MERGE.mergeNullable(prefix, s);
    }
    return out;
  }

  @ParameterizedTest(name = "decay {0}/{1}, chunk {2}, block {3}")
  @CsvSource({
      "1.0, 1.0, 300, 64",
      "1.0, 1.0, 128, 128",
      "0.97, 0.9, 300, 64",
      "0.97, 0.9, 1000, 128",
      "0.999, 0.5, 77, 16",
      "1.0, 0.95, 256, 100"})
  void matchesThePerTokenRecurrence(double g0, double g1, int chunkSize, int blockSize) {
    Model model = model(new double[] {g0, g1}, 5);
    int[] tokens = randomTokens(900, model.config().tokenizer().vocabularySize(), 3);
    assertClose(NaiveRecurrence.outputs(model, tokens, 0), chunked(model, tokens, 0, chunkSize, blockSize));
  }

  /**
   * favor+ and trig through the causal kernel: chunk keys and the carried-in prefix meet at the
   * larger of their log-scales. trig at small logits, as in ChunkKernelTest.
   */
  @ParameterizedTest(name = "{0}, decay {1}")
  @CsvSource({"favor+, 1.0", "favor+, 0.95", "trig, 0.97"})
  void randomFeatureMapsMatchTheRecurrence(String map, double decay) {
    FeatureMap fm = FeatureMaps.byName(map);
    ModelConfig config = new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, fm, Positional.SINUSOIDAL, 1e-6,
        false, null, fm == FeatureMaps.TRIG ? 256 : 32).withCausal(new double[] {decay, 1.0});
    Model model = ModelInitializer.random(config, 0, 4);
    if (fm == FeatureMaps.TRIG) {
      model = ModelVariants.withScaledQueriesAndKeys(model, 0.3f);
    }
    int[] tokens = ChunkKernelTest.withAbsentRuns(randomTokens(700, model.config().tokenizer().vocabularySize(), 9));
    assertClose(NaiveRecurrence.outputs(model, tokens, 50), chunked(model, tokens, 50, 77, 16));
  }

  @Test
  void absentPositionsAddNoKeyButTheStateStillDecaysAcrossThem() {
    Model model = model(new double[] {0.97, 0.9}, 5);
    int[] tokens = ChunkKernelTest.withAbsentRuns(randomTokens(400, model.config().tokenizer().vocabularySize(), 3));
    assertClose(NaiveRecurrence.outputs(model, tokens, 7), chunked(model, tokens, 7, 96, 32));
  }

  @Test
  void matchesTheRecurrenceOnLambdaPhageFarAlong() throws Exception {
    Model model = model(new double[] {0.99, 0.999}, 8);
    int[] tokens = Corpora.dnaTokens("lambda_phage.fa.gz", 3, 1500);
    assertClose(NaiveRecurrence.outputs(model, tokens, 40_000_000L),
        chunked(model, tokens, 40_000_000L, 512, 128));
  }

  @Test
  void firstPositionAttendsOnlyToItself() {
    Model model = model(new double[] {0.9, 1.0}, 2);
    int[] tokens = randomTokens(50, 65, 4);
    double[][] all = chunked(model, tokens, 0, 50, 16);
    double[][] alone = chunked(model, new int[] {tokens[0]}, 0, 1, 16);
    for (int f = 0; f < all[0].length; f++) {
      assertEquals(alone[0][f], all[0][f], 1e-6 * Math.max(1, Math.abs(alone[0][f])));
    }
    // and O_0 = v_0 exactly in exact arithmetic: φ(q)ᵀφ(k)v / (φ(q)ᵀφ(k) + eps)
    double[][] ref = NaiveRecurrence.outputs(model, new int[] {tokens[0]}, 0);
    assertRelativelyClose(ref[0], all[0], ChunkKernelTest.ALLOWED_ERROR);
  }

  @Test
  void splitResumeEqualsTheWhole() {
    // the state after the first half, continued over the second half, equals the state of the whole
    Model model = model(new double[] {0.98, 0.9}, 12);
    int[] tokens = randomTokens(2000, 65, 6);
    ChunkKernel kernel = new ChunkKernel(model);
    Summary whole = kernel.summarize(tokens, 0);
    Summary first = kernel.summarize(Arrays.copyOfRange(tokens, 0, 1234), 0);
    Summary second = kernel.summarize(Arrays.copyOfRange(tokens, 1234, 2000), 1234);
    Summary resumed = Summary.MERGE.merge(first, second);
    assertRelativelyClose(whole.s(), resumed.s(), 1e-5);
    assertRelativelyClose(whole.z(), resumed.z(), 1e-5);
    assertRelativelyClose(whole.logDecay(), resumed.logDecay(), 1e-12);
    double[][] expected = NaiveRecurrence.finalState(model, tokens, 0);
    for (int h = 0; h < 2; h++) {
      double[] got = new double[8 * 8 + 8];
      System.arraycopy(resumed.sOfHead(h), 0, got, 0, 64);
      System.arraycopy(resumed.zOfHead(h), 0, got, 64, 8);
      assertRelativelyClose(expected[h], got, 1e-5);
    }
    // and outputs of the second half read against the first half's state are the whole's
    double[][] all = chunked(model, tokens, 0, 2000, 128);
    float[] tail = kernel.attendCausal(Arrays.copyOfRange(tokens, 1234, 2000), 1234, first, true).outputs();
    double[] tailD = new double[tail.length];
    double[] allTail = new double[tail.length];
    for (int i = 0; i < tail.length; i++) {
      tailD[i] = tail[i];
      allTail[i] = all[1234 + i / 16][i % 16];
    }
    assertRelativelyClose(allTail, tailD, 1e-4);
  }

  @Test
  void mergeOrderMattersWithDecayAndTheWrongOrderIsDetectable() {
    Model model = model(new double[] {0.9, 0.8}, 1);
    ChunkKernel kernel = new ChunkKernel(model);
    int[] a = randomTokens(100, 65, 1);
    int[] b = randomTokens(100, 65, 2);
    Summary sa = kernel.summarize(a, 0);
    Summary sb = kernel.summarize(b, 100);
    Summary right = Summary.MERGE.merge(sa, sb);
    Summary wrong = Summary.MERGE.merge(sb, sa);
    double diff = 0;
    for (int i = 0; i < right.s().length; i++) {
      diff = Math.max(diff, Math.abs(right.s()[i] - wrong.s()[i]));
    }
    assertTrue(diff > 1e-2, "swapping decayed chunks must change the state, diff " + diff);
    int[] ab = new int[200];
    System.arraycopy(a, 0, ab, 0, 100);
    System.arraycopy(b, 0, ab, 100, 100);
    assertRelativelyClose(kernel.summarize(ab, 0).s(), right.s(), 1e-5);
  }

  @Test
  void strongDecayOverALongChunkStaysFinite() {
    Model model = model(new double[] {0.5, 0.9}, 1);
    ChunkKernel kernel = new ChunkKernel(model);
    int[] tokens = randomTokens(20_000, 65, 9);
    Summary s = kernel.summarize(tokens, 0);
    assertTrue(Arrays.stream(s.s()).allMatch(Double::isFinite));
    assertEquals(20_000 * Math.log(0.5), s.logDecay()[0], 1e-9);
    float[] out = kernel.attendCausal(tokens, 0, null, true).outputs();
    for (float f : out) {
      assertTrue(Float.isFinite(f));
    }
  }
}
