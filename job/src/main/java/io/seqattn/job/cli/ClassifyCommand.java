package io.seqattn.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.train.TrainSettings;
import io.seqattn.job.train.CrossValidation;
import io.seqattn.job.train.LabelledDocuments;
import io.seqattn.job.train.TrainingRun;
import io.seqattn.udfs.LinearAttentionEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code seqattn classify}: does attending over whole documents beat truncating them? k-fold
 * cross-validated accuracy on whole documents and on their first {@code --max-tokens} tokens, with
 * the majority class as the floor, as a table and JSON. Without {@code --train}, a fixed (format-1)
 * LinearAttentionEncoder → LogisticRegression: each variant's embeddings are computed once and
 * every fold trains only the regression; folds are stratified by label and fixed by {@code --seed}.
 * With {@code --train}, a format-2 model trained per fold and variant ({@link CrossValidation}),
 * beside TF-IDF + logistic regression on the same folds and the same truncation.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
    description = {"Cross-validated document classification with seqattn embeddings: whole documents against "
        + "documents truncated to --max-tokens tokens (encoder -> LogisticRegression, stratified k-fold).",
        "With --train (and --config or --init), a format-2 model is trained on every fold's training documents, "
            + "whole and truncated, and scored beside TF-IDF + logistic regression (Spark MLlib) on the same folds.",
        "Prints a table (mean +- std over folds) and writes it as JSON with --out."})
final class ClassifyCommand implements Callable<Integer> {

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL documents (.gz accepted).")
  Path input;

  @Option(names = "--text-field", defaultValue = "text", paramLabel = "F",
      description = "Field with the document text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--label-field", required = true, paramLabel = "L", description = "Field with the class label.")
  String labelField;

  @Option(names = "--id-field", defaultValue = "id", paramLabel = "F",
      description = "Field with the document id (default: ${DEFAULT-VALUE}).")
  String idField;

  @Option(names = "--model", paramLabel = "DIR",
      description = "Model directory; default: a seeded random words model (vocab 65536, d_model 64, 2 heads x 32, "
          + "elu, sinusoidal positions, --seed), written to a temporary directory. A local path or a Hadoop file "
          + "system URI (hdfs://…).")
  String modelDir;

  @Option(names = "--train", description = "Train a format-2 model per fold (from --config or --init) instead of "
      + "a fixed encoder, and add TF-IDF + logistic regression on the same folds.")
  boolean train;

  @Option(names = "--config", paramLabel = "FILE",
      description = "--train: start every fold from seeded random weights for this format-2 config.json.")
  Path config;

  @Option(names = "--init", paramLabel = "DIR",
      description = "--train: start every fold from this format-2 model (a local path or a Hadoop file system URI).")
  String init;

  @Option(names = "--init-seed", defaultValue = "1",
      description = "--train: seed of --config's random weights and of the head (default: ${DEFAULT-VALUE}).")
  long initSeed;

  @Option(names = "--runs", paramLabel = "DIR",
      description = "--train: keep every fold's run directory (model, train.json) here; default: a temporary "
          + "directory, deleted at the end.")
  Path runs;

  @Mixin
  TrainingOptions training;

  @Option(names = "--folds", defaultValue = "5", description = "Cross-validation folds (default: ${DEFAULT-VALUE}).")
  int folds;

  @Option(names = "--max-tokens", defaultValue = "512",
      description = "Tokens kept by the truncated variant (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--chunk-size", defaultValue = "65536",
      description = "Tokens per chunk of the encoder and, with --train, of the whole-document gradient (default: "
          + "${DEFAULT-VALUE}).")
  int chunkSize;

  @Option(names = "--reg-param", defaultValue = "0.01",
      description = "LogisticRegression L2 regularization (default: ${DEFAULT-VALUE}).")
  double regParam;

  @Option(names = "--max-iter", defaultValue = "200",
      description = "LogisticRegression iterations (default: ${DEFAULT-VALUE}).")
  int maxIter;

