package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs on a real HDFS (an in-process {@link MiniDFSCluster}, one data node): the global and the
 * causal model over an index-split uncompressed FASTA, a BGZF one and a plain gzip one (read
 * whole), named by {@code hdfs://} URIs, give bitwise the states and embeddings of the same files
 * on the local disk; the {@code .fai}/{@code .gzi} indexes are built and written beside the input
 * on HDFS, as they are on a local disk. A run with its input, model and output on HDFS commits
 * there and equals the local run.
 */
class HdfsInputTest {
  static final int CHUNK = 512;

  @TempDir static Path tmp;
  static MiniDFSCluster cluster;
  static FileSystem hdfs;
  /** hdfs://host:port/genomes: lambda.fa, yeast_chrI.fa.gz (BGZF), whole/lambda.fa.gz. */
  static String genomes;
  static Path local;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem();
    genomes = hdfs.getUri() + "/genomes";

    local = Files.createDirectories(tmp.resolve("genomes"));
    Path gz = TestModels.sampleCorpus().resolve("lambda_phage.fa.gz");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      Files.write(local.resolve("lambda.fa"), in.readAllBytes());
    }
    try (InputStream in = HdfsInputTest.class.getResourceAsStream("/bgzf/yeast_chrI.fa.gz")) {
      Files.write(local.resolve("yeast_chrI.fa.gz"), in.readAllBytes());
    }
    Files.createDirectories(local.resolve("whole"));
    Files.copy(gz, local.resolve("whole/lambda.fa.gz"));
    for (String name : new String[] {"lambda.fa", "yeast_chrI.fa.gz", "whole/lambda.fa.gz"}) {
      hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolve(name).toString()),
          new org.apache.hadoop.fs.Path(genomes + "/" + name));
    }
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Test
  void globalAndCausalRunsOnHdfsEqualTheLocalRunsBitwise() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path global = tmp.resolve("global-model");
    ModelDirectory.save(TestModels.dna(), global);
    Path causal = tmp.resolve("causal-model");
    ModelDirectory.save(TestModels.causalDna(), causal);
    for (Path model : new Path[] {global, causal}) {
      for (String name : new String[] {"lambda.fa", "yeast_chrI.fa.gz", "whole"}) {
        String what = model.getFileName() + " on " + name;
        Path fromLocal = run(local.resolve(name).toString(), model, what + ", local");
        Path fromHdfs = run(genomes + "/" + name, model, what + ", hdfs");
        RunTables expected = new RunTables(spark, fromLocal);
        RunTables actual = new RunTables(spark, fromHdfs);
        assertTrue(expected.tokens.values().stream().mapToLong(Long::longValue).sum() >= 4L * CHUNK,
            what + ": at least 4 chunks");
        assertEquals(expected.states.keySet(), actual.states.keySet(), what);
        expected.states.forEach((k, v) -> assertArrayEquals(v, actual.states.get(k), what + ": state " + k));
        assertEquals(expected.embeddings.keySet(), actual.embeddings.keySet(), what);
        expected.embeddings.forEach((k, v) -> assertArrayEquals(v, actual.embeddings.get(k), what + ": embedding " + k));
        assertEquals(readTasks(fromLocal), readTasks(fromHdfs), what + ": the same read plan");
        if (!name.equals("whole")) {
          assertTrue(readTasks(fromHdfs) > 1, what + ": split by its index");
        }
      }
    }
    assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(genomes + "/lambda.fa.fai")), ".fai written on HDFS");
    assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(genomes + "/yeast_chrI.fa.gz.gzi")), ".gzi written on HDFS");
    assertArrayEquals(Files.readAllBytes(local.resolve("lambda.fa.fai")),
        hdfs.open(new org.apache.hadoop.fs.Path(genomes + "/lambda.fa.fai")).readAllBytes(),
        "the .fai on HDFS is the local one");
  }

  @Test
  void aRunAllOnHdfsIsCommittedThereAndEqualsTheLocalOne() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path model = tmp.resolve("output-model");
    ModelDirectory.save(TestModels.causalDna(), model);
    String hdfsModel = hdfs.getUri() + "/models/causal";
    hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(model.toString()), new org.apache.hadoop.fs.Path(hdfsModel));
    Path fromLocal = run(local.resolve("lambda.fa").toString(), model, "to local");
    String out = hdfs.getUri() + "/runs/lambda";
    BadInputTest.Result r = BadInputTest.cli("run", "--input", genomes + "/lambda.fa", "--format", "fasta", "--model",
        hdfsModel, "--output", out, "--chunk-size", String.valueOf(CHUNK), "--partitions", "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(out + "/run.json")), "run.json on HDFS");
    assertEquals(0, hdfs.listStatus(new org.apache.hadoop.fs.Path(hdfs.getUri() + "/runs"),
        p -> p.getName().startsWith(".")).length, "no staging directory left");
    RunTables expected = new RunTables(spark, fromLocal);
    RunTables actual = new RunTables(spark, out, true);
    assertEquals(expected.states.keySet(), actual.states.keySet());
    expected.states.forEach((k, v) -> assertArrayEquals(v, actual.states.get(k), "state " + k));
    expected.embeddings.forEach((k, v) -> assertArrayEquals(v, actual.embeddings.get(k), "embedding " + k));
  }

  @Test
  void inPlaceCommitAsOnObjectStoresPublishesRunJsonAndSuccessLastAndCleansUpAFailure() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path model = tmp.resolve("in-place-model");
    ModelDirectory.save(TestModels.dna(), model);
    conf.set(io.seqattn.job.plan.OutputDirectory.COMMIT_KEY, "in-place");
    try {
      String out = hdfs.getUri() + "/in-place/lambda";
      BadInputTest.Result r = BadInputTest.cli("run", "--input", genomes + "/lambda.fa", "--format", "fasta",
          "--model", model.toString(), "--output", out, "--chunk-size", String.valueOf(CHUNK));
      assertEquals(0, r.status(), r.err());
      org.apache.hadoop.fs.Path success = new org.apache.hadoop.fs.Path(out + "/_SUCCESS");
      org.apache.hadoop.fs.Path runJson = new org.apache.hadoop.fs.Path(out + "/run.json");
      assertTrue(hdfs.exists(success) && hdfs.exists(runJson), "run.json and _SUCCESS");
      assertTrue(hdfs.getFileStatus(success).getModificationTime() >= hdfs.getFileStatus(runJson).getModificationTime(),
          "_SUCCESS last");
      assertEquals(0, hdfs.listStatus(new org.apache.hadoop.fs.Path(hdfs.getUri() + "/in-place"),
          p -> p.getName().startsWith(".")).length, "no staging directory: written in place");
      RunTables expected = new RunTables(spark, run(local.resolve("lambda.fa").toString(), model, "in-place reference"));
      RunTables actual = new RunTables(spark, out, true);
      expected.states.forEach((k, v) -> assertArrayEquals(v, actual.states.get(k), "state " + k));

      hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(Files.writeString(tmp.resolve("bad.fa"),
          ">ok\nACGTACGTAC\n>bad\nACGT#ACGT\n").toString()), new org.apache.hadoop.fs.Path(genomes + "/bad/bad.fa"));
      String failed = hdfs.getUri() + "/in-place/bad";
      BadInputTest.Result bad = BadInputTest.cli("run", "--input", genomes + "/bad/bad.fa", "--format", "fasta",
          "--model", model.toString(), "--output", failed);
      assertEquals(1, bad.status(), bad.err());
      assertTrue(bad.err().contains(genomes + "/bad/bad.fa:4:5: unexpected character '#'"), bad.err());
      assertTrue(!hdfs.exists(new org.apache.hadoop.fs.Path(failed)), "a failed in-place run leaves nothing");

      // a run that fails after it has written tables: abort removes them, in place as well
      io.seqattn.job.plan.OutputDirectory partial = io.seqattn.job.plan.OutputDirectory.prepare(failed, false, conf);
      assertEquals(io.seqattn.job.plan.OutputDirectory.Commit.IN_PLACE, partial.commitProtocol());
      assertEquals(failed, partial.staging(), "in place: written under its own name");
      hdfs.create(new org.apache.hadoop.fs.Path(partial.staging("states/part-0.parquet"))).close();
      partial.abort();
      assertTrue(!hdfs.exists(new org.apache.hadoop.fs.Path(failed)), "abort deletes what was written in place");
    } finally {
      conf.unset(io.seqattn.job.plan.OutputDirectory.COMMIT_KEY);
    }
  }

  @Test
  void modelsOnHdfsServeApproxErrorAndTrainingAsLocalOnesDo() throws Exception {
    Path dna = tmp.resolve("approx-model");
    ModelDirectory.save(TestModels.dna(), dna);
    Path lm = tmp.resolve("lm-init");
    StackDirectory.save(StackInitializer.random(StackConfigJson.parse(TrainLanguageModelTest.CONFIG), 3), lm);
    String hdfsModels = hdfs.getUri() + "/models";
    for (Path model : new Path[] {dna, lm}) {
      hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(model.toString()),
          new org.apache.hadoop.fs.Path(hdfsModels + "/" + model.getFileName()));
    }
    Map<String, JsonNode> studies = new HashMap<>();
    for (String model : new String[] {dna.toString(), hdfsModels + "/approx-model"}) {
      Path out = tmp.resolve(model.startsWith("hdfs") ? "approx-hdfs" : "approx-local");
      BadInputTest.Result r = BadInputTest.cli("approx-error", "--input", local.resolve("lambda.fa").toString(),
          "--format", "fasta", "--model", model, "--features", "16", "--maps", "favor+,elu", "--seeds", "2",
          "--sequences", "1", "--tokens", "300", "--qk-scales", "0.25", "--out", out.toString());
      assertEquals(0, r.status(), model + ": " + r.err());
      ObjectNode study = (ObjectNode) new ObjectMapper().readTree(out.resolve("approx-error.json").toFile());
      study.remove("model");
      studies.put(model.startsWith("hdfs") ? "hdfs" : "local", study);
    }
    assertEquals(studies.get("local"), studies.get("hdfs"), "approx-error of the model on HDFS");

    Map<String, Map<String, byte[]>> trained = new HashMap<>();
    for (String init : new String[] {lm.toString(), hdfsModels + "/lm-init"}) {
      String where = init.startsWith("hdfs") ? "hdfs" : "local";
      Path out = tmp.resolve("lm-from-" + where);
      BadInputTest.Result r = BadInputTest.cli("train", "--task", "lm", "--input",
          TrainLanguageModelTest.GENOME.toString(), "--init", init, "--out", out.toString(), "--segment", "4000",
          "--batch-size", "4", "--chunk-size", "1024", "--eval-fraction", "0.2", "--epochs", "1",
          "--partitions", "2");
      assertEquals(0, r.status(), init + ": " + r.err());
      trained.put(where, TrainCommandTest.files(out.resolve("model")));
    }
    TrainCommandTest.assertSameFiles(trained.get("local"), trained.get("hdfs"), "trained from --init on HDFS");
  }

  @Test
  void aMissingHdfsModelIsOneLine() {
    String absent = hdfs.getUri() + "/models/absent";
    BadInputTest.Result r = BadInputTest.cli("run", "--input", genomes + "/lambda.fa", "--format", "fasta",
        "--model", absent, "--output", tmp.resolve("absent-model-run").toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("seqattn: error: " + absent + ": model directory does not exist"), r.err());
  }

  @Test
  void aMissingHdfsInputIsOneLine() {
    BadInputTest.Result r = BadInputTest.cli("run", "--input", genomes + "/absent.fa", "--format", "fasta",
        "--model", "unused", "--output", tmp.resolve("absent-run").toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("seqattn: error: " + genomes + "/absent.fa: no such file or directory"), r.err());
    assertTrue(Files.notExists(tmp.resolve("absent-run")), "nothing written");
  }

  private static Path run(String input, Path model, String what) {
    Path out = tmp.resolve("runs").resolve(what.replaceAll("[^A-Za-z0-9]+", "-"));
    BadInputTest.Result r = BadInputTest.cli("run", "--input", input, "--format", "fasta", "--model",
        model.toString(), "--output", out.toString(), "--chunk-size", String.valueOf(CHUNK),
        "--partitions", "3");
    assertEquals(0, r.status(), what + ": " + r.err());
    return out;
  }

  private static long readTasks(Path run) throws Exception {
    JsonNode report = new ObjectMapper().readTree(run.resolve("run.json").toFile());
    return report.path("counts").path("read_tasks").asLong();
  }
}
