package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.network.SequenceAttention;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import io.seqattn.udfs.LinearAttentionEncoder;
import io.seqattn.udfs.SeqAttnFunctions;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input through the CLI, the SQL functions and the MLlib encoder, five times in one JVM,
 * gives the same bits every time — from a cold JVM, and again after the kernels' hot loops have
 * been driven through thousands of calls so the JIT has compiled them (C2 code may round where the
 * interpreter does not: an exp taken from the vector API did, once). The first repetition is the
 * reference for all later ones, and the three faces agree with each other.
 */
class ReproducibilityTest {
  static final int CHUNK = 512;
  static final int REPETITIONS = 5;
  /** Kernel calls between repetitions: well past the C2 compile thresholds of the loops they run. */
  static final int WARM_UP_CALLS = 3_000;

  @TempDir Path tmp;

  @Test
  void cliSqlAndEncoderGiveTheSameBitsColdAndWarm() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path modelDir = tmp.resolve("words");
    Model model = TestModels.words();
    ModelDirectory.save(model, modelDir);
    Path docs = TestModels.sampleCorpus().resolve("sotu_sample.jsonl");
    Path causalDir = tmp.resolve("causal");
    ModelDirectory.save(TestModels.causalDna(), causalDir);
    Path genome = TestModels.sampleCorpus().resolve("lambda_phage.fa.gz");

    RunTables firstCli = null;
    RunTables firstCausal = null;
    Map<String, byte[]> firstSql = null;
    Map<String, double[]> firstEncoder = null;
    for (int rep = 0; rep < REPETITIONS; rep++) {
      if (rep >= 2) {
        warmUp(model);
      }
      RunTables cli = cliRun(spark, docs, "jsonl", modelDir, rep);
      RunTables causal = cliRun(spark, genome, "fasta", causalDir, rep);
      Map<String, byte[]> sql = sqlStates(spark, modelDir, docs);
      Map<String, double[]> encoder = encoderEmbeddings(spark, modelDir, docs);
      if (rep == 0) {
        firstCli = cli;
        firstCausal = causal;
        firstSql = sql;
        firstEncoder = encoder;
        facesAgree(cli, sql, encoder);
        continue;
      }
      String when = "repetition " + rep + (rep >= 2 ? " (JIT-warm)" : "");
      assertSame(firstCli, cli, when + ", CLI");
      assertSame(firstCausal, causal, when + ", causal CLI");
      assertEquals(firstSql.keySet(), sql.keySet());
      for (String id : sql.keySet()) {
        assertArrayEquals(firstSql.get(id), sql.get(id), when + ", SQL state of " + id);
      }
      for (String id : encoder.keySet()) {
        assertArrayEquals(firstEncoder.get(id), encoder.get(id), when + ", encoder embedding of " + id);
      }
    }
  }

  private RunTables cliRun(SparkSession spark, Path input, String format, Path modelDir, int rep) {
    Path out = tmp.resolve(format + "-run-" + rep);
    BadInputTest.Result r = BadInputTest.cli("run", "--input", input.toString(), "--format", format, "--model",
        modelDir.toString(), "--output", out.toString(), "--chunk-size", String.valueOf(CHUNK), "--partitions",
        String.valueOf(1 + rep % 3));
    assertEquals(0, r.status(), r.err());
    return new RunTables(spark, out);
  }

  /** Each document's merged state from the SQL functions, as the bytes of its encoded summary. */
  private static Map<String, byte[]> sqlStates(SparkSession spark, Path modelDir, Path docs) throws Exception {
    SeqAttnFunctions.register(spark, modelDir.toString());
    spark.read().json(docs.toString()).createOrReplaceTempView("docs");
    Map<String, byte[]> states = new TreeMap<>();
    for (Row row : spark.sql("""
        SELECT seq_id, seqattn_merge(seqattn_summarize(slice(tokens, c * %1$d + 1, %1$d), c * %1$d)) AS state
        FROM (SELECT seq_id, tokens, explode(sequence(0, greatest(CAST(ceil(size(tokens) / %1$d.0) AS INT) - 1, 0))) AS c
              FROM (SELECT id AS seq_id, seqattn_tokenize(text) AS tokens FROM docs))
        GROUP BY seq_id""".formatted(CHUNK)).collectAsList()) {
      states.put(row.getString(0), (byte[]) row.get(1));
    }
    return states;
  }

  private static Map<String, double[]> encoderEmbeddings(SparkSession spark, Path modelDir, Path docs) {
    LinearAttentionEncoder encoder = new LinearAttentionEncoder().setInputCol("text").setOutputCol("embedding")
        .setModelDir(modelDir.toString()).setChunkSize(CHUNK);
    Map<String, double[]> out = new TreeMap<>();
    for (Row r : encoder.transform(spark.read().json(docs.toString())).select("id", "embedding").collectAsList()) {
      out.put(r.getString(0), ((Vector) r.get(1)).toArray());
    }
    return out;
  }

  /** The SQL states are the CLI's, and the encoder's embeddings the CLI's, bitwise. */
  private static void facesAgree(RunTables cli, Map<String, byte[]> sql, Map<String, double[]> encoder) {
    for (Map.Entry<String, byte[]> e : sql.entrySet()) {
      var state = SummaryCodec.fromBytes(e.getValue()).summary();
      for (int h = 0; h < state.heads(); h++) {
        double[] stored = cli.states.get(e.getKey() + "/" + h);
        assertNotNull(stored, e.getKey());
        assertArrayEquals(java.util.Arrays.copyOfRange(stored, 0, state.m() * state.dHead()), state.sOfHead(h),
            e.getKey() + ": SQL S against the CLI's, head " + h);
      }
    }
    for (Map.Entry<String, double[]> e : encoder.entrySet()) {
      float[] job = cli.embeddings.get(e.getKey());
      for (int i = 0; i < job.length; i++) {
        assertEquals(job[i], (float) e.getValue()[i], e.getKey() + ": encoder against the CLI, [" + i + "]");
      }
    }
  }

  private static void assertSame(RunTables expected, RunTables actual, String what) {
    assertEquals(expected.states.keySet(), actual.states.keySet(), what);
    expected.states.forEach((k, v) -> assertArrayEquals(v, actual.states.get(k), what + ": state " + k));
    expected.embeddings.forEach((k, v) -> assertArrayEquals(v, actual.embeddings.get(k), what + ": embedding " + k));
  }

  /** Drives the kernel's loops (projection gather, vector elu, GEMM glue) through many calls. */
  private static void warmUp(Model model) {
    SequenceAttention attention = SequenceAttention.linear(model, 64);
    SplittableRandom random = new SplittableRandom(3);
    int vocab = model.config().tokenizer().vocabularySize();
    for (int i = 0; i < WARM_UP_CALLS / 2; i++) {
      int[] tokens = random.ints(1 + random.nextInt(200), 0, vocab).toArray();
      attention.embedding(tokens);
    }
  }
}