  @Option(names = "--seed", defaultValue = "7",
      description = "Seed of the folds, of the default model and, with --train, of the data order (default: "
          + "${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  SparkOptions sparkOptions;

  @Option(names = {"--output", "--out"}, paramLabel = "FILE", description = "Write the results as JSON (--out is an alias).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (folds < 2 || maxTokens < 1) {
      throw new SeqAttn.UserException("--folds must be >= 2 and --max-tokens >= 1");
    }
    if (!Files.isReadable(input)) {
      throw new SeqAttn.UserException(input + ": no such file");
    }
    if (train) {
      return trainAndCompare();
    }
    if (config != null || init != null || runs != null) {
      throw new SeqAttn.UserException("--config, --init and --runs are for --train (a fixed encoder is --model DIR)");
    }
    Path model = modelDir != null ? ModelLocation.local(modelDir) : defaultModel();
    try (SparkSessions.Handle session = sparkOptions.open("seqattn classify", null)) {
      return classify(session.session(), model);
    } finally {
      if (modelDir == null) {
        deleteRecursively(model);
      }
    }
  }

  private int classify(SparkSession spark, Path model) throws IOException {
    Dataset<Row> raw = spark.read().json(input.toString());
    for (String field : new String[] {idField, textField, labelField}) {
      if (!Arrays.asList(raw.columns()).contains(field)) {
        throw new SeqAttn.UserException(input + ": no field '" + field + "' in the records (fields: "
            + Arrays.toString(raw.columns()) + ")");
      }
    }
    Dataset<Row> docs = raw.select(functions.col(idField).cast("string").as("id"),
        functions.col(textField).as("text"), functions.col(labelField).cast("string").as("class"))
        .where("text IS NOT NULL AND class IS NOT NULL");
    long n = docs.count();
    Dataset<Row> labelled = new StringIndexer().setInputCol("class").setOutputCol("label").fit(docs).transform(docs);
    // stratified folds: within each class, documents in a seeded hash order take folds 0, 1, …, k−1 in turn
    Dataset<Row> withFolds = labelled.withColumn("fold", functions.pmod(functions.row_number().over(
        Window.partitionBy("class").orderBy(functions.hash(functions.col("id"), functions.lit(seed)))),
        functions.lit(folds)));

    // a few partitions, not the window's shuffle partitions: each regression iteration is a task per partition
    withFolds = withFolds.repartition(2 * spark.sparkContext().defaultParallelism());
    Map<String, double[]> accuracy = new LinkedHashMap<>();
    accuracy.put("majority class", majority(withFolds));
    Map<String, Integer> keep = new LinkedHashMap<>();
    keep.put("whole documents", 0);
    keep.put("first " + maxTokens + " tokens", maxTokens);
    for (Map.Entry<String, Integer> variant : keep.entrySet()) {
      Dataset<Row> embedded = new LinearAttentionEncoder().setInputCol("text").setOutputCol("features")
          .setModelDir(model.toString()).setChunkSize(chunkSize).setMaxTokens(variant.getValue())
          .transform(withFolds).select("id", "label", "fold", "features")
          .persist(StorageLevel.MEMORY_AND_DISK());
      accuracy.put(variant.getKey(), crossValidate(embedded));
      embedded.unpersist();
    }
    Map<String, Long> classes = new LinkedHashMap<>();
    docs.groupBy("class").count().orderBy(functions.desc("count")).collectAsList()
        .forEach(r -> classes.put(r.getString(0), r.getLong(1)));
    report(n, classes, modelDir != null ? modelDir : "default words model, seed " + seed, accuracy, null);
    return 0;
  }

