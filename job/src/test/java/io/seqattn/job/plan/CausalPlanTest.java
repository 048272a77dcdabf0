package io.seqattn.job.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.cli.SeqAttn;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.testing.InMemoryRun;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Causal, decayed attention on Spark: the distributed scan against the sequential computation. */
class CausalPlanTest {

  /**
   * The Spark scan associates merges in blocks, the sequential reference one by one: prefixes agree
   * to double rounding, which can move a float32 output by an ulp or two. 1e-5 of the output scale
   * is ample for that and far below any wrong decay or order.
   */
  static final double ALLOWED_ERROR = 1e-5;

  /** 300-token chunks: lambda phage spans 162 chunks, three blocks of the scan. */
  static final int CHUNK = 300;
  static final Model MODEL = TestModels.causalDna();
  static SparkSession spark;
  static List<InputFile> genomes;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    genomes = sampleGenomes();
  }

  /** Lambda phage and the phiX174 variants of sample-corpus/, as FASTA inputs. */
  static List<InputFile> sampleGenomes() {
    return List.of(
        new InputFile(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz").toString(), InputFormat.FASTA),
        new InputFile(TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), InputFormat.FASTA));
  }

  static RunTables run(Path dir, int partitions) throws Exception {
    OutputDirectory out = OutputDirectory.prepare(dir.toString(), false, spark.sparkContext().hadoopConfiguration());
    RunSpec spec = RunSpec.builder().inputs(genomes, InputFormat.FASTA).model(MODEL, "test").chunkSize(CHUNK)
        .partitions(partitions).build();
    new AttentionPlan(spark, spec).run(out);
    out.commit();
    return new RunTables(spark, dir);
  }

  @Test
  void causalResultsAreBitwiseIdenticalForAnyPartitionCount(@TempDir Path tmp) throws Exception {
    RunTables one = run(tmp.resolve("p1"), 1);
    for (int partitions : new int[] {2, 7}) {
      RunTables other = run(tmp.resolve("p" + partitions), partitions);
      one.states.forEach((k, v) -> assertArrayEquals(v, other.states.get(k), "state " + k));
      one.embeddings.forEach((k, v) -> assertArrayEquals(v, other.embeddings.get(k), "embedding " + k));
    }
    List<Row> modes = spark.read().parquet(tmp.resolve("p1/states").toString())
        .selectExpr("mode", "log_decay", "tokens", "head").where("seq_id = 'gi|9626243|ref|NC_001416.1|'")
        .orderBy("head").collectAsList();
    assertEquals("causal", modes.get(0).getString(0));
    assertEquals(48_500 * Math.log(0.9), modes.get(1).getDouble(1), 1e-6);
  }

  @Test
  void causalSparkAgreesWithTheSequentialComputation(@TempDir Path tmp) throws Exception {
    RunTables tables = run(tmp.resolve("run"), 3);
    InMemoryRun expected = new InMemoryRun(MODEL, new Readers(MODEL.config().tokenizer(), CHUNK, "id", "text"), genomes);
    for (Map.Entry<String, Summary> e : expected.states.entrySet()) {
      for (int h = 0; h < 2; h++) {
        double[] got = tables.states.get(e.getKey() + "/" + h);
        double[] want = e.getValue().sOfHead(h);
        assertClose(want, java.util.Arrays.copyOf(got, want.length), e.getKey());
      }
      float[] want = expected.embeddings.get(e.getKey());
      float[] got = tables.embeddings.get(e.getKey());
      assertClose(toDoubles(want), toDoubles(got), e.getKey());
    }
  }

  @Test
  void exportPositionsAcrossAChunkBoundary(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    ModelDirectory.save(MODEL, model);
    Path run = tmp.resolve("run");
    String phage = TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString();
    assertEquals(0, cli("run", "--input", phage, "--format", "fasta", "--model", model.toString(),
        "--output", run.toString(), "--chunk-size", "1000", "--emit-outputs"));
    Path export = tmp.resolve("export");
    assertEquals(0, cli("export", "--run", run.toString(), "--seq-id", "Genbank", "--positions", "990:1010",
        "--out", export.toString()));
    NpyArray outputs = Npy.read(export.resolve("outputs.npy"));
    assertArrayEquals(new int[] {20, 16}, outputs.shape());
    InMemoryRun expected = new InMemoryRun(MODEL, new Readers(MODEL.config().tokenizer(), 1000, "id", "text"),
        List.of(new InputFile(phage, InputFormat.FASTA)));
    float[] all = expected.outputs.get("Genbank");
    float[] want = java.util.Arrays.copyOfRange(all, 990 * 16, 1010 * 16);
    assertClose(toDoubles(want), toDoubles(outputs.floats()), "positions 990:1010");
    assertEquals(1, cli("export", "--run", run.toString(), "--seq-id", "Genbank", "--positions", "5000:9000",
        "--out", export.toString()));
  }

  @Test
  void continuingFromStoredStatesEqualsOneRunOverTheWhole(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    ModelDirectory.save(MODEL, model);
    SplitRuns runs = SplitRuns.of(tmp, model);
    assertEquals(runs.whole.tokens.get("lambda") - (SplitRuns.CUT - 2), runs.rest.tokens.get("lambda"),
        "the continuation's embedding covers its own tokens");
    for (int h = 0; h < 2; h++) {
      assertClose(runs.whole.states.get("lambda/" + h), runs.rest.states.get("lambda/" + h), "final state head " + h);
    }
    assertClose(runs.wholeOutputs, runs.restOutputs, "outputs 20500:20600");
    List<Row> stored = spark.read().parquet(tmp.resolve("rest/states").toString()).select("tokens").collectAsList();
    assertEquals(48_500L, stored.get(0).getLong(0), "the stored state covers the whole sequence");
  }

  /**
   * Lambda phage run whole, and run as its first 20,000 bases followed by the rest continued from
   * the first part's stored states (same model, 3000-token chunks, outputs kept).
   */
  static final class SplitRuns {
    static final int CUT = 20_000;
    final RunTables whole;
    final RunTables rest;
    /** Outputs at positions 20500:20600 of the whole run and of the continuation. */
    final double[] wholeOutputs;
    final double[] restOutputs;

    private SplitRuns(RunTables whole, RunTables rest, double[] wholeOutputs, double[] restOutputs) {
      this.whole = whole;
      this.rest = rest;
      this.wholeOutputs = wholeOutputs;
      this.restOutputs = restOutputs;
    }

    static SplitRuns of(Path tmp, Path model) throws Exception {
      String lambda = readFirstRecord(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz"));
      // k = 3: the continuation repeats the last k − 1 bases, so its first token is the whole's token 19,998
      Path whole = fasta(tmp.resolve("whole.fa"), lambda);
      Path first = fasta(tmp.resolve("first.fa"), lambda.substring(0, CUT));
      Path rest = fasta(tmp.resolve("rest.fa"), lambda.substring(CUT - 2));
      String[] common = {"--format", "fasta", "--model", model.toString(), "--chunk-size", "3000", "--emit-outputs"};
      assertEquals(0, cli(concat(common, "--input", whole.toString(), "--output", tmp.resolve("whole").toString())));
      assertEquals(0, cli(concat(common, "--input", first.toString(), "--output", tmp.resolve("first").toString())));
      assertEquals(0, cli(concat(common, "--input", rest.toString(), "--output", tmp.resolve("rest").toString(),
          "--continue-from", tmp.resolve("first").toString())));
      for (String run : new String[] {"whole", "rest"}) {
        assertEquals(0, cli("export", "--run", tmp.resolve(run).toString(), "--seq-id", "lambda",
            "--positions", "20500:20600", "--out", tmp.resolve(run + "-npy").toString()));
      }
      SparkSession session = SparkTestSession.get();
      return new SplitRuns(new RunTables(session, tmp.resolve("whole")), new RunTables(session, tmp.resolve("rest")),
          toDoubles(Npy.read(tmp.resolve("whole-npy/outputs.npy")).floats()),
          toDoubles(Npy.read(tmp.resolve("rest-npy/outputs.npy")).floats()));
    }
  }

  @Test
  void continuingIsRefusedForAnotherModelOrAGlobalRun(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    ModelDirectory.save(MODEL, model);
    Path other = tmp.resolve("other");
    ModelDirectory.save(TestModels.dna(), other);
    Path seq = fasta(tmp.resolve("a.fa"), "ACGTACGTACGTTTGA");
    assertEquals(0, cli("run", "--input", seq.toString(), "--format", "fasta", "--model", other.toString(),
        "--output", tmp.resolve("global").toString()));
    StringWriter err = new StringWriter();
    assertEquals(1, SeqAttn.execute(new PrintWriter(err, true), "run", "--input", seq.toString(), "--format", "fasta",
        "--model", model.toString(), "--output", tmp.resolve("x").toString(),
        "--continue-from", tmp.resolve("global").toString()));
    assertTrue(err.toString().contains("a sequence can only continue under its own model"), err.toString());
    err = new StringWriter();
    assertEquals(1, SeqAttn.execute(new PrintWriter(err, true), "run", "--input", seq.toString(), "--format", "fasta",
        "--model", other.toString(), "--output", tmp.resolve("y").toString(),
        "--continue-from", tmp.resolve("global").toString()));
    assertTrue(err.toString().contains("--continue-from needs a causal model"), err.toString());
  }

  static String readFirstRecord(Path gz) throws Exception {
    StringBuilder seq = new StringBuilder();
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(gz)), java.nio.charset.StandardCharsets.US_ASCII))) {
      String line = in.readLine();
      while ((line = in.readLine()) != null && !line.startsWith(">")) {
        seq.append(line.strip());
      }
    }
    return seq.toString();
  }

  static Path fasta(Path file, String sequence) throws Exception {
    java.nio.file.Files.writeString(file, ">lambda\n" + sequence + "\n");
    return file;
  }

  static String[] concat(String[] common, String... more) {
    String[] all = new String[1 + common.length + more.length];
    all[0] = "run";
    System.arraycopy(common, 0, all, 1, common.length);
    System.arraycopy(more, 0, all, 1 + common.length, more.length);
    return all;
  }

  static int cli(String... args) {
    StringWriter err = new StringWriter();
    int status = SeqAttn.execute(new PrintWriter(err, true), args);
    if (status != 0) {
      System.err.println(err);
    }
    return status;
  }

  static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static void assertClose(double[] want, double[] got, String what) {
    assertEquals(want.length, got.length, what);
    double scale = 0;
    for (double w : want) {
      scale = Math.max(scale, Math.abs(w));
    }
    for (int i = 0; i < want.length; i++) {
      assertTrue(Math.abs(want[i] - got[i]) <= ALLOWED_ERROR * scale, what + "[" + i + "]: " + want[i] + " vs " + got[i]);
    }
  }
}
