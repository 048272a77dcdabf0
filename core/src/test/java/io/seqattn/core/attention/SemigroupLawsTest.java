package io.seqattn.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.mixer.TokenMixer;
import io.seqattn.core.mixer.softmax.ExactSoftmax;
import io.seqattn.core.mixer.softmax.SequenceKeys;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.testing.SemigroupLaws;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared law check ({@link SemigroupLaws}) applied to every summary type and its merge: the
 * linear mixers' {@link Summary} (plain, decayed, log-scaled, and the split–merge oracle through
 * the real kernels), {@link PooledSum}, {@link SoftmaxPool}, exact softmax's {@link SequenceKeys}, and the
 * order-independent {@link ChunkOrderFold}.
 */
class SemigroupLawsTest {
  /**
   * Reassociating sums of doubles of magnitude ≤ 1e3 changes them by a few roundings, ~1e-13
   * relative; 1e-12 bounds that, while a wrong or missing decay factor is off by 1e-3 and more.
   */
  static final double REASSOCIATION = 1e-12;
  /**
   * Summarizing a stretch whole or in parts differs by float32 rounding inside the kernel (sums of
   * a few hundred products of unit-scale values): a few 1e-7 relative to the largest entry.
   */
  static final double SPLIT_MERGE = 2e-5;

  private final SplittableRandom random = new SplittableRandom(77);

  private Summary summary(boolean decayed, boolean scaled) {
    double[] s = random.doubles(2 * 3 * 4, -1e3, 1e3).toArray();
    double[] z = random.doubles(2 * 3, 0, 1e3).toArray();
    double[] logDecay = decayed ? new double[] {-random.nextDouble(2.0), -random.nextDouble(0.1)} : new double[2];
    double[] logScale = scaled ? new double[] {random.nextDouble(-20, 20), random.nextDouble(-20, 20)} : new double[2];
    return new Summary(2, 3, 4, random.nextInt(1000), logDecay, s, z, logScale);
  }

  private List<Summary> summaries(boolean decayed, boolean scaled) {
    return IntStream.range(0, 4).mapToObj(i -> summary(decayed, scaled)).toList();
  }

  /** The same statistics within {@code relative} of the larger entry, whatever the log-scales they are held at. */
  static boolean close(Summary a, Summary b, double relative) {
    return a.tokens() == b.tokens() && closeArrays(a.logDecay(), b.logDecay(), relative)
        && closeStatistics(a, b, relative);
  }

  private static boolean closeStatistics(Summary a, Summary b, double relative) {
    for (int h = 0; h < a.heads(); h++) {
      double fa = Math.exp(a.logScale()[h] - Math.max(a.logScale()[h], b.logScale()[h]));
      double fb = Math.exp(b.logScale()[h] - Math.max(a.logScale()[h], b.logScale()[h]));
      if (!closeArrays(scale(a.sOfHead(h), fa), scale(b.sOfHead(h), fb), relative)
          || !closeArrays(scale(a.zOfHead(h), fa), scale(b.zOfHead(h), fb), relative)) {
        return false;
      }
    }
    return true;
  }