  private int trainAndCompare() throws IOException {
    if (modelDir != null) {
      throw new SeqAttn.UserException("--train starts from --config FILE or --init DIR (a format-2 model), not --model");
    }
    if ((config == null) == (init == null)) {
      throw new SeqAttn.UserException("--train needs exactly one start: --config FILE or --init DIR");
    }
    TrainSettings settings = training.settings(seed, chunkSize);
    boolean temporary = runs == null;
    Path runDir = temporary ? Files.createTempDirectory("seqattn-classify-runs") : runs;
    CrossValidation.Options options = new CrossValidation.Options(new LabelledDocuments.Fields(input.toString(),
        textField, labelField, idField), runDir, init == null ? null : ModelLocation.local(init), config, initSeed, settings, folds, maxTokens, System.err);
    try (SparkSessions.Handle session = sparkOptions.open("seqattn classify", null)) {
      CrossValidation.Result result = CrossValidation.run(session.session(), options);
      long n = result.classes().values().stream().mapToLong(Long::longValue).sum();
      Map<String, Long> byCount = new LinkedHashMap<>();
      result.classes().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> byCount.put(e.getKey(), e.getValue()));
      ObjectNode trainJson = new ObjectMapper().createObjectNode();
      trainJson.set("settings", TrainingRun.settingsJson(settings));
      trainJson.put("init_seed", initSeed);
      trainJson.put("baseline", "TF-IDF + logistic regression, Spark MLlib, on the same folds and truncation");
      if (!temporary) {
        trainJson.put("runs", runs.toString());
      }
      report(n, byCount, init != null ? "trained from " + init : "trained from " + config, result.accuracy(),
          trainJson);
    } finally {
      if (temporary) {
        deleteRecursively(runDir);
      }
    }
    return 0;
  }

  private double[] crossValidate(Dataset<Row> embedded) {
    double[] acc = new double[folds];
    MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
    for (int f = 0; f < folds; f++) {
      Dataset<Row> train = embedded.where("fold <> " + f);
      Dataset<Row> test = embedded.where("fold = " + f);
      LogisticRegression lr = new LogisticRegression().setMaxIter(maxIter).setRegParam(regParam);
      acc[f] = accuracy.evaluate(lr.fit(train).transform(test));
    }
    return acc;
  }

  /** The accuracy of always predicting the training folds' most frequent class. */
  private double[] majority(Dataset<Row> withFolds) {
    double[] acc = new double[folds];
    for (int f = 0; f < folds; f++) {
      Row top = withFolds.where("fold <> " + f).groupBy("label").count().orderBy(functions.desc("count"),
          functions.asc("label")).first();
      Dataset<Row> test = withFolds.where("fold = " + f);
      acc[f] = (double) test.where(functions.col("label").equalTo(top.getDouble(0))).count() / test.count();
    }
    return acc;
  }

  private Path defaultModel() throws IOException {
    Path dir = Files.createTempDirectory("seqattn-classify-model");
    ModelConfig config = new ModelConfig(TokenizerSpec.words(65536), 64, 2, 32,
        FeatureMaps.ELU, Positional.SINUSOIDAL, 1e-6);
    ModelDirectory.save(ModelInitializer.random(config, 0, seed), dir);
    return dir;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void report(long n, Map<String, Long> classes, String model, Map<String, double[]> accuracy,
      ObjectNode training) throws IOException {
    StringBuilder table = new StringBuilder();
    table.append(String.format(Locale.ROOT, "%d documents, %d classes, %d-fold stratified cross-validation%n%n", n,
        classes.size(), folds));
    table.append("| variant | accuracy (mean ± std over folds) |\n|---|---|\n");
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("input", input.toString());
    root.put("label_field", labelField);
    root.put("documents", n);
    root.put("folds", folds);
    root.put("max_tokens", maxTokens);
    root.put("chunk_size", chunkSize);
    root.put("model", model);
    if (training == null) {
      root.put("reg_param", regParam);
      root.put("max_iter", maxIter);
    } else {
      root.set("training", training);
    }
    root.put("seed", seed);
    ObjectNode counts = root.putObject("classes");
    classes.forEach(counts::put);
    ArrayNode rows = root.putArray("results");
    for (Map.Entry<String, double[]> e : accuracy.entrySet()) {
      double mean = Arrays.stream(e.getValue()).average().orElse(Double.NaN);
      double std = Math.sqrt(Arrays.stream(e.getValue()).map(a -> (a - mean) * (a - mean)).sum()
          / (e.getValue().length - 1));
      table.append(String.format(Locale.ROOT, "| %s | %.3f ± %.3f |%n", e.getKey(), mean, std));
      ObjectNode row = rows.addObject().put("variant", e.getKey()).put("mean", mean).put("std", std);
      ArrayNode perFold = row.putArray("per_fold");
      Arrays.stream(e.getValue()).forEach(perFold::add);
    }
    System.out.print(table);
    if (out != null) {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      json.writeValue(out.toFile(), root);
      System.err.println("seqattn: wrote " + out);
    }
  }
}
