package io.seqattn.job.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.cli.SeqAttn;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.FastaOptions;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.Validation;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import io.seqattn.udfs.SeqAttnFunctions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark.read().format("seqattn-fasta")} on real genomes (lambda uncompressed, so index-split;
 * human chrM gzip-compressed, read whole; phiX174 variants, many records): its rows are the chunks
 * the CLI's readers yield, bit for bit, and the SQL job over them gives {@code seqattn run}'s states.
 */
class FastaDataSourceTest {
  static final int CHUNK = 1000;

  @TempDir static Path tmp;
  static Path genomes;

  @BeforeAll
  static void genomes() throws Exception {
    genomes = Files.createDirectories(tmp.resolve("genomes"));
    Path sample = TestModels.sampleCorpus();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(sample.resolve("lambda_phage.fa.gz")))) {
      Files.write(genomes.resolve("lambda.fa"), in.readAllBytes());
    }
    Files.copy(sample.resolve("human_chrM.fa.gz"), genomes.resolve("chrM.fa.gz"));
    Files.copy(sample.resolve("phiX174_variants.fa.gz"), genomes.resolve("phiX.fa.gz"));
    Files.writeString(genomes.resolve("notes.txt"), "not FASTA: a directory contributes its FASTA files only\n");
  }

  static Dataset<Row> read(SparkSession spark, String... paths) {
    return spark.read().format("seqattn-fasta").option("k", 3).option("chunkSize", CHUNK).load(paths);
  }

  /** seq_id → the file it is in. */
  static final Map<String, String> FILE_OF = new TreeMap<>();

  /** (seq_id/chunk) → the chunk, read sequentially by the CLI's readers. */
  static Map<String, Chunk> sequentialChunks() throws Exception {
    Readers readers = new Readers(TokenizerSpec.dna(3, 1), CHUNK, "id", "text", Validation.STRICT, FastaOptions.NONE);
    Map<String, Chunk> chunks = new TreeMap<>();
    for (String name : new String[] {"chrM.fa.gz", "lambda.fa", "phiX.fa.gz"}) {
      for (Iterator<ReadItem> it = readers.chunks(new InputFile(genomes.resolve(name).toString(), InputFormat.FASTA));
          it.hasNext(); ) {
        Chunk c = (Chunk) it.next();
        chunks.put(c.seqId() + "/" + c.index(), c);
        FILE_OF.put(c.seqId(), genomes.resolve(name).toString());
      }
    }
    return chunks;
  }

  @Test
  void rowsAreTheChunksOfTheCliReadersBitForBit() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> df = read(spark, genomes.toString());
    assertEquals(FastaDataSource.SCHEMA, df.schema());
    Map<String, Chunk> expected = sequentialChunks();
    List<Row> rows = df.collectAsList();
    assertEquals(expected.size(), rows.size(), "one row per chunk");
    assertTrue(df.rdd().getNumPartitions() > 3, "the uncompressed file is split by its index: "
        + df.rdd().getNumPartitions() + " partitions for 3 files");
    assertTrue(Files.exists(genomes.resolve("lambda.fa.fai")), "the .fai is written beside the file");
    for (Row r : rows) {
      String key = r.getString(0) + "/" + r.getInt(2);
      Chunk c = expected.get(key);
      assertTrue(c != null, "unexpected chunk " + key);
      assertEquals(c.start(), r.getLong(3), key);
      List<Integer> tokens = r.getList(4);
      assertArrayEquals(c.tokens(), tokens.stream().mapToInt(Integer::intValue).toArray(), key);
      assertEquals(FILE_OF.get(c.seqId()), r.getString(5), key + ": source");
      if (r.getInt(2) > 0) {
        assertNull(r.get(1), key + ": description on chunk 0 only");
      }
    }
    Row lambda = df.where("chunk = 0 AND source LIKE '%lambda.fa'").first();
    assertTrue(lambda.getString(1).contains("phage"), "the header's description: " + lambda.getString(1));
    assertTrue(expected.keySet().stream().filter(k -> k.startsWith(lambda.getString(0) + "/")).count() >= 4,
        "lambda spans at least 4 chunks");
  }

  @Test
  void theSqlJobOverTheSourceGivesTheCliStatesBitwise() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path modelDir = tmp.resolve("dna");
    Model model = TestModels.dna();
    ModelDirectory.save(model, modelDir);
    Path run = tmp.resolve("run");
    java.io.StringWriter err = new java.io.StringWriter();
    int status = SeqAttn.execute(new java.io.PrintWriter(err, true), "run", "--input", genomes.toString(), "--format",
        "fasta", "--model", modelDir.toString(), "--output", run.toString(), "--chunk-size", String.valueOf(CHUNK));
    assertEquals(0, status, err.toString());
    RunTables cli = new RunTables(spark, run);

    SeqAttnFunctions.register(spark, model);
    read(spark, genomes.resolve("*.fa*").toString()).createOrReplaceTempView("chunks");
    List<Row> states = spark.sql(
        "SELECT seq_id, seqattn_merge(seqattn_summarize(tokens, start)) FROM chunks GROUP BY seq_id").collectAsList();
    assertEquals(cli.tokens.size(), states.size(), "every sequence");
    for (Row row : states) {
      String id = row.getString(0);
      Summary sql = SummaryCodec.fromBytes((byte[]) row.get(1)).summary();
      assertEquals(model.config().heads(), sql.heads());
      cli.assertState(id, sql);
    }
  }

  @Test
  void badOptionsAndInputsAreClearErrors() throws Exception {
    SparkSession spark = SparkTestSession.get();
    assertMessage(() -> spark.read().format("seqattn-fasta").load(genomes.toString()).collect(),
        "seqattn-fasta: option k is required");
    assertMessage(() -> spark.read().format("seqattn-fasta").option("k", 3).option("chunk_size", 10)
        .load(genomes.toString()).collect(), "seqattn-fasta: unknown option 'chunk_size'");
    assertMessage(() -> spark.read().format("seqattn-fasta").option("k", 30).load(genomes.toString()).collect(),
        "seqattn-fasta: option k must be an integer from 1 to 15, got '30'");
    assertMessage(() -> read(spark, genomes.resolve("*.fasta").toString()).collect(), "*.fasta: no file matches");
    Path bad = Files.writeString(tmp.resolve("bad.fa"), ">s\nACGT\nAC#T\n");
    assertMessage(() -> read(spark, bad.toString()).collect(), bad + ":3:3: unexpected character '#'");
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable call, String message) {
    Throwable e = assertThrows(Throwable.class, call);
    List<String> seen = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(message)) {
        return;
      }
      seen.add(String.valueOf(t));
    }
    throw new AssertionError("expected an error containing '" + message + "', got " + seen, e);
  }
}
