package io.seqattn.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training against the reference module's own loop ({@code scripts/reference/make_training.py}:
 * PyTorch's AdamW and clip_grad_norm_, float64): twelve steps from the same initialization in the
 * same data order give the same losses; the same run twice gives the same bits; a run stopped
 * after five steps and continued from its weights and moments ends with the bits of one that was
 * not stopped.
 */
class ReferenceTrainingTest {
  static final Path CASE = Path.of("src/test/resources/training");
  /** The bound; measured: float32 compute against float64, about 1e-6. */
  static final double LOSS_ERROR = 1e-4;

  /** The case as the trainer reads it. */
  record Run(StackModel model, List<int[]> ids, int[] labels, TrainSettings settings, Map<String, int[]> shapes,
      Map<String, float[]> initial) {
    static Run load() throws IOException {
      StackModel model = StackDirectory.load(CASE.resolve("model"));
      List<int[]> ids = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      for (String line : Files.readAllLines(CASE.resolve("sequences.txt"), StandardCharsets.US_ASCII)) {
        int[] values = Arrays.stream(line.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        labels.add(values[0]);
        ids.add(Arrays.copyOfRange(values, 1, values.length));
      }
      JsonNode s = new ObjectMapper().readTree(CASE.resolve("settings.json").toFile());
      TrainSettings settings = new TrainSettings(s.get("epochs").asInt(), s.get("batch_size").asInt(),
          s.get("learning_rate").asDouble(), s.get("min_learning_rate").asDouble(), s.get("warmup_steps").asInt(),
          s.get("weight_decay").asDouble(), s.get("beta1").asDouble(), s.get("beta2").asDouble(),
          s.get("adam_eps").asDouble(), s.get("clip_norm").asDouble(), s.get("seed").asLong(),
          s.get("chunk_size").asInt());
      Map<String, int[]> shapes = new LinkedHashMap<>(model.config().tensorShapes());
      Map<String, float[]> initial = new LinkedHashMap<>(model.tensors());
      float[] w = Npy.read(CASE.resolve("classifier.weight.npy")).floats();
      float[] b = Npy.read(CASE.resolve("classifier.bias.npy")).floats();
      initial.put(Classifier.WEIGHT, w);
      initial.put(Classifier.BIAS, b);
      shapes.put(Classifier.WEIGHT, new int[] {model.config().embeddingDim(), b.length});
      shapes.put(Classifier.BIAS, new int[] {b.length});
      return new Run(model, ids, labels.stream().mapToInt(Integer::intValue).toArray(), settings, shapes, initial);
    }

    ParameterStore parameters() {
      ParameterStore p = new ParameterStore();
      initial.forEach((name, v) -> p.put(name, shapes.get(name), v));
      return p;
    }

    MiniBatchTrainer.BatchGradients local() {
      return (tensors, batch) -> {
        List<MiniBatchTrainer.SequenceResult> out = new ArrayList<>();
        for (int i : batch) {
          out.add(MiniBatchTrainer.sequence(model.config(), tensors, i, ids.get(i), labels[i], settings.chunkSize()));
        }
        return out;
      };
    }
  }

  @Test
  void twelveStepsGiveTheReferenceLoopsLosses() throws IOException {
    Run run = Run.load();
    double[] expected = Npy.read(CASE.resolve("expected/losses.npy")).doubles();
    ParameterStore params = run.parameters();
    MiniBatchTrainer trainer = new MiniBatchTrainer(run.settings, params, new AdamW(run.settings), run.ids.size());
    assertEquals(expected.length, trainer.totalSteps());
    for (int t = 1; t <= expected.length; t++) {
      double loss = trainer.step(t, run.local()).loss();
      assertEquals(expected[t - 1], loss, LOSS_ERROR * expected[t - 1], "step " + t);
    }
    assertTrue(expected[expected.length - 1] < 0.5 * expected[0], "the case must actually learn");
  }

  @Test
  void aStoppedAndContinuedRunEndsWithTheSameBits() throws IOException {
    Run run = Run.load();
    ParameterStore whole = run.parameters();
    MiniBatchTrainer one = new MiniBatchTrainer(run.settings, whole, new AdamW(run.settings), run.ids.size());
    for (int t = 1; t <= 12; t++) {
      one.step(t, run.local());
    }
    ParameterStore first = run.parameters();
    AdamW firstOptimizer = new AdamW(run.settings);
    MiniBatchTrainer before = new MiniBatchTrainer(run.settings, first, firstOptimizer, run.ids.size());
    for (int t = 1; t <= 5; t++) {
      before.step(t, run.local());
    }
    // what a checkpoint holds: the weights, the moments, the step count
    ParameterStore resumed = new ParameterStore();
    for (String name : first.names()) {
      resumed.put(name, first.shape(name), first.values(name).clone());
    }
    AdamW resumedOptimizer = new AdamW(run.settings);
    resumedOptimizer.restore(firstOptimizer.step(), deepCopy(firstOptimizer.firstMoments()),
        deepCopy(firstOptimizer.secondMoments()));
    MiniBatchTrainer after = new MiniBatchTrainer(run.settings, resumed, resumedOptimizer, run.ids.size());
    for (int t = 6; t <= 12; t++) {
      after.step(t, run.local());
    }
    for (String name : whole.names()) {
      assertArrayEquals(whole.values(name), resumed.values(name), name);
    }
    assertThrows(IllegalStateException.class, () -> after.step(12, run.local()));
  }

  private static Map<String, double[]> deepCopy(Map<String, double[]> m) {
    Map<String, double[]> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  @Test
  void theCheckedInCaseIsWhatTheReferenceWritesToday(@TempDir Path tmp) throws Exception {
    assumeTrue(ReferenceCases.torchInstalled(), "Debian's python3-torch and python3-numpy are not installed");
    Path fresh = tmp.resolve("training");
    assertEquals(0, ReferenceCases.python("../scripts/reference/make_training.py", fresh.toString()));
    try (var files = Files.walk(CASE)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path regenerated = fresh.resolve(CASE.relativize(file).toString());
        if (file.endsWith(Path.of("expected", "losses.npy"))) {
          ReferenceCases.assertRelative(Npy.read(file).doubles(), Npy.read(regenerated).doubles(), 1e-9, "losses");
        } else {
          assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(regenerated), file + " differs");
        }
      }
    }
  }
}
