package io.seqattn.job.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.testing.InMemoryRun;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Spark job against the in-memory fold, at several partition counts, on the sample corpus. */
class AttentionPlanTest {

  static SparkSession spark;
  static final Model DNA = TestModels.dna();
  /** Small chunks so every sample genome spans several chunks and partitions. */
  static final int CHUNK = 4096;
  static List<InputFile> genomes;
  /** The stats of the last {@link #run}. */
  static RunStats lastStats;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkTestSession.get();
    genomes = List.of(
        new InputFile(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz").toString(), InputFormat.FASTA),
        new InputFile(TestModels.sampleCorpus().resolve("human_chrM.fa.gz").toString(), InputFormat.FASTA),
        new InputFile(TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), InputFormat.FASTA));
  }

  static RunTables run(Path dir, Model model, List<InputFile> inputs, int partitions) throws Exception {
    return run(dir, model, inputs, partitions, CHUNK, false);
  }

  static RunTables run(Path dir, Model model, List<InputFile> inputs, int partitions, int chunkSize, boolean emit)
      throws Exception {
    RunSpec spec = RunSpec.builder().inputs(inputs, inputs.get(0).format()).model(model, "test-model")
        .chunkSize(chunkSize).partitions(partitions).emitOutputs(emit).build();
    OutputDirectory out = OutputDirectory.prepare(dir.toString(), false, spark.sparkContext().hadoopConfiguration());
    lastStats = new AttentionPlan(spark, spec).run(out);
    out.commit();
    return new RunTables(spark, dir);
  }

  @Test
  void resultsAreBitwiseIdenticalForAnyPartitionCount(@TempDir Path tmp) throws Exception {
    RunTables one = run(tmp.resolve("p1"), DNA, genomes, 1);
    for (int partitions : new int[] {2, 7}) {
      RunTables other = run(tmp.resolve("p" + partitions), DNA, genomes, partitions);
      assertEquals(one.states.keySet(), other.states.keySet());
      one.states.forEach((k, v) -> assertArrayEquals(v, other.states.get(k), "state " + k + " at " + partitions));
      one.embeddings.forEach((k, v) -> assertArrayEquals(v, other.embeddings.get(k), "embedding " + k));
    }
    assertEquals(8, one.embeddings.size()); // lambda, chrM and 6 phiX174 variants
  }

  @Test
  void sparkResultEqualsTheInMemoryFold(@TempDir Path tmp) throws Exception {
    RunTables spark = run(tmp.resolve("run"), DNA, genomes, 3);
    InMemoryRun expected = new InMemoryRun(DNA, new Readers(DNA.config().tokenizer(), CHUNK, "id", "text"), genomes);
    assertEquals(expected.states.size(), spark.embeddings.size());
    for (Map.Entry<String, Summary> e : expected.states.entrySet()) {
      Summary s = e.getValue();
      for (int h = 0; h < s.heads(); h++) {
        double[] both = spark.states.get(e.getKey() + "/" + h);
        double[] sh = s.sOfHead(h);
        assertArrayEquals(sh, java.util.Arrays.copyOfRange(both, 0, sh.length), e.getKey());
        assertArrayEquals(s.zOfHead(h), java.util.Arrays.copyOfRange(both, sh.length, both.length), e.getKey());
      }
      assertEquals(s.tokens(), spark.tokens.get(e.getKey()));
      assertArrayEquals(expected.embeddings.get(e.getKey()), spark.embeddings.get(e.getKey()), e.getKey());
    }
    assertEquals(48_502 - 2, spark.tokens.get("gi|9626243|ref|NC_001416.1|").longValue());
  }

  /** Every feature map, global, plus favor+ causal with decay: bitwise the same at 1 and 3 partitions. */
  /** Every registered map, global, and one random-feature map causal. */
  static Stream<Arguments> everyFeatureMap() {
    return Stream.concat(FeatureMaps.all().stream().map(m -> Arguments.of(m.name(), false)),
        Stream.of(Arguments.of(FeatureMaps.FAVOR_PLUS.name(), true)));
  }

  @ParameterizedTest
  @MethodSource("everyFeatureMap")
  void everyFeatureMapIsPartitionInvariant(String map, boolean causal, @TempDir Path tmp) throws Exception {
    ModelConfig config = DNA.config().withFeatureMap(FeatureMaps.byName(map), 0);
    if (causal) {
      config = config.withCausal(new double[] {0.99, 1.0});
    }
    Model model = ModelInitializer.random(config, 0, 5);
    List<InputFile> two = genomes.subList(0, 2);
    RunTables one = run(tmp.resolve("p1"), model, two, 1);
    RunTables three = run(tmp.resolve("p3"), model, two, 3);
    assertEquals(one.states.keySet(), three.states.keySet());
    one.states.forEach((k, v) -> assertArrayEquals(v, three.states.get(k), map + " state " + k));
    assertEquals(one.logScales, three.logScales);
    one.embeddings.forEach((k, v) -> assertArrayEquals(v, three.embeddings.get(k), map + " embedding " + k));
    boolean scaled = one.logScales.values().stream().anyMatch(c -> c != 0);
    assertEquals(model.config().featureMap().usesOmega(), scaled, "log-scales exactly for exp-feature maps");
  }

  @Test
  void splitReadsOfIndexedFastaGiveBitwiseTheSameResultsAsWholeFileReads(@TempDir Path tmp) throws Exception {
    List<InputFile> plain = new java.util.ArrayList<>();
    for (InputFile gz : genomes) {
      Path fa = tmp.resolve(Path.of(gz.path()).getFileName().toString().replace(".gz", ""));
      TestModels.gunzip(Path.of(gz.path()), fa);
      plain.add(new InputFile(fa.toString(), InputFormat.FASTA));
    }
    RunTables whole = run(tmp.resolve("gz"), DNA, genomes, 3);
    RunTables split = run(tmp.resolve("plain"), DNA, plain, 3);
    assertEquals(whole.states.keySet(), split.states.keySet());
    whole.states.forEach((k, v) -> assertArrayEquals(v, split.states.get(k), "state " + k));
    whole.embeddings.forEach((k, v) -> assertArrayEquals(v, split.embeddings.get(k), "embedding " + k));
    assertTrue(Files.exists(tmp.resolve("lambda_phage.fa.fai")), "the index is built and kept beside the file");
  }

  /**
   * Index-split FASTA with the default partitioning keeps its chunks in their read tasks, which
   * hold pieces of up to 16 chunks (lambda, 48 chunks of 1,024 tokens, spans three): the same bits
   * as chunks shuffled over hash partitions, global and causal, outputs included.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void chunksLeftInTheirReadTasksGiveBitwiseTheSameResultsAsShuffledChunks(boolean causal, @TempDir Path tmp)
      throws Exception {
    List<InputFile> plain = new java.util.ArrayList<>();
    for (InputFile gz : genomes) {
      Path fa = tmp.resolve(Path.of(gz.path()).getFileName().toString().replace(".gz", ""));
      TestModels.gunzip(Path.of(gz.path()), fa);
      plain.add(new InputFile(fa.toString(), InputFormat.FASTA));
    }
    Model model = causal ? ModelInitializer.random(DNA.config().withCausal(new double[] {0.999, 1.0}), 0, 7) : DNA;
    RunTables inPlace = run(tmp.resolve("in-place"), model, plain, 0, 1024, true);
    assertEquals(lastStats.readTasks(), lastStats.partitions(), "one partition per read task");
    assertTrue(lastStats.readTasks() >= 4, "lambda spans three read tasks: " + lastStats.readTasks());
    RunTables shuffled = run(tmp.resolve("shuffled"), model, plain, 3, 1024, true);
    assertEquals(shuffled.states.keySet(), inPlace.states.keySet());
    shuffled.states.forEach((k, v) -> assertArrayEquals(v, inPlace.states.get(k), "state " + k));
    assertEquals(shuffled.embeddings.keySet(), inPlace.embeddings.keySet());
    shuffled.embeddings.forEach((k, v) -> assertArrayEquals(v, inPlace.embeddings.get(k), "embedding " + k));
    Map<String, float[]> expected = outputs(tmp.resolve("shuffled"));
    Map<String, float[]> actual = outputs(tmp.resolve("in-place"));
    assertEquals(48 + 17 + 6 * 6, expected.size(), "chunks of lambda, chrM and six phiX174 variants");
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), "outputs of chunk " + k));
  }

  /** Every chunk's outputs, by "sequence/chunk". */
  private static Map<String, float[]> outputs(Path run) {
    Map<String, float[]> out = new java.util.TreeMap<>();
    for (Row r : spark.read().parquet(run.resolve("outputs").toString()).collectAsList()) {
      List<Float> values = r.getList(r.fieldIndex("output"));
      float[] a = new float[values.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = values.get(i);
      }
      out.put(r.getString(r.fieldIndex("seq_id")) + "/" + r.getInt(r.fieldIndex("chunk")), a);
    }
    return out;
  }

  @Test
  void documentsCarryTheirPassthroughFields(@TempDir Path tmp) throws Exception {
    Model words = TestModels.words();
    List<InputFile> docs = List.of(new InputFile(
        TestModels.sampleCorpus().resolve("sotu_sample.jsonl").toString(), InputFormat.JSONL));
    RunTables tables = run(tmp.resolve("docs"), words, docs, 2);
    assertEquals(7, tables.embeddings.size());
    tables.embeddings.values().forEach(e -> assertEquals(6, e.length)); // wo projects to d_out = 6
    List<Row> rows = spark.read().parquet(tmp.resolve("docs/embeddings").toString())
        .selectExpr("seq_id", "fields.party", "fields.year", "fields.president").collectAsList();
    assertTrue(rows.stream().anyMatch(r -> "Abraham Lincoln".equals(r.getString(3)) && "Republican".equals(r.getString(1))
        && r.getLong(2) == 1861), rows.toString());
    InMemoryRun expected = new InMemoryRun(words, new Readers(words.config().tokenizer(), CHUNK, "id", "text"), docs);
    expected.embeddings.forEach((id, e) -> assertArrayEquals(e, tables.embeddings.get(id), id));
  }

  @Test
  void recordWithoutTokensIsKeptWithNullEmbedding(@TempDir Path tmp) throws Exception {
    Path fasta = tmp.resolve("short.fa");
    Files.writeString(fasta, ">tiny too short for k=3\nAC\n>real\nACGTACGTTT\n");
    RunTables tables = run(tmp.resolve("out"), DNA, List.of(new InputFile(fasta.toString(), InputFormat.FASTA)), 2);
    assertEquals(0L, tables.tokens.get("tiny"));
    assertNull(tables.embeddings.get("tiny"));
    assertEquals(8L, tables.tokens.get("real"));
  }
}
