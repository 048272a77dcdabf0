package io.seqattn.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.seqattn.core.io.Npy;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackModel;
import io.seqattn.core.testing.ReferenceCases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The language-model loss and its gradients against PyTorch autograd on the reference module:
 * for every case of {@code scripts/reference/make_lm_gradients.py} — causal stacks with no gate,
 * constant and scalar gates, L = 1, 2, next base after DNA 3-mers and next word id, absent
 * positions — the mean −log p, log p at every position and the gradient of every tensor, with
 * the 1,100 ids cut into 1, 5 and 8 chunks; and the targets, which both sides derive on their own.
 */
class ReferenceNextTokenTest {
  static final Path CASES = Path.of("src/test/resources/lm-gradients");
  static final String GENERATOR = "../scripts/reference/make_lm_gradients.py";
  static final double DOUBLE_ERROR = 1e-10;
  static final double FLOAT_ERROR = 1e-4;
  static final int[] CHUNKS = {1100, 256, 157};

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> all = new ArrayList<>();
    for (String name : ReferenceCases.names(CASES)) {
      for (int chunk : CHUNKS) {
        all.add(Arguments.of(name, chunk));
      }
    }
    return all.stream();
  }

  /** A case as the trainer reads it. */
  record Case(StackModel model, NextTokenHead head, Map<String, float[]> tensors, int[] ids, int[] targets) {
    static Case load(String name) throws IOException {
      Path dir = CASES.resolve(name);
      StackModel model = StackDirectory.load(dir.resolve("model"));
      float[] w = Npy.read(dir.resolve("lm_head.weight.npy")).floats();
      float[] b = Npy.read(dir.resolve("lm_head.bias.npy")).floats();
      Map<String, float[]> tensors = new LinkedHashMap<>(model.tensors());
      tensors.put(NextTokenHead.WEIGHT, w);
      tensors.put(NextTokenHead.BIAS, b);
      NextTokenHead head = new NextTokenHead(model.config().dModel(), b.length, w, b);
      return new Case(model, head, tensors, ints(dir.resolve("ids.txt")), ints(dir.resolve("targets.txt")));
    }

    SequenceGradient.NextTokenResult run(int chunk, DataType type) {
      return new SequenceGradient(model.config(), model.tensors(), null, type).nextToken(ids, targets, chunk, head,
          true);
    }
  }

  private static int[] ints(Path file) throws IOException {
    return Arrays.stream(Files.readString(file, StandardCharsets.US_ASCII).trim().split(" "))
        .mapToInt(Integer::parseInt).toArray();
  }

  @Test
  void everyCaseOfTheGeneratorIsCheckedIn() throws IOException {
    assertEquals(3, ReferenceCases.names(CASES).size(), "cases in " + CASES);
  }

  @ParameterizedTest(name = "{0}, chunk {1}, double")
  @MethodSource("cases")
  void gradientsInDoubleEqualAutograd(String name, int chunk) throws IOException {
    check(name, chunk, DataType.DOUBLE, DOUBLE_ERROR);
  }

  @ParameterizedTest(name = "{0}, chunk {1}, float")
  @MethodSource("cases")
  void gradientsInFloatAreWithinTheBound(String name, int chunk) throws IOException {
    check(name, chunk, DataType.FLOAT, FLOAT_ERROR);
  }

  private static void check(String name, int chunk, DataType type, double bound) throws IOException {
    Case c = Case.load(name);
    SequenceGradient.NextTokenResult result = c.run(chunk, type);
    Path expected = CASES.resolve(name).resolve("expected");
    ReferenceCases.assertRelative(Npy.read(expected.resolve("loss.npy")).doubles(), new double[] {result.loss()},
        bound, name + ": loss");
    double[] wantLl = Npy.read(expected.resolve("log_likelihood.npy")).doubles();
    double[] gotLl = result.logLikelihood();
    for (int p = 0; p < wantLl.length; p++) {
      // the file holds 0 where there is no target; the trainer NaN
      assertEquals(c.targets[p] < 0, Double.isNaN(gotLl[p]), name + ": log p at " + p);
      if (c.targets[p] < 0) {
        gotLl[p] = 0;
      }
    }
    ReferenceCases.assertRelative(wantLl, gotLl, bound, name + ": log p per position");
    for (String tensor : c.tensors.keySet()) {
      double[] want = Npy.read(expected.resolve("grad").resolve(tensor + ".npy")).doubles();
      double[] got = result.gradients().get(tensor);
      assertNotNull(got, name + ": no gradient for " + tensor);
      ReferenceCases.assertRelative(want, got, bound, name + ": gradient of " + tensor);
    }
    assertEquals(c.tensors.keySet(), result.gradients().names(), name + ": gradients of exactly the tensors");
  }

  /** The targets the reference derived in Python are the ones NextTokenTargets derives. */
  @Test
  void theTargetsAreDerivedAlikeOnBothSides() throws IOException {
    for (String name : ReferenceCases.names(CASES)) {
      Case c = Case.load(name);
      int[] mine = name.contains("dna") ? NextTokenTargets.nextBase(c.ids, 3) : NextTokenTargets.nextToken(c.ids);
      assertArrayEquals(c.targets, mine, name);
    }
  }

  @Test
  void aGlobalMixerAndAnEmptySequenceAreRefusedByName() throws IOException {
    ReferenceGradientTest.Case global = ReferenceGradientTest.Case.load("l1-global-elu-swiglu");
    NextTokenHead head = NextTokenHead.random(16, 4, 1);
    SequenceGradient g = new SequenceGradient(global.model().config(), global.model().tensors(), null,
        DataType.FLOAT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.nextToken(global.ids(), NextTokenTargets.nextBase(global.ids(), 3), 256, head, true));
    assertTrue(e.getMessage().startsWith("layers.0.mixer is global: a language model needs causal mixers"),
        e.getMessage());
    Case c = Case.load("l1-causal-elu-dna");
    SequenceGradient causal = new SequenceGradient(c.model.config(), c.model.tensors(), null, DataType.FLOAT);
    int[] one = {5};
    e = assertThrows(IllegalArgumentException.class,
        () -> causal.nextToken(one, NextTokenTargets.nextBase(one, 3), 256, c.head, true));
    assertEquals("the sequence has no position with a next token to predict (1 ids)", e.getMessage());
  }

  @Test
  void theCheckedInCasesAreWhatTheReferenceWritesToday(@TempDir Path tmp) throws Exception {
    assumeTrue(ReferenceCases.torchInstalled(), "Debian's python3-torch and python3-numpy are not installed");
    ReferenceCases.assertRegenerated(CASES, GENERATOR, tmp, 1e-9);
  }
}
