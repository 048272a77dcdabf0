package io.seqattn.job.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.io.Npy;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.core.stack.StackModel;
import io.seqattn.core.train.AdamW;
import io.seqattn.core.train.Classifier;
import io.seqattn.core.train.MiniBatchTrainer;
import io.seqattn.core.train.Evaluation;
import io.seqattn.core.train.ParameterStore;
import io.seqattn.core.train.TrainSettings;
import io.seqattn.job.input.Storage;
import io.seqattn.job.report.TrainingReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * One run of {@code seqattn train --task classify}: labelled documents read and tokenized by
 * Spark tasks, split into training and held-out sequences (stratified, seeded), a model
 * initialized (from a model directory or a config) or resumed from the newest checkpoint, and
 * {@link MiniBatchTrainer}'s steps with per-sequence gradients from Spark tasks; after every
 * epoch an evaluation on the held-out sequences and a checkpoint (also every
 * {@code checkpointEvery} steps); the final model and {@code train.json} at the end.
 */
public final class TrainingRun {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What the command line asks for. {@code maxTokens} > 0 keeps only every document's first
   * tokens, for training and evaluation alike (what a trainer that truncates sees); 0 keeps
   * whole documents.
   */
  public record Options(LabelledDocuments.Fields fields, Path out, Path init, Path config, long initSeed,
      TrainSettings settings, HeldOutSplit heldOut, int maxTokens, int checkpointEvery, boolean resume,
      int partitions, PrintStream progress) {}

  /**
   * The run's end: steps taken, the last evaluation, where the model is, and the held-out accuracy
   * of TF-IDF + logistic regression on the same split and the same (truncated) documents (NaN when
   * nothing is held out).
   */
  public record Outcome(long steps, Evaluation evaluation, Path model, double baseline) {}

  /** A document's place, label and a digest of its tokens: the driver's view of the data. */
  private record Meta(int index, String label, String digest) implements java.io.Serializable {}

  private final SparkSession spark;
  private final Options o;

  public TrainingRun(SparkSession spark, Options options) {
    this.spark = spark;
    this.o = options;
  }

