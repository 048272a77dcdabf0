package io.seqattn.core.attention;

import static io.seqattn.core.attention.ChunkKernelTest.assertClose;
import static io.seqattn.core.attention.ChunkKernelTest.randomTokens;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.testing.Corpora;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Exact softmax attention against the full-matrix double oracle. The sequence is longer than a query
 * tile (4,096) and spans several key blocks (1,024), and the chunk starts mid-sequence, so tiling,
 * the causal diagonal and the online rescaling are all crossed. Tolerance: ChunkKernelTest's 2e-4 of
 * the output scale (float32 scores and sums against double).
 */
class SoftmaxTest {

  static Model model(boolean causal) {
    ModelConfig config = new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6);
    return ModelInitializer.random(causal ? config.withCausal(null) : config, 0, 3);
  }

  /** The kernel's outputs for tokens [from, to) of {@code all}, which starts at {@code start}. */
  static double[][] kernel(Model model, int[] all, long start, int from, int to) {
    int inner = model.config().innerDim();
    float[] o = new ChunkKernel(model).attendSoftmax(Arrays.copyOfRange(all, from, to), start + from, all, start,
        true).outputs();
    double[][] out = new double[to - from][inner];
    for (int i = 0; i < out.length; i++) {
      for (int f = 0; f < inner; f++) {
        out[i][f] = o[i * inner + f];
      }
    }
    return out;
  }

  static void check(Model model, int[] tokens, long start, int from, int to) {
    double[][] expected = NaiveSoftmax.outputs(model, tokens, start, model.config().causal());
    assertClose(Arrays.copyOfRange(expected, from, to), kernel(model, tokens, start, from, to));
  }

  @Test
  void globalSoftmaxOverManyBlocks() {
    Model model = model(false);
    int[] tokens = randomTokens(5000, model.config().tokenizer().vocabularySize(), 6);
    check(model, tokens, 0, 300, 4800);
  }

  @Test
  void causalSoftmaxAcrossTheDiagonalWithAbsentPositions() {
    Model model = model(true);
    int[] tokens = ChunkKernelTest.withAbsentRuns(randomTokens(5000, model.config().tokenizer().vocabularySize(), 7));
    Arrays.fill(tokens, 2000, 2100, -1);
    check(model, tokens, 1_000_000, 300, 4800);
    check(model, tokens, 1_000_000, 4000, 5000);
  }

  @Test
  void realDnaFarAlongAChromosome() throws Exception {
    Model model = model(false);
    int[] tokens = Corpora.dnaTokens("lambda_phage.fa.gz", 3, 1500);
    check(model, tokens, 40_000_000L, 0, 1500);
  }

  @Test
  void decayedModelsHaveNoSoftmaxForm() {
    Model model = ModelInitializer.random(model(false).config().withCausal(new double[] {0.9, 1.0}), 0, 1);
    assertThrows(IllegalArgumentException.class,
        () -> new ChunkKernel(model).attendSoftmax(new int[] {1, 2}, 0, new int[] {1, 2}, 0, false));
  }
}
