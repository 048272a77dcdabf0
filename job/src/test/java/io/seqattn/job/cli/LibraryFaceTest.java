package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import io.seqattn.udfs.LinearAttentionEncoder;
import io.seqattn.udfs.SeqAttnFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library face against the CLI on the State of the Union sample: the whole global job as one
 * SQL statement gives the CLI's states bitwise, the MLlib encoder gives its embeddings bitwise on
 * documents many chunks long, and a saved pipeline reloads and predicts identically.
 */
class LibraryFaceTest {
  static final int CHUNK = 512;
  @TempDir static Path tmp;
  static SparkSession spark;
  static Path modelDir;
  static RunTables cli;

  @BeforeAll
  static void runTheCli() throws Exception {
    spark = SparkTestSession.get();
    modelDir = tmp.resolve("words");
    ModelDirectory.save(TestModels.words(), modelDir);
    Path run = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli("run", "--input", sample().toString(), "--format", "jsonl", "--model",
        modelDir.toString(), "--output", run.toString(), "--chunk-size", String.valueOf(CHUNK), "--partitions", "3");
    assertEquals(0, r.status(), r.err());
    cli = new RunTables(spark, run);
  }

  static Path sample() {
    return TestModels.sampleCorpus().resolve("sotu_sample.jsonl");
  }

  @Test
  void theWholeGlobalJobAsOneSqlStatementGivesTheCliStates() throws Exception {
    Model model = SeqAttnFunctions.register(spark, modelDir.toString());
    spark.read().json(sample().toString()).createOrReplaceTempView("docs");
    List<Row> rows = spark.sql("""
        SELECT seq_id, seqattn_merge(seqattn_summarize(slice(tokens, c * %1$d + 1, %1$d), c * %1$d)) AS state
        FROM (SELECT seq_id, tokens, explode(sequence(0, greatest(CAST(ceil(size(tokens) / %1$d.0) AS INT) - 1, 0))) AS c
              FROM (SELECT id AS seq_id, seqattn_tokenize(text) AS tokens FROM docs))
        GROUP BY seq_id""".formatted(CHUNK)).collectAsList();
    assertEquals(7, rows.size());
    for (Row row : rows) {
      Summary sql = SummaryCodec.fromBytes((byte[]) row.get(1)).summary();
      String id = row.getString(0);
      assertTrue(sql.tokens() > CHUNK, id + " spans several chunks: " + sql.tokens());
      assertEquals(model.config().heads(), sql.heads());
      cli.assertState(id, sql);
    }
  }

  @Test
  void theEncoderGivesTheJobsEmbeddingOnDocumentsManyChunksLong() {
    Dataset<Row> docs = spark.read().json(sample().toString());
    assertTrue(cli.tokens.values().stream().filter(n -> n > 3L * CHUNK).count() >= 3,
        "documents longer than 3 chunks: " + cli.tokens);
    LinearAttentionEncoder encoder = new LinearAttentionEncoder().setInputCol("text").setOutputCol("embedding")
        .setModelDir(modelDir.toString()).setChunkSize(CHUNK);
    for (Row r : encoder.transform(docs).select("id", "embedding").collectAsList()) {
      float[] job = cli.embeddings.get(r.getString(0));
      double[] encoded = ((Vector) r.get(1)).toArray();
      assertEquals(job.length, encoded.length);
      for (int i = 0; i < job.length; i++) {
        assertEquals(job[i], (float) encoded[i], r.getString(0) + " [" + i + "]"); // float to double and back: exact
      }
    }
  }

  /**
   * How far MLlib's probabilities for the same features and the same coefficients may differ
   * between two transforms in one JVM: a few ulps of the double margin (seen: 1.8e-18 on a
   * probability of 2.5e-13). Logistic regression's arithmetic is MLlib's own (its BLAS, its
   * softmax); seqattn's promise is the features, which are compared bitwise. A different model or
   * features differing by one float32 ulp move these probabilities by 1e-8 or more.
   */
  static final double MLLIB_PROBABILITY_TOLERANCE = 1e-12;

  @Test
  void aSavedPipelineCarriesItsModelAndReloadsAndPredictsIdenticallyWithoutTheOriginalDirectory() throws Exception {
    Dataset<Row> docs = spark.read().json(sample().toString());
    Path ownModel = tmp.resolve("words-to-be-deleted");
    ModelDirectory.save(TestModels.words(), ownModel);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCol("party").setOutputCol("label"),
        new LinearAttentionEncoder().setInputCol("text").setOutputCol("features").setModelDir(ownModel.toString())
            .setChunkSize(CHUNK).setMaxTokens(2000),
        new LogisticRegression().setMaxIter(20)});
    PipelineModel fitted = pipeline.fit(docs);
    List<Row> before = fitted.transform(docs).select("id", "features", "probability", "prediction").orderBy("id")
        .collectAsList();
    Path saved = tmp.resolve("pipeline");
    fitted.write().overwrite().save(saved.toString());
    try (java.util.stream.Stream<Path> files = Files.walk(ownModel)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    assertFalse(Files.exists(ownModel), "the original model directory is gone");
    PipelineModel loaded = PipelineModel.load(saved.toString());
    LinearAttentionEncoder reloaded = (LinearAttentionEncoder) loaded.stages()[1];
    assertEquals(2000, reloaded.getMaxTokens());
    assertEquals(CHUNK, reloaded.getChunkSize());
    assertEquals("text", reloaded.getInputCol());
    assertTrue(reloaded.getStoreModel());
    assertNotEquals(ownModel.toString(), reloaded.getModelDir(), "the stage reads its stored copy");
    assertEquals(ModelDirectory.load(Path.of(reloaded.getModelDir())).fingerprint(),
        TestModels.words().fingerprint(), "the stored copy is the model itself");
    List<Row> after = loaded.transform(docs).select("id", "features", "probability", "prediction").orderBy("id")
        .collectAsList();
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      String id = before.get(i).getString(0);
      assertEquals(id, after.get(i).getString(0));
      assertArrayEquals(((Vector) before.get(i).get(1)).toArray(), ((Vector) after.get(i).get(1)).toArray(),
          id + ": the reloaded encoder's features"); // bitwise: assertArrayEquals(double[]) compares exactly
      assertArrayEquals(((Vector) before.get(i).get(2)).toArray(), ((Vector) after.get(i).get(2)).toArray(),
          MLLIB_PROBABILITY_TOLERANCE, id + ": probabilities");
      assertEquals(before.get(i).getDouble(3), after.get(i).getDouble(3), id + ": prediction");
    }
  }

  @Test
  void withoutStoreModelOnlyThePathIsSaved() throws Exception {
    LinearAttentionEncoder encoder = new LinearAttentionEncoder().setInputCol("text").setModelDir(modelDir.toString())
        .setStoreModel(false);
    Path saved = tmp.resolve("path-only-encoder");
    encoder.write().overwrite().save(saved.toString());
    assertFalse(Files.exists(saved.resolve("model")), "no model files stored");
    LinearAttentionEncoder loaded = LinearAttentionEncoder.load(saved.toString());
    assertEquals(modelDir.toString(), loaded.getModelDir());
    assertFalse(loaded.getStoreModel());
  }
}