  private static double[] scale(double[] v, double f) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] *= f;
    }
    return out;
  }

  private static boolean closeArrays(double[] a, double[] b, double relative) {
    double largest = 0;
    for (int i = 0; i < a.length; i++) {
      largest = Math.max(largest, Math.max(Math.abs(a[i]), Math.abs(b[i])));
    }
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > relative * largest) {
        return false;
      }
    }
    return true;
  }

  @Test
  void plainSummariesAreAssociativeWithTheEmptyOneAsIdentity() {
    List<Summary> plain = summaries(false, false);
    SemigroupLaws.of("Summary.MERGE without decay", Summary.MERGE, (a, b) -> close(a, b, REASSOCIATION))
        .associative(plain).identity(Summary.empty(2, 3, 4), plain).mergeAllIsTheLeftFold(plain);
  }

  @Test
  void decayedAndLogScaledSummariesAreAssociativeAndNotCommutative() {
    for (boolean scaled : new boolean[] {false, true}) {
      List<Summary> samples = summaries(true, scaled);
      SemigroupLaws.of("Summary.MERGE with decay" + (scaled ? ", log-scaled" : ""), Summary.MERGE,
              (a, b) -> close(a, b, REASSOCIATION))
          .associative(samples).identity(Summary.empty(2, 3, 4), samples).commutativeAsDeclared(samples);
    }
  }

  static Model model(FeatureMap map, boolean causal) {
    ModelConfig config = new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, map, Positional.SINUSOIDAL, 1e-6,
        causal, causal ? new double[] {0.99, 0.9} : null);
    return ModelInitializer.random(config, 0, 5);
  }

  /** Summaries made by the real kernels: a sequence summarized whole equals the merge of its parts. */
  @ParameterizedTest
  @ValueSource(strings = {"elu", "favor+", "trig"})
  void kernelSummariesMergeLikeTheWhole(String map) {
    int[] tokens = random.ints(900, 0, 64).toArray();
    for (boolean causal : new boolean[] {false, true}) {
      Model model = model(FeatureMaps.byName(map), causal);
      TokenMixer<Summary> mixer = Mixers.linear(model.config());
      MixerKernel<Summary> kernel = mixer.newKernel(model);
      SemigroupLaws.of(mixer.mode() + " " + map + " summaries", mixer.semigroup(), (a, b) -> close(a, b, SPLIT_MERGE))
          .splitMerge(kernel::summarize, tokens, 1, 300, 301, 777);
    }
  }

  @Test
  void pooledSumsAreAssociativeAndCommutative() {
    List<PooledSum> samples = IntStream.range(0, 4).mapToObj(i -> new PooledSum(random.nextInt(1000),
        random.doubles(6, -1e3, 1e3).toArray(), random.nextInt(10))).toList();
    SemigroupLaws.of("PooledSum.MERGE", PooledSum.MERGE, (a, b) -> a.count() == b.count()
            && a.nonPositiveNormalizers() == b.nonPositiveNormalizers() && closeArrays(a.sum(), b.sum(), REASSOCIATION))
        .associative(samples).identity(PooledSum.empty(6), samples).commutativeAsDeclared(samples)
        .mergeAllIsTheLeftFold(samples);
  }

  /**
   * Softmax pools with maxima spread over ±50, so every merge rescales one side by factors down to
   * e^-100, and one side empty: associative within reassociation rounding, the empty pool the
   * identity, commutative as declared.
   */
  @Test
  void softmaxPoolsAreAssociativeAndCommutativeWithTheEmptyOneAsIdentity() {
    List<SoftmaxPool> samples = IntStream.range(0, 4).mapToObj(i -> new SoftmaxPool(
        random.doubles(3, -50, 50).toArray(), random.doubles(3, 1, 100).toArray(),
        random.doubles(3 * 5, -1e3, 1e3).toArray())).toList();
    SemigroupLaws.of("SoftmaxPool.MERGE", SoftmaxPool.MERGE, (a, b) -> closeArrays(a.max(), b.max(), 0)
            && closeArrays(a.weight(), b.weight(), REASSOCIATION) && closeArrays(a.result(), b.result(), REASSOCIATION))
        .associative(samples).identity(SoftmaxPool.empty(3, 5), samples).commutativeAsDeclared(samples)
        .mergeAllIsTheLeftFold(samples);
  }

  /**
   * Pools of two stretches merged give the softmax over both, against a plain double evaluation:
   * logits far apart (one stretch's weights underflow entirely) included.
   */
  @Test
  void mergedSoftmaxPoolsAreTheSoftmaxOfTheWhole() {
    double[][] logits = {{3.0, -1.0, 700.0}, {2.5, 0.0}, {-800.0, 1.0}};
    double[][] values = {{1, 2, 3}, {4, 5}, {6, 7}};
    SoftmaxPool merged = SoftmaxPool.empty(1, 1);
    double maxAll = Double.NEGATIVE_INFINITY;
    for (double[] stretch : logits) {
      for (double s : stretch) {
        maxAll = Math.max(maxAll, s);
      }
    }
    double weight = 0;
    double weighted = 0;
    for (int c = 0; c < logits.length; c++) {
      double m = Double.NEGATIVE_INFINITY;
      for (double s : logits[c]) {
        m = Math.max(m, s);
      }
      double l = 0;
      double u = 0;
      for (int j = 0; j < logits[c].length; j++) {
        l += Math.exp(logits[c][j] - m);
        u += Math.exp(logits[c][j] - m) * values[c][j];
        weight += Math.exp(logits[c][j] - maxAll);
        weighted += Math.exp(logits[c][j] - maxAll) * values[c][j];
      }
      merged = SoftmaxPool.MERGE.merge(merged, new SoftmaxPool(new double[] {m}, new double[] {l}, new double[] {u}));
    }
    assertEquals(weighted / weight, merged.result()[0], 1e-15);
    assertEquals(3.0, merged.result()[0], 1e-12, "the logit 700 dominates everything else");
    assertEquals(null, SoftmaxPool.empty(2, 3).result(), "no positions, no pool");
  }

  @Test
  void sequenceKeysConcatenateInOrderOnly() {
    int[] tokens = random.ints(40, 0, 64).toArray();
    SequenceKeys a = new SequenceKeys(0, java.util.Arrays.copyOfRange(tokens, 0, 7));
    SequenceKeys b = new SequenceKeys(7, java.util.Arrays.copyOfRange(tokens, 7, 8));
    SequenceKeys c = new SequenceKeys(8, java.util.Arrays.copyOfRange(tokens, 8, 40));
    ExactSoftmax softmax = ExactSoftmax.of(model(FeatureMaps.ELU, false).config());
    MixerKernel<SequenceKeys> kernel = softmax.newKernel(model(FeatureMaps.ELU, false));
    SemigroupLaws.of("SequenceKeys.CONCATENATION", softmax.semigroup(), SequenceKeys::equals)
        .associativeInOrder(a, b, c).splitMerge(kernel::summarize, tokens, 7, 8, 39);
    assertThrows(IllegalArgumentException.class, () -> SequenceKeys.CONCATENATION.merge(b, a),
        "stretches that do not follow each other do not concatenate");
  }

  /** Positioned summaries added in any order, and in two folds merged, give the in-order left fold exactly. */
  @Test
  void chunkOrderFoldIsTheInOrderFoldWhateverTheArrivalOrder() {
    List<Summary> chunks = summaries(true, true);
    Summary inOrder = Summary.MERGE.mergeAll(chunks);
    List<SummaryCodec.Positioned> positioned = new ArrayList<>();
    long start = 0;
    for (Summary s : chunks) {
      positioned.add(new SummaryCodec.Positioned("fp", start, s));
      start += s.tokens();
    }
    for (long seed = 0; seed < 20; seed++) {
      List<SummaryCodec.Positioned> shuffled = new ArrayList<>(positioned);
      Collections.shuffle(shuffled, new java.util.Random(seed));
      ChunkOrderFold left = new ChunkOrderFold();
      ChunkOrderFold right = new ChunkOrderFold();
      int split = (int) (seed % (shuffled.size() + 1));
      shuffled.subList(0, split).forEach(left::add);
      shuffled.subList(split, shuffled.size()).forEach(right::add);
      left.addAll(right);
      Summary folded = left.result().summary();
      assertEquals(inOrder.tokens(), folded.tokens());
      assertArrayEquals(inOrder.s(), folded.s(), "order " + shuffled.stream().map(p -> p.start()).toList());
      assertArrayEquals(inOrder.z(), folded.z());
      assertArrayEquals(inOrder.logScale(), folded.logScale());
    }
  }
}
