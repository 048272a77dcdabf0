package io.seqattn.job.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackModel;
import io.seqattn.core.train.AdamW;
import io.seqattn.core.train.MarkovBaseline;
import io.seqattn.core.train.MiniBatchTrainer;
import io.seqattn.core.train.NextTokenHead;
import io.seqattn.core.train.NextTokenTargets;
import io.seqattn.core.train.ParameterStore;
import io.seqattn.core.train.TrainSettings;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import io.seqattn.job.input.FastaReader;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.SequenceInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * One run of {@code seqattn train --task lm}: a DNA language model — causal stack, next-base head
 * — trained on the first part of every FASTA record and scored on the rest.
 *
 * <ul>
 *   <li>Each record's k-mer ids (the model's {@code dna} tokenizer, stride 1) are cut at
 *       (1 − eval fraction) of their length: the first part trains, the last part is held out,
 *       and no base is predicted on both sides.
 *   <li>Training sequences are the training parts cut into segments of {@code segment} tokens,
 *       each with its exact whole-segment gradient from a Spark task; {@link MiniBatchTrainer}
 *       sums a batch in batch order, so the weights do not depend on the partitioning.
 *   <li>After every epoch each held-out part is scored as one whole sequence by the streaming
 *       forward pass (memory bounded by a chunk), in bits per base; at the end order-1…8 Markov
 *       models counted on the same training bases are scored on the same held-out positions.
 * </ul>
 */
