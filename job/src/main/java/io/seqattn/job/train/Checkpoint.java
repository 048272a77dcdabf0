package io.seqattn.job.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackModel;
import io.seqattn.core.train.AdamW;
import io.seqattn.core.train.Classifier;
import io.seqattn.core.train.NextTokenHead;
import io.seqattn.core.train.ParameterStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training run's checkpoints under {@code OUT/checkpoints/}: each {@code step-NNNNNNNN/} holds
 * the model as a model directory ({@code model/}, loadable by every command, with the head in
 * {@code model/classifier/} or {@code model/lm_head/}), the optimizer ({@code optimizer/}: the master weights, both moments,
 * float64) and {@code state.json} (the step, the settings, the data's fingerprint, the classes).
 * A checkpoint is written under a temporary name and renamed into place, and {@code
 * OUT/checkpoints/latest} names the newest by an atomic rename too: a killed run leaves the last
 * complete checkpoint, never half of one. The two newest are kept.
 */
public final class Checkpoint {
  static final String LATEST = "latest";
  static final String CLASSIFIER = "classifier";

  /** The head a run trains: where the model directory keeps it, its tensors' names, its task. */
  public enum Head {
    CLASSIFIER(Checkpoint.CLASSIFIER, Classifier.WEIGHT, Classifier.BIAS, "classify"),
    NEXT_TOKEN("lm_head", NextTokenHead.WEIGHT, NextTokenHead.BIAS, "lm");

    final String dir;
    final String weight;
    final String bias;
    final String task;

    Head(String dir, String weight, String bias, String task) {
      this.dir = dir;
      this.weight = weight;
      this.bias = bias;
      this.task = task;
    }
  }
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What state.json records beside the tensors; {@code labelField} null for a language model. */
  public record State(long step, ObjectNode settings, String dataFingerprint, List<String> classes,
      String labelField, Head head) {}

  private Checkpoint() {}

  /** Writes step {@code state.step()}'s checkpoint and points {@code latest} at it. */
  static Path write(Path out, StackConfig config, ParameterStore params, AdamW optimizer, State state,
      JsonNode log) throws IOException {
    Path dir = out.resolve("checkpoints");
    Files.createDirectories(dir);
    String name = String.format(java.util.Locale.ROOT, "step-%08d", state.step());
    Path tmp = dir.resolve(name + ".tmp");
    deleteRecursively(tmp);
    Files.createDirectories(tmp);
    writeModel(tmp.resolve("model"), config, params, state);
    Path opt = tmp.resolve("optimizer");
    writeTensors(opt.resolve("params"), params, params::values);
    writeTensors(opt.resolve("m"), params, n -> optimizer.firstMoments().getOrDefault(n, new double[params.values(n)
        .length]));
    writeTensors(opt.resolve("v"), params, n -> optimizer.secondMoments().getOrDefault(n, new double[params.values(n)
        .length]));
    ObjectNode s = JSON.createObjectNode();
    s.put("step", state.step());
    s.put("optimizer_steps", optimizer.step());
    s.set("settings", state.settings());
    s.put("data_fingerprint", state.dataFingerprint());
    s.put("task", state.head().task);
    s.put("label_field", state.labelField());
    ArrayNode classes = s.putArray("classes");
    state.classes().forEach(classes::add);
    JSON.writeValue(tmp.resolve("state.json").toFile(), s);
    JSON.writeValue(tmp.resolve("train.json").toFile(), log);
    Path target = dir.resolve(name);
    deleteRecursively(target);
    move(tmp, target);
    Path pointer = dir.resolve(LATEST + ".tmp");
    Files.writeString(pointer, name + "\n");
    move(pointer, dir.resolve(LATEST));
    pruneAllBut(dir, 2);
    return target;
  }

  /** The model directory with its head (float32), as the final model and every checkpoint hold it. */
  static void writeModel(Path dir, StackConfig config, ParameterStore params, State state) throws IOException {
    Map<String, float[]> floats = params.floats();
    Map<String, float[]> model = new LinkedHashMap<>();
    for (String name : config.tensorShapes().keySet()) {
      model.put(name, floats.get(name));
    }
    StackDirectory.save(new StackModel(config, model), dir);
    Head kind = state.head();
    Path head = dir.resolve(kind.dir);
    Files.createDirectories(head);
    Npy.write(head.resolve("weight.npy"), NpyArray.ofFloats(floats.get(kind.weight), params.shape(kind.weight)));
    Npy.write(head.resolve("bias.npy"), NpyArray.ofFloats(floats.get(kind.bias), params.shape(kind.bias)));
    ObjectNode classes = JSON.createObjectNode();
    classes.put("task", kind.task);
    if (state.labelField() != null) {
      classes.put("label_field", state.labelField());
    }
    ArrayNode names = classes.putArray("classes");
    state.classes().forEach(names::add);
    JSON.writeValue(head.resolve("classes.json").toFile(), classes);
  }

  private interface Values {
    double[] of(String name);
  }

  private static void writeTensors(Path dir, ParameterStore params, Values values) throws IOException {
    Files.createDirectories(dir);
    for (String name : params.names()) {
      Npy.write(dir.resolve(name + ".npy"), NpyArray.ofDoubles(values.of(name), params.shape(name)));
    }
  }

  /** The newest complete checkpoint under OUT, or null when there is none. */
  static Path latest(Path out) throws IOException {
    Path pointer = out.resolve("checkpoints").resolve(LATEST);
    if (!Files.exists(pointer)) {
      return null;
    }
    Path dir = out.resolve("checkpoints").resolve(Files.readString(pointer).trim());
    if (!Files.isRegularFile(dir.resolve("state.json"))) {
      throw new TrainingException(pointer + ": names " + dir.getFileName() + ", which is not a complete checkpoint "
          + "(start a new --out)");
    }
    return dir;
  }

  /** A checkpoint's state.json. */
  static JsonNode readState(Path checkpoint) throws IOException {
    return JSON.readTree(checkpoint.resolve("state.json").toFile());
  }

  static JsonNode readLog(Path checkpoint) throws IOException {
    return JSON.readTree(checkpoint.resolve("train.json").toFile());
  }

  /** Restores the master weights and the optimizer's moments and step count of a checkpoint. */
  static void restore(Path checkpoint, ParameterStore params, AdamW optimizer, long steps) throws IOException {
    Path opt = checkpoint.resolve("optimizer");
    Map<String, double[]> m = new LinkedHashMap<>();
    Map<String, double[]> v = new LinkedHashMap<>();
    for (String name : new ArrayList<>(params.names())) {
      double[] p = read(opt.resolve("params").resolve(name + ".npy"), params.shape(name));
      System.arraycopy(p, 0, params.values(name), 0, p.length);
      m.put(name, read(opt.resolve("m").resolve(name + ".npy"), params.shape(name)));
      v.put(name, read(opt.resolve("v").resolve(name + ".npy"), params.shape(name)));
    }
    optimizer.restore(steps, m, v);
  }

  private static double[] read(Path file, int[] shape) throws IOException {
    if (!Files.exists(file)) {
      throw new TrainingException(file + ": missing from the checkpoint (it belongs to another model; start a new "
          + "--out)");
    }
    NpyArray a = Npy.read(file);
    if (!a.isDouble() || !java.util.Arrays.equals(a.shape(), shape)) {
      throw new TrainingException(file + ": " + a.dtype() + " " + java.util.Arrays.toString(a.shape())
          + ", expected float64 " + java.util.Arrays.toString(shape) + " (a checkpoint of another model; start a new "
          + "--out)");
    }
    return a.doubles();
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(to + ": the file system cannot rename atomically, which checkpoints need", e);
    }
  }

  private static void pruneAllBut(Path dir, int keep) throws IOException {
    List<Path> done;
    try (Stream<Path> all = Files.list(dir)) {
      done = all.filter(p -> p.getFileName().toString().matches("step-\\d{8}")).sorted().toList();
    }
    for (int i = 0; i < done.size() - keep; i++) {
      deleteRecursively(done.get(i));
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