  public Outcome run() throws IOException {
    Path checkpoint = prepareOutput();
    StackModel initial = initialModel(checkpoint);
    StackConfig config = initial.config();
    JavaRDD<LabelledDocuments.Example> read = truncated(LabelledDocuments.read(spark, o.fields(), config.tokenizer()),
        o.maxTokens());
    // each example carries its index, so how they are spread changes which task computes what, never a bit
    JavaRDD<LabelledDocuments.Example> all = (o.partitions() > 0 ? read.repartition(o.partitions()) : read)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<Meta> meta = new ArrayList<>(all.map(e -> new Meta(e.index(), e.label(), digest(e.ids())))
        .collect());
    meta.sort(java.util.Comparator.comparingInt(Meta::index)); // the order of the file, not of the partitions
    if (meta.isEmpty()) {
      throw new TrainingException(o.fields().input() + ": no records");
    }
    List<String> classes = new ArrayList<>(new TreeSet<>(meta.stream().map(Meta::label).toList()));
    if (classes.size() < 2) {
      throw new TrainingException(o.fields().input() + ": every record has label '" + classes.get(0) + "' in field '"
          + o.fields().label() + "': a classifier needs at least 2 classes");
    }
    Map<String, Integer> classIndex = new HashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      classIndex.put(classes.get(i), i);
    }
    boolean[] held = o.heldOut().heldOut(meta.stream().map(Meta::label).toList(), o.settings().seed(),
        o.fields().input());
    int[] trainIndex = new int[meta.size()];
    int trainCount = 0;
    for (int i = 0; i < meta.size(); i++) {
      trainIndex[i] = held[i] ? -1 : trainCount++;
    }
    String fingerprint = fingerprint(meta, held);
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int[] mapping = trainIndex;
    JavaRDD<LabelledDocuments.Example> train = all.filter(e -> mapping[e.index()] >= 0)
        .map(e -> new LabelledDocuments.Example(mapping[e.index()], e.line(), e.id(), e.ids(), e.label()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<LabelledDocuments.Example> heldOut = all.filter(e -> mapping[e.index()] < 0)
        .persist(StorageLevel.MEMORY_AND_DISK());
    train.count();
    heldOut.count();
    all.unpersist();

    ParameterStore params = parameters(initial, classes.size(), checkpoint);
    AdamW optimizer = new AdamW(o.settings());
    ObjectNode log = newLog(classes, trainCount, meta.size() - trainCount);
    Checkpoint.State state0 = new Checkpoint.State(0, settingsJson(o.settings()), fingerprint, classes,
        o.fields().label(), Checkpoint.Head.CLASSIFIER);
    long first = 1;
    if (checkpoint != null) {
      long done = checkResumable(checkpoint, state0);
      Checkpoint.restore(checkpoint, params, optimizer, done);
      log = (ObjectNode) Checkpoint.readLog(checkpoint);
      first = done + 1;
    }
    MiniBatchTrainer trainer = new MiniBatchTrainer(o.settings(), params, optimizer, trainCount);
    SparkBatchGradients gradients = new SparkBatchGradients(context, train, config, classIndex,
        o.settings().chunkSize());
    long total = trainer.totalSteps();
    int perEpoch = o.settings().stepsPerEpoch(trainCount);
    Evaluation last = null;
    long started = System.nanoTime();
    for (long t = first; t <= total; t++) {
      long stepStart = System.nanoTime();
      MiniBatchTrainer.StepLog step = step(trainer, t, gradients, o.out());
      double seconds = (System.nanoTime() - stepStart) / 1e9;
      appendStep(log, step, seconds);
      double elapsed = (System.nanoTime() - started) / 1e9;
      long remaining = total - t;
      o.progress().printf(Locale.ROOT, "seqattn: train: step %d/%d (epoch %d/%d) loss %.4f lr %.2e %,.0f tokens/s "
              + "ETA %s%n", t, total, step.epoch() + 1, o.settings().epochs(), step.loss(), step.learningRate(),
          step.tokens() / seconds, eta(elapsed / (t - first + 1) * remaining));
      boolean epochEnd = t % perEpoch == 0;
      if (epochEnd) {
        last = evaluate(heldOut, config, params, classIndex);
        appendEvaluation(log, step, last);
        if (last.sequences() > 0) {
          o.progress().printf(Locale.ROOT, "seqattn: train: epoch %d: held-out loss %.4f, accuracy %.3f (%d "
              + "sequences)%n", step.epoch() + 1, last.loss(), last.accuracy(), last.sequences());
        }
      }
      if (epochEnd || (o.checkpointEvery() > 0 && t % o.checkpointEvery() == 0)) {
        Checkpoint.State state = new Checkpoint.State(t, state0.settings(), fingerprint, classes, o.fields().label(),
            Checkpoint.Head.CLASSIFIER);
        Checkpoint.write(o.out(), config, params, optimizer, state, log);
        writeLog(o.out(), log);
      }
    }
    double baseline = Double.NaN;
    if (last != null && last.sequences() > 0) {
      baseline = BagOfWordsBaseline.accuracy(spark, o.fields(), held, o.maxTokens());
      log.putObject("baseline").put("method", BagOfWordsBaseline.describe(o.maxTokens()))
          .put("held_out_accuracy", baseline);
      o.progress().printf(Locale.ROOT, "seqattn: train: held-out accuracy %.3f; TF-IDF + logistic regression on the "
          + "same split: %.3f%n", last.accuracy(), baseline);
    }
    Path model = o.out().resolve("model");
    Path tmp = o.out().resolve("model.tmp");
    Checkpoint.deleteRecursively(tmp);
    Checkpoint.writeModel(tmp, config, params, new Checkpoint.State(total, state0.settings(), fingerprint, classes,
        o.fields().label(), Checkpoint.Head.CLASSIFIER));
    Checkpoint.deleteRecursively(model);
    Checkpoint.move(tmp, model);
    writeLog(o.out(), log);
    train.unpersist();
    heldOut.unpersist();
    return new Outcome(total, last, model, baseline);
  }

  private Path prepareOutput() throws IOException {
    return prepareOutput(o.out(), o.resume());
  }

  /** Refuses an output that holds something else; the checkpoint to resume, or null for a new run. */
  static Path prepareOutput(Path out, boolean resume) throws IOException {
    if (resume) {
      Path latest = Files.isDirectory(out) ? Checkpoint.latest(out) : null;
      if (latest == null) {
        throw new TrainingException(out + ": no checkpoint to resume (" + out.resolve("checkpoints")
            .resolve(Checkpoint.LATEST) + " is missing; drop --resume to start a run)");
      }
      return latest;
    }
    if (Files.exists(out)) {
      try (var entries = Files.list(out)) {
        if (entries.findAny().isPresent()) {
          throw new TrainingException(out + ": exists and is not empty (choose another --out, or --resume to "
              + "continue the run it holds)");
        }
      }
    }
    Files.createDirectories(out);
    return null;
  }

  private StackModel initialModel(Path checkpoint) throws IOException {
    return initialModel(checkpoint, o.init(), o.config(), o.initSeed());
  }

  /** The checkpoint's model, the init directory's, or seeded random weights for the config. */
  static StackModel initialModel(Path checkpoint, Path init, Path config, long seed) throws IOException {
    if (checkpoint != null) {
      return StackDirectory.load(checkpoint.resolve("model"));
    }
    if (init != null) {
      return StackDirectory.load(init);
    }
    return StackInitializer.random(StackConfigJson.read(config), seed);
  }

  /** Step t, or one line naming the step and the last good checkpoint when the loss or a weight diverged. */
  static MiniBatchTrainer.StepLog step(MiniBatchTrainer trainer, long t, MiniBatchTrainer.BatchGradients gradients,
      Path out) throws IOException {
    try {
      return trainer.step(t, gradients);
    } catch (MiniBatchTrainer.DivergedException e) {
      Path good = Checkpoint.latest(out);
      throw new TrainingException(e.getMessage() + ": training stopped (the last good checkpoint is "
          + (good == null ? "none" : good) + "; lower --learning-rate or raise --warmup-steps)");
    }
  }

  /** The weights: the model's, and a head from the init model directory when its classes match, else a new one. */
  private ParameterStore parameters(StackModel model, int classes, Path checkpoint) throws IOException {
    ParameterStore p = new ParameterStore();
    Map<String, int[]> shapes = model.config().tensorShapes();
    model.tensors().forEach((name, v) -> p.put(name, shapes.get(name), v));
    int width = model.config().embeddingDim();
    Classifier head = Classifier.random(width, classes, o.initSeed() + 1);
    Path headDir = o.init() == null || checkpoint != null ? null : o.init().resolve(Checkpoint.CLASSIFIER);
    if (headDir != null && Files.isRegularFile(headDir.resolve("weight.npy"))) {
      float[] w = Npy.read(headDir.resolve("weight.npy")).floats();
      float[] b = Npy.read(headDir.resolve("bias.npy")).floats();
      if (b.length == classes) {
        head = new Classifier(width, classes, w, b);
      }
    }
    p.put(Classifier.WEIGHT, new int[] {width, classes}, head.weight());
    p.put(Classifier.BIAS, new int[] {classes}, head.bias());
    return p;
  }

  private long checkResumable(Path checkpoint, Checkpoint.State now) throws IOException {
    return checkResumable(checkpoint, now, o.fields().input(), "fields, --eval-fraction and --max-tokens");
  }

  /** The checkpoint's step, after checking it belongs to this model, data and settings. */
  static long checkResumable(Path checkpoint, Checkpoint.State now, String input, String dataOptions)
      throws IOException {
    JsonNode state = Checkpoint.readState(checkpoint);
    Path file = checkpoint.resolve("state.json");
    if (!state.path("data_fingerprint").asText().equals(now.dataFingerprint())) {
      throw new TrainingException(file + ": the checkpoint was trained on other data (fingerprint "
          + state.path("data_fingerprint").asText() + ", " + input + " gives " + now.dataFingerprint()
          + ") (resume with the same --input, " + dataOptions + ", or start a new --out)");
    }
    JsonNode was = state.path("settings");
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) now.settings()::fields) {
      String before = was.path(field.getKey()).asText();
      if (!before.equals(field.getValue().asText())) {
        throw new TrainingException(file + ": the checkpoint was trained with --" + field.getKey().replace('_', '-')
            + " " + before + ", this run asks for " + field.getValue().asText() + " (resume with the options of the "
            + "run, or start a new --out)");
      }
    }
    return state.path("step").asLong();
  }

  /** Every document's first {@code maxTokens} tokens, or the documents as they are for 0. */
  private static JavaRDD<LabelledDocuments.Example> truncated(JavaRDD<LabelledDocuments.Example> read,
      int maxTokens) {
    return maxTokens == 0 ? read : read.map(e -> e.ids().length <= maxTokens ? e
        : new LabelledDocuments.Example(e.index(), e.line(), e.id(), Arrays.copyOf(e.ids(), maxTokens),
            e.label()));
  }

  private Evaluation evaluate(JavaRDD<LabelledDocuments.Example> heldOut, StackConfig config, ParameterStore params,
      Map<String, Integer> classIndex) {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    var weights = context.broadcast(params.floats());
    try {
      int chunk = o.settings().chunkSize();
      List<Evaluation.Scored> scored = heldOut
          .map(e -> new Tuple2<>(e.index(), new Evaluation.Scored(classIndex.get(e.label()),
              MiniBatchTrainer.logits(config, weights.value(), e.ids(), chunk))))
          .collect().stream().sorted(java.util.Comparator.comparing(Tuple2::_1)).map(Tuple2::_2).toList();
      return Evaluation.of(scored);
    } finally {
      weights.destroy();
    }
  }

  static String digest(int[] ids) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(ids.length * 4);
      buffer.asIntBuffer().put(ids);
      return HexFormat.of().formatHex(sha.digest(buffer.array()), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The data as trained: every record's tokens, label and side of the split, in order. */
  private static String fingerprint(List<Meta> meta, boolean[] held) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Meta m : meta) {
        sha.update((m.index() + "\t" + m.label() + "\t" + m.digest() + "\t" + held[m.index()] + "\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The settings as {@code train.json} and checkpoints record them. */
  public static ObjectNode settingsJson(TrainSettings s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("epochs", s.epochs());
    n.put("batch_size", s.batchSize());
    n.put("learning_rate", s.learningRate());
    n.put("min_learning_rate", s.minLearningRate());
    n.put("warmup_steps", s.warmupSteps());
    n.put("weight_decay", s.weightDecay());
    n.put("beta1", s.beta1());
    n.put("beta2", s.beta2());
    n.put("adam_eps", s.adamEps());
    n.put("clip_norm", s.clipNorm());
    n.put("seed", s.seed());
    n.put("chunk_size", s.chunkSize());
    return n;
  }

  private ObjectNode newLog(List<String> classes, int train, int heldOut) {
    ObjectNode log = JSON.createObjectNode();
    log.put("task", "classify");
    log.put("input", o.fields().input());
    log.put("label_field", o.fields().label());
    ArrayNode names = log.putArray("classes");
    classes.forEach(names::add);
    log.put("train_sequences", train);
    log.put("held_out_sequences", heldOut);
    log.put("held_out", o.heldOut().describe());
    if (o.heldOut().folds() == 0) {
      log.put("eval_fraction", o.heldOut().fraction());
    } else {
      log.put("folds", o.heldOut().folds()).put("fold", o.heldOut().fold() + 1);
    }
    log.put("max_tokens", o.maxTokens());
    log.set("settings", settingsJson(o.settings()));
    log.putArray("steps");
    log.putArray("evaluations");
    return log;
  }

  static void appendStep(ObjectNode log, MiniBatchTrainer.StepLog s, double seconds) {
    ((ArrayNode) log.get("steps")).addObject().put("step", s.step()).put("epoch", s.epoch() + 1).put("loss", s.loss())
        .put("learning_rate", s.learningRate()).put("gradient_norm", s.gradientNorm()).put("tokens", s.tokens())
        .put("seconds", seconds);
  }

  private static void appendEvaluation(ObjectNode log, MiniBatchTrainer.StepLog s, Evaluation e) {
    ObjectNode row = ((ArrayNode) log.get("evaluations")).addObject().put("step", s.step()).put("epoch", s.epoch() + 1)
        .put("sequences", e.sequences());
    if (e.sequences() > 0) {
      row.put("loss", e.loss()).put("accuracy", e.accuracy());
    }
  }

  /**
   * train.json, and report.html drawn from it, each replaced atomically. The page is a view of the
   * log: should drawing it fail, a warning says so and training goes on.
   */
  static void writeLog(Path out, JsonNode log) throws IOException {
    writeAtomically(out.resolve("train.json"), log);
    String html;
    try {
      html = TrainingReport.render(log);
    } catch (RuntimeException e) {
      System.err.println("seqattn: warning: " + out.resolve(TrainingReport.FILE) + " could not be drawn (" + e
          + "); train.json has the same numbers");
      return;
    }
    Storage.writeAtomically(out.resolve(TrainingReport.FILE).toString(), html.getBytes(StandardCharsets.UTF_8));
  }

  static void writeAtomically(Path file, JsonNode value) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), value);
    Checkpoint.move(tmp, file);
  }

  static String eta(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }
}
