package io.seqattn.core.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.network.SequenceAttention;
import io.seqattn.core.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deep stacks through the chunked ND4J kernels equal the double-precision oracle
 * ({@link StackOracle}, docs/model-format-2.md evaluated token by token): final outputs, every
 * layer's state and the embedding, for 1, 2 and 4 layers and every mixer, gate, normalizer, RoPE,
 * output norm and gate, FFN and norm variant, on sequences of at least four chunks whose last
 * chunk is short and whose chunk size is not a multiple of the causal block.
 */
class StackKernelTest {
  /**
   * float32 inside a chunk against double throughout: each GEMM and norm rounds at ~6e-8 relative,
   * a few dozen of them per layer, with no cancellation in these well-conditioned random models; the
   * relative (Frobenius) error of the outputs is measured at 9e-8 … 4e-7. 1e-5 is the format's published bound; a
   * wrong gate, rotation, normalizer or merge is off by 1e-2 and more.
   */
  static final double ALLOWED = 1e-5;
  static final int D = 16;
  static final int CHUNK = 100;
  static final int TOKENS = 437;

  record Variant(String name, StackConfig config) {
    @Override
    public String toString() {
      return name;
    }
  }

  static AttentionSpec attention(FeatureMap map, boolean causal, GateSpec gate) {
    return new AttentionSpec(2, 8, 8, map, map.usesOmega() ? 16 : 0, 1.0, false, true, 1e-6, causal, gate, null,
        false);
  }

  static AttentionSpec with(AttentionSpec a, boolean rope, boolean normalizedByZ, NormSpec outputNorm, boolean outputGate) {
    return new AttentionSpec(a.heads(), a.dKey(), a.dValue(), a.featureMap(), a.features(), a.queryScale(), rope,
        normalizedByZ, a.eps(), a.causal(), a.gate(), outputNorm, outputGate);
  }

  static StackConfig stack(int layers, AttentionSpec mixer, FfnSpec ffn, NormSpec norm) {
    List<BlockSpec> blocks = new ArrayList<>(Collections.nCopies(layers, new BlockSpec(norm, mixer, ffn)));
    return new StackConfig(TokenizerSpec.dna(3, 1), D, Positional.SINUSOIDAL, blocks, NormSpec.rms(1e-6), 0);
  }

  static Stream<Variant> variants() {
    NormSpec rms = NormSpec.rms(1e-6);
    FfnSpec swiglu = new FfnSpec(FfnSpec.Kind.SWIGLU, 32);
    AttentionSpec causalElu = attention(FeatureMaps.ELU, true, new GateSpec.None());
    AttentionSpec gla = attention(FeatureMaps.IDENTITY, true, new GateSpec.Gla(4, 16.0));
    return Stream.of(
        new Variant("L=1 causal elu", stack(1, causalElu, swiglu, rms)),
        new Variant("L=2 causal elu", stack(2, causalElu, swiglu, rms)),
        new Variant("L=4 causal elu", stack(4, causalElu, swiglu, rms)),
        new Variant("L=2 global elu", stack(2, attention(FeatureMaps.ELU, false, new GateSpec.None()), swiglu, rms)),
        new Variant("L=2 global relu, gelu", stack(2, attention(FeatureMaps.RELU, false, new GateSpec.None()),
            new FfnSpec(FfnSpec.Kind.GELU, 24), rms)),
        new Variant("L=2 global favor+", stack(2, attention(FeatureMaps.FAVOR_PLUS, false, new GateSpec.None()), swiglu,
            rms)),
        new Variant("L=2 causal favor+, constant gate", stack(2, attention(FeatureMaps.FAVOR_PLUS, true,
            new GateSpec.Constant(new double[] {0.99, 0.9})), swiglu, rms)),
        new Variant("L=2 causal elu, constant gate", stack(2, attention(FeatureMaps.ELU, true,
            new GateSpec.Constant(new double[] {0.999, 0.8})), swiglu, rms)),
        new Variant("L=2 GLA, no normalizer, output norm and gate", stack(2, with(gla, false, false,
            NormSpec.rms(1e-5), true), swiglu, rms)),
        new Variant("L=4 GLA", stack(4, with(gla, false, false, NormSpec.rms(1e-5), true), swiglu, rms)),
        new Variant("L=2 scalar gate, elu", stack(2, attention(FeatureMaps.ELU, true, new GateSpec.Scalar()), swiglu,
            rms)),
        new Variant("L=2 scalar gate, identity, no normalizer", stack(2, with(attention(FeatureMaps.IDENTITY, true,
            new GateSpec.Scalar()), false, false, null, false), swiglu, rms)),
        new Variant("L=2 causal RoPE elu", stack(2, with(causalElu, true, true, null, false), swiglu, rms)),
        new Variant("L=2 global RoPE elu", stack(2, with(attention(FeatureMaps.ELU, false, new GateSpec.None()), true,
            true, null, false), swiglu, rms)),
        new Variant("L=2 GLA with RoPE", stack(2, with(gla, true, false, null, false), swiglu, rms)),
        new Variant("L=2 layernorm, no FFN", stack(2, causalElu, null, new NormSpec(NormSpec.Kind.LAYERNORM, 1e-5))),
        new Variant("L=1 no final norm, head", new StackConfig(TokenizerSpec.dna(3, 1), D, Positional.NONE,
            List.of(new BlockSpec(rms, causalElu, swiglu)), null, 5)));
  }