public final class GenomeLanguageModelRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The highest Markov order of the baseline (the k = 1 … 8). */
  static final int MARKOV_ORDERS = 8;

  /** What the command line asks for. */
  public record Options(Path input, Path out, Path init, Path config, long initSeed, TrainSettings settings,
      double evalFraction, int segment, int checkpointEvery, boolean resume, int partitions, PrintStream progress) {}

  /** The run's end: steps taken, the last held-out bits per base, the best Markov model's, where the model is. */
  public record Outcome(long steps, double bitsPerBase, MarkovBaseline.Score markov, Path model) {}

  /** A training segment or a held-out part: its index, where it comes from, its k-mer ids. */
  record Piece(int index, String seqId, long start, int[] ids) implements Serializable {}

  private final SparkSession spark;
  private final Options o;

  public GenomeLanguageModelRun(SparkSession spark, Options options) {
    this.spark = spark;
    this.o = options;
  }

  public Outcome run() throws IOException {
    Path checkpoint = TrainingRun.prepareOutput(o.out(), o.resume());
    StackModel initial = TrainingRun.initialModel(checkpoint, o.init(), o.config(), o.initSeed());
    StackConfig config = initial.config();
    TokenizerSpec tokenizer = config.tokenizer();
    if (tokenizer.type() != TokenizerSpec.Type.DNA || tokenizer.stride() != 1) {
      throw new TrainingException((o.config() != null ? o.config() : o.init() != null ? o.init() : checkpoint)
          + ": --task lm predicts the next base, so the model's tokenizer must be 'dna' with stride 1 (it is "
          + tokenizer.type().configName() + (tokenizer.type() == TokenizerSpec.Type.DNA ? " stride "
          + tokenizer.stride() : "") + ")");
    }
    int k = tokenizer.k();
    List<Piece> records = readRecords(tokenizer);
    List<int[]> trainParts = new ArrayList<>();
    List<Piece> heldOut = new ArrayList<>();
    List<Piece> segments = new ArrayList<>();
    for (Piece r : records) {
      int cut = (int) Math.round((1 - o.evalFraction()) * r.ids().length);
      int[] train = Arrays.copyOfRange(r.ids(), 0, cut);
      trainParts.add(train);
      if (cut < r.ids().length) {
        heldOut.add(new Piece(heldOut.size(), r.seqId(), cut, Arrays.copyOfRange(r.ids(), cut, r.ids().length)));
      }
      for (int from = 0; from + 1 < cut; from += o.segment()) {
        // a last piece of one token predicts nothing: it is left out, nothing is lost
        segments.add(new Piece(segments.size(), r.seqId(), from, Arrays.copyOfRange(train, from,
            Math.min(cut, from + o.segment()))));
      }
    }
    if (segments.isEmpty()) {
      throw new TrainingException(o.input() + ": the training part of every record is shorter than 2 tokens: "
          + "nothing to learn from (lower --eval-fraction, or use longer sequences)");
    }
    String fingerprint = fingerprint(records, o.evalFraction(), o.segment());
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = o.partitions() > 0 ? o.partitions() : context.defaultParallelism();
    JavaRDD<Piece> train = context.parallelize(segments, Math.min(slices, segments.size()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<Piece> held = heldOut.isEmpty() ? null : context.parallelize(heldOut, Math.min(slices, heldOut.size()))
        .persist(StorageLevel.MEMORY_AND_DISK());

    ParameterStore params = parameters(initial);
    AdamW optimizer = new AdamW(o.settings());
    List<String> classes = List.of(NextTokenTargets.BASES);
    ObjectNode log = newLog(records, segments.size(), heldOut, k);
    Checkpoint.State state0 = new Checkpoint.State(0, settings(), fingerprint, classes, null,
        Checkpoint.Head.NEXT_TOKEN);
    long first = 1;
    if (checkpoint != null) {
      long done = TrainingRun.checkResumable(checkpoint, state0, o.input().toString(),
          "--eval-fraction and --segment");
      Checkpoint.restore(checkpoint, params, optimizer, done);
      log = (ObjectNode) Checkpoint.readLog(checkpoint);
      first = done + 1;
    }
    MiniBatchTrainer trainer = new MiniBatchTrainer(o.settings(), params, optimizer, segments.size());
    MiniBatchTrainer.BatchGradients gradients = gradients(context, train, config, k, o.settings().chunkSize());
    long total = trainer.totalSteps();
    int perEpoch = o.settings().stepsPerEpoch(segments.size());
    double bits = Double.NaN;
    long started = System.nanoTime();
    for (long t = first; t <= total; t++) {
      long stepStart = System.nanoTime();
      MiniBatchTrainer.StepLog step = TrainingRun.step(trainer, t, gradients, o.out());
      double seconds = (System.nanoTime() - stepStart) / 1e9;
      TrainingRun.appendStep(log, step, seconds);
      double elapsed = (System.nanoTime() - started) / 1e9;
      o.progress().printf(Locale.ROOT, "seqattn: train: step %d/%d (epoch %d/%d) loss %.4f (%.4f bits/base) lr "
              + "%.2e %,.0f bases/s ETA %s%n", t, total, step.epoch() + 1, o.settings().epochs(), step.loss(),
          step.loss() / Math.log(2), step.learningRate(), step.tokens() / seconds,
          TrainingRun.eta(elapsed / (t - first + 1) * (total - t)));
      boolean epochEnd = t % perEpoch == 0;
      if (epochEnd && held != null) {
        long[] count = new long[1];
        bits = evaluate(held, config, params, k, count);
        ((ArrayNode) log.get("evaluations")).addObject().put("step", t).put("epoch", step.epoch() + 1)
            .put("bases", count[0]).put("bits_per_base", bits);
        o.progress().printf(Locale.ROOT, "seqattn: train: epoch %d: held-out %.4f bits/base over %,d bases%n",
            step.epoch() + 1, bits, count[0]);
      }
      if (epochEnd || (o.checkpointEvery() > 0 && t % o.checkpointEvery() == 0)) {
        Checkpoint.State state = new Checkpoint.State(t, state0.settings(), fingerprint, classes, null,
            Checkpoint.Head.NEXT_TOKEN);
        Checkpoint.write(o.out(), config, params, optimizer, state, log);
        TrainingRun.writeLog(o.out(), log);
      }
    }
    MarkovBaseline.Score best = null;
    if (!heldOut.isEmpty()) {
      List<MarkovBaseline.Score> scores = new MarkovBaseline(trainParts, k, MARKOV_ORDERS)
          .score(heldOut.stream().map(Piece::ids).toList());
      best = MarkovBaseline.best(scores);
      ObjectNode baseline = log.putObject("baseline");
      baseline.put("method", "order-j Markov models (Krichevsky-Trofimov estimates) counted on the training bases, "
          + "scored at the held-out positions");
      ArrayNode orders = baseline.putArray("orders");
      for (MarkovBaseline.Score s : scores) {
        orders.addObject().put("order", s.order()).put("bits_per_base", s.bitsPerBase());
      }
      baseline.put("best_order", best.order()).put("best_bits_per_base", best.bitsPerBase());
      o.progress().printf(Locale.ROOT, "seqattn: train: held-out %.4f bits/base; best Markov model (order %d) on the "
          + "same bases: %.4f%n", bits, best.order(), best.bitsPerBase());
    }
    Path model = o.out().resolve("model");
    Path tmp = o.out().resolve("model.tmp");
    Checkpoint.deleteRecursively(tmp);
    Checkpoint.writeModel(tmp, config, params, new Checkpoint.State(total, state0.settings(), fingerprint, classes,
        null, Checkpoint.Head.NEXT_TOKEN));
    Checkpoint.deleteRecursively(model);
    Checkpoint.move(tmp, model);
    TrainingRun.writeLog(o.out(), log);
    train.unpersist();
    if (held != null) {
      held.unpersist();
    }
    return new Outcome(total, bits, best, model);
  }

  /** Every FASTA record's k-mer ids, in file order. */
  private List<Piece> readRecords(TokenizerSpec spec) throws IOException {
    List<Piece> out = new ArrayList<>();
    try (FastaReader reader = new FastaReader(new InputFile(o.input().toString(), InputFormat.FASTA))) {
      Tokenizer tokenizer = spec.newTokenizer();
      SequenceInfo info;
      while ((info = reader.nextSequence()) != null) {
        tokenizer.reset();
        TokenBuffer buffer = new TokenBuffer();
        while (reader.feedMore(tokenizer, buffer)) {
          // the whole record: a training genome is read once, by the driver
        }
        tokenizer.finish(buffer);
        out.add(new Piece(out.size(), info.seqId(), 0, buffer.take(buffer.size())));
      }
    }
    return out;
  }

  /** The weights: the model's, and its next-token head when the init directory has one, else a new one. */
  private ParameterStore parameters(StackModel model) throws IOException {
    ParameterStore p = new ParameterStore();
    Map<String, int[]> shapes = model.config().tensorShapes();
    model.tensors().forEach((name, v) -> p.put(name, shapes.get(name), v));
    int d = model.config().dModel();
    int classes = NextTokenTargets.BASES.length;
    NextTokenHead head = NextTokenHead.random(d, classes, o.initSeed() + 1);
    Path headDir = o.init() == null ? null : o.init().resolve(Checkpoint.Head.NEXT_TOKEN.dir);
    if (headDir != null && java.nio.file.Files.isRegularFile(headDir.resolve("weight.npy"))) {
      float[] w = io.seqattn.core.io.Npy.read(headDir.resolve("weight.npy")).floats();
      float[] b = io.seqattn.core.io.Npy.read(headDir.resolve("bias.npy")).floats();
      head = new NextTokenHead(d, classes, w, b);
    }
    p.put(NextTokenHead.WEIGHT, new int[] {d, classes}, head.weight());
    p.put(NextTokenHead.BIAS, new int[] {classes}, head.bias());
    return p;
  }

  /** A batch's per-segment gradients from the tasks holding the segments (weights broadcast once). */
  private static MiniBatchTrainer.BatchGradients gradients(JavaSparkContext context, JavaRDD<Piece> segments,
      StackConfig config, int k, int chunk) {
    return (tensors, batch) -> {
      Broadcast<Map<String, float[]>> weights = context.broadcast(tensors);
      try {
        int[] sorted = batch.clone();
        Arrays.sort(sorted);
        return segments.filter(s -> Arrays.binarySearch(sorted, s.index()) >= 0)
            .map(s -> MiniBatchTrainer.nextTokenSequence(config, weights.value(), s.index(), s.ids(),
                NextTokenTargets.nextBase(s.ids(), k), chunk))
            .collect();
      } finally {
        weights.destroy();
      }
    };
  }

  /** Held-out bits per base: every part scored whole on a task, the sums taken in part order. */
  private double evaluate(JavaRDD<Piece> held, StackConfig config, ParameterStore params, int k, long[] count) {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Map<String, float[]>> weights = context.broadcast(params.floats());
    int chunk = o.settings().chunkSize();
    try {
      List<Tuple2<Integer, double[]>> parts = held.map(p -> {
        double[] ll = MiniBatchTrainer.nextTokenLogLikelihood(config, weights.value(), p.ids(),
            NextTokenTargets.nextBase(p.ids(), k), chunk);
        double sum = 0;
        long n = 0;
        for (double v : ll) {
          if (!Double.isNaN(v)) {
            sum += v;
            n++;
          }
        }
        return new Tuple2<>(p.index(), new double[] {sum, n});
      }).collect().stream().sorted(Comparator.comparing(Tuple2::_1)).toList();
      double sum = 0;
      long n = 0;
      for (Tuple2<Integer, double[]> part : parts) {
        sum += part._2()[0];
        n += (long) part._2()[1];
      }
      count[0] = n;
      return n == 0 ? Double.NaN : -sum / n / Math.log(2);
    } finally {
      weights.destroy();
    }
  }

  private ObjectNode settings() {
    ObjectNode s = TrainingRun.settingsJson(o.settings());
    s.put("eval_fraction", o.evalFraction());
    s.put("segment", o.segment());
    return s;
  }

  private ObjectNode newLog(List<Piece> records, int segments, List<Piece> heldOut, int k) {
    ObjectNode log = JSON.createObjectNode();
    log.put("task", "lm");
    log.put("input", o.input().toString());
    log.put("k", k);
    ArrayNode names = log.putArray("classes");
    for (String b : NextTokenTargets.BASES) {
      names.add(b);
    }
    ArrayNode seqs = log.putArray("records");
    for (Piece r : records) {
      seqs.addObject().put("seq_id", r.seqId()).put("tokens", r.ids().length);
    }
    log.put("train_segments", segments);
    log.put("held_out_parts", heldOut.size());
    log.set("settings", settings());
    log.putArray("steps");
    log.putArray("evaluations");
    return log;
  }

  /** The data as trained: every record's id and tokens, and the split. */
  private static String fingerprint(List<Piece> records, double evalFraction, int segment) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Piece r : records) {
        sha.update((r.seqId() + "\t" + TrainingRun.digest(r.ids()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      sha.update((evalFraction + "\t" + segment).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
