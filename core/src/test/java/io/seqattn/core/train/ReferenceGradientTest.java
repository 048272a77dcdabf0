package io.seqattn.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
 * The trainer's gradients against PyTorch autograd on the reference module, an implementation
 * that shares no code with this one: for every case of {@code scripts/reference/make_gradients.py}
 * — L = 1, 2; elu, relu and identity maps; RoPE; z and no normalizer; output norm and gate;
 * SwiGLU, GELU and no FFN; RMSNorm and LayerNorm; a pooling head; DNA and document ids with absent
 * positions — the loss and the gradient of every tensor, with the 1,100 ids cut into 1, 5 and 8
 * chunks.
 */
class ReferenceGradientTest {
  static final Path CASES = Path.of("src/test/resources/gradients");
  static final String GENERATOR = "../scripts/reference/make_gradients.py";

  /** Float64 on both sides: only the order of the sums differs (measured: below 1e-12). */
  static final double DOUBLE_ERROR = 1e-10;
  /** The bound for float32 training, per tensor (measured: 1e-7 … 1e-6). */
  static final double FLOAT_ERROR = 1e-4;
  /** 1 chunk, 5 chunks of 256, 8 chunks of 157 (the last one of 1). */
  static final int[] CHUNKS = {1100, 256, 157};

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> all = new ArrayList<>();
    for (String name : caseNames()) {
      for (int chunk : CHUNKS) {
        all.add(Arguments.of(name, chunk));
      }
    }
    return all.stream();
  }

  static List<String> caseNames() throws IOException {
    return ReferenceCases.names(CASES);
  }

  /** A case as the trainer reads it. */
  record Case(StackModel model, Classifier classifier, Map<String, float[]> tensors, int[] ids, int label) {
    static Case load(String name) throws IOException {
      Path dir = CASES.resolve(name);
      StackModel model = StackDirectory.load(dir.resolve("model"));
      float[] w = Npy.read(dir.resolve("classifier.weight.npy")).floats();
      float[] b = Npy.read(dir.resolve("classifier.bias.npy")).floats();
      Map<String, float[]> tensors = new LinkedHashMap<>(model.tensors());
      tensors.put(Classifier.WEIGHT, w);
      tensors.put(Classifier.BIAS, b);
      Classifier classifier = new Classifier(model.config().embeddingDim(), b.length, w, b);
      int[] ids = Arrays.stream(Files.readString(dir.resolve("ids.txt"), StandardCharsets.US_ASCII).trim()
          .split(" ")).mapToInt(Integer::parseInt).toArray();
      int label = Integer.parseInt(Files.readString(dir.resolve("label.txt"), StandardCharsets.US_ASCII).trim());
      return new Case(model, classifier, tensors, ids, label);
    }

    SequenceGradient.Result run(int chunk, DataType type) {
      return new SequenceGradient(model.config(), model.tensors(), classifier, type).classify(ids, chunk, label);
    }
  }

  @Test
  void everyCaseOfTheGeneratorIsCheckedIn() throws IOException {
    assertEquals(9, caseNames().size(), "cases in " + CASES);
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
    SequenceGradient.Result result = c.run(chunk, type);
    Path expected = CASES.resolve(name).resolve("expected");
    assertRelative(Npy.read(expected.resolve("loss.npy")).doubles(), new double[] {result.loss()}, bound,
        name + ": loss");
    assertRelative(Npy.read(expected.resolve("logits.npy")).doubles(), result.logits(), bound, name + ": logits");
    for (String tensor : c.tensors.keySet()) {
      double[] want = Npy.read(expected.resolve("grad").resolve(tensor + ".npy")).doubles();
      double[] got = result.gradients().get(tensor);
      assertNotNull(got, name + ": no gradient for " + tensor);
      assertRelative(want, got, bound, name + ": gradient of " + tensor);
    }
    assertEquals(c.tensors.keySet(), result.gradients().names(), name + ": gradients of exactly the tensors");
  }

  /** ‖got − want‖ ≤ bound·‖want‖, per tensor. */
  static void assertRelative(double[] want, double[] got, double bound, String what) {
    ReferenceCases.assertRelative(want, got, bound, what);
  }

  /**
   * The golden files cannot drift from the reference: with Debian's python3-torch installed they
   * are regenerated, inputs byte for byte, expectations to 1e-9 (torch's and BLAS's summation
   * order).
   */
  @Test
  void theCheckedInCasesAreWhatTheReferenceWritesToday(@TempDir Path tmp) throws Exception {
    assumeTrue(ReferenceCases.torchInstalled(), "Debian's python3-torch and python3-numpy are not installed");
    ReferenceCases.assertRegenerated(CASES, GENERATOR, tmp, 1e-9);
  }
}