  static int[] tokens(long seed, boolean absent) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = r.ints(TOKENS, 0, 65).toArray();
    if (absent) {
      for (int i = 50; i < 58; i++) {
        t[i] = Tokenizer.ABSENT;
      }
      t[250] = Tokenizer.ABSENT;
    }
    return t;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void chunkedKernelsEqualTheOracle(Variant v) {
    StackModel model = StackInitializer.random(v.config(), 11);
    check(model, tokens(3, false), v.name());
  }

  @Test
  void absentPositionsHaveNoKeyAndNoOutput() {
    StackConfig config = stack(2, attention(FeatureMaps.ELU, true, new GateSpec.Gla(4, 16.0)),
        new FfnSpec(FfnSpec.Kind.SWIGLU, 32), NormSpec.rms(1e-6));
    check(StackInitializer.random(config, 5), tokens(4, true), "absent positions");
  }

  /** Gates near 0 (GLA pre-activations of −60) stay finite and exact: the per-dimension fallback. */
  @Test
  void gatesNearZeroStayExact() {
    AttentionSpec gla = attention(FeatureMaps.IDENTITY, true, new GateSpec.Gla(4, 1.0));
    StackModel model = StackInitializer.random(stack(1, with(gla, false, false, null, false), null,
        NormSpec.rms(1e-6)), 2);
    java.util.Map<String, float[]> tensors = new java.util.LinkedHashMap<>(model.tensors());
    float[] b = tensors.get("layers.0.mixer.gate.b").clone();
    java.util.Arrays.fill(b, -60f); // log α ≈ −60 per position: e^(−G) overflows float within one block
    tensors.put("layers.0.mixer.gate.b", b);
    check(new StackModel(model.config(), tensors), tokens(9, false), "gates near 0");
  }

  private static void check(StackModel model, int[] tokens, String what) {
    StackOracle.Result oracle = StackOracle.run(model, tokens);
    SequenceAttention run = SequenceAttention.of(new StackNetwork(model), CHUNK);
    float[] out = run.outputs(tokens);
    assertRelative(oracle.output(), out, what + ": outputs");
    List<Object> states = run.totals(tokens);
    for (int l = 0; l < model.config().depth(); l++) {
      Summary s = (Summary) states.get(l);
      double[][] unscaled = s.unscaled();
      double[][] expected = oracle.states()[l][0];
      double[] flatS = new double[unscaled[0].length];
      double[] flatZ = new double[unscaled[1].length];
      int at = 0;
      for (double[] head : expected) {
        System.arraycopy(head, 0, flatS, at, head.length);
        at += head.length;
      }
      at = 0;
      for (double[] head : oracle.states()[l][1]) {
        System.arraycopy(head, 0, flatZ, at, head.length);
        at += head.length;
      }
      assertRelative(flatS, unscaled[0], what + ": layer " + l + " S");
      assertRelative(flatZ, unscaled[1], what + ": layer " + l + " z");
    }
    float[] embedding = run.embedding(tokens);
    assertEquals(oracle.embedding().length, embedding.length);
    double[] e = new double[embedding.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = embedding[i];
    }
    assertRelative(oracle.embedding(), e, what + ": embedding");
  }

  static void assertRelative(double[][] expected, float[] actual, String what) {
    int width = expected[0].length;
    double diff = 0;
    double norm = 0;
    for (int t = 0; t < expected.length; t++) {
      for (int i = 0; i < width; i++) {
        double x = expected[t][i];
        double y = actual[t * width + i];
        if (Double.isNaN(x)) {
          assertTrue(Double.isNaN(y), what + ": position " + t + " must be NaN (absent)");
          continue;
        }
        diff += (x - y) * (x - y);
        norm += x * x;
      }
    }
    double rel = Math.sqrt(diff / norm);
    assertTrue(rel <= ALLOWED, what + ": relative error " + rel);
  }

  static void assertRelative(double[] expected, double[] actual, String what) {
    ReferenceConformanceTest.assertRelative(expected, actual, ALLOWED, what);
  }
}
