package io.seqattn.udfs;

import static io.seqattn.udfs.SeqAttnFunctionsTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelInitializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL functions by configuration alone: a session built with {@code spark.sql.extensions} and
 * {@code spark.seqattn.model}, as {@code spark-sql} and PySpark build theirs, never calls
 * {@code SeqAttnFunctions.register}.
 */
class SeqAttnSessionExtensionsTest {
  @TempDir static Path dirs;
  static SparkSession spark;
  static Path decayedDir;
  static Path globalDir;
  static final Model DECAYED = SeqAttnFunctionsTest.DECAYED;
  static final Model GLOBAL = ModelInitializer.random(DECAYED.config().asGlobal().withFeatureMap(FeatureMaps.ELU, 0), 3, 8);
  static final int CHUNK = 250;

  @BeforeAll
  static void start() throws IOException {
    decayedDir = dirs.resolve("decayed");
    globalDir = dirs.resolve("global");
    ModelDirectory.save(DECAYED, decayedDir);
    ModelDirectory.save(GLOBAL, globalDir);
    spark = SparkSession.builder().master("local[2]").appName("udfs-sql-extension-tests")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "3")
        .config("spark.sql.extensions", SeqAttnSessionExtensions.class.getName())
        .config(SeqAttnSessionExtensions.MODEL_CONF, decayedDir.toString()).getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  /** The chunks of one random DNA sequence as rows (c, tokens, start), shuffled over 3 partitions. */
  static void chunksView(SparkSession session, Model model) {
    int[] tokens = model.config().tokenizer().tokenize(SeqAttnFunctionsTest.dna(2000, 11));
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c * CHUNK < tokens.length; c++) {
      rows.add(RowFactory.create(c, Arrays.copyOfRange(tokens, c * CHUNK, Math.min(tokens.length, (c + 1) * CHUNK)),
          (long) c * CHUNK));
    }
    Collections.shuffle(rows, new Random(3));
    StructType schema = new StructType().add("c", DataTypes.IntegerType)
        .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType)).add("start", DataTypes.LongType);
    session.createDataFrame(rows, schema).repartition(3).createOrReplaceTempView("chunks");
  }

  /** The left fold of the chunk summaries in position order, by hand: what seqattn_merge must give. */
  static Summary foldInOrder(Model model) {
    int[] tokens = model.config().tokenizer().tokenize(SeqAttnFunctionsTest.dna(2000, 11));
    ChunkKernel kernel = new ChunkKernel(model);
    Summary fold = null;
    for (int c = 0; c * CHUNK < tokens.length; c++) {
      fold = Summary.MERGE.mergeNullable(fold, kernel.summarize(
          Arrays.copyOfRange(tokens, c * CHUNK, Math.min(tokens.length, (c + 1) * CHUNK)), (long) c * CHUNK));
    }
    return fold;
  }

  static SummaryCodec.Positioned mergedBySql(SparkSession session) {
    return SummaryCodec.fromBytes((byte[]) session.sql(
        "SELECT seqattn_merge(seqattn_summarize(tokens, start)) FROM chunks").first().get(0));
  }

  @Test
  void theConfiguredModelsFunctionsWorkWithoutRegistering() {
    chunksView(spark, DECAYED);
    SummaryCodec.Positioned merged = mergedBySql(spark);
    assertEquals(DECAYED.fingerprint(), merged.fingerprint());
    assertEquals(foldInOrder(DECAYED), merged.summary(), "decayed: the left fold in chunk order, bitwise");
    List<Integer> tokens = spark.sql("SELECT seqattn_tokenize('ACGTTGCA')").first().getList(0);
    assertEquals(Arrays.stream(DECAYED.config().tokenizer().tokenize("ACGTTGCA")).boxed().collect(Collectors.toList()),
        tokens);
  }

  @Test
  void everyFunctionIsDescribed() {
    for (SeqAttnFunctions.Signature f : SeqAttnFunctions.SIGNATURES) {
      String described = spark.sql("DESCRIBE FUNCTION " + f.name()).collectAsList().stream()
          .map(r -> r.getString(0)).collect(Collectors.joining("\n"));
      assertTrue(described.contains("Usage: " + f.call() + " - "), described);
      assertTrue(described.contains(SeqAttnSessionExtensions.MODEL_CONF), described);
    }
  }

  @Test
  void eachSessionUsesTheModelItsConfNames() {
    SparkSession other = spark.newSession();
    other.sql("SET " + SeqAttnSessionExtensions.MODEL_CONF + "=" + globalDir);
    chunksView(other, GLOBAL);
    SummaryCodec.Positioned merged = mergedBySql(other);
    assertEquals(GLOBAL.fingerprint(), merged.fingerprint());
    assertEquals(foldInOrder(GLOBAL), merged.summary(), "global: the CLI's fold, bitwise");

    chunksView(spark, DECAYED);
    assertEquals(DECAYED.fingerprint(), mergedBySql(spark).fingerprint(), "the first session kept its model");
  }

  @Test
  void missingModelsAndWrongCallsAreClearErrors() {
    SparkSession unset = spark.newSession();
    unset.conf().unset(SeqAttnSessionExtensions.MODEL_CONF);
    assertError(() -> unset.sql("SELECT seqattn_tokenize('ACGT')").collect(),
        "seqattn_tokenize: no model: set spark.seqattn.model to a model directory");
    SparkSession missing = spark.newSession();
    missing.conf().set(SeqAttnSessionExtensions.MODEL_CONF, dirs.resolve("absent").toString());
    assertError(() -> missing.sql("SELECT seqattn_tokenize('ACGT')").collect(),
        "seqattn_tokenize: cannot load the model spark.seqattn.model=" + dirs.resolve("absent"));
    assertError(() -> spark.sql("SELECT seqattn_attend(NULL, array(1, 2))").collect(),
        "seqattn_attend takes 3 arguments, seqattn_attend(state, tokens, start), not 2");
    assertError(() -> spark.sql("SELECT seqattn_tokenize('ACGT#A')").collect(),
        "seqattn_tokenize: character 5: unexpected character '#'");
  }
}
