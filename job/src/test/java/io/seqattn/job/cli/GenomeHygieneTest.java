package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.input.FastaOptions;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.Validation;
import io.seqattn.job.testing.InMemoryRun;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-file hygiene through the CLI: --skip-n leaves the k-mers of N runs as absent positions
 * (NaN outputs, no key, not pooled) without moving any later position, and --keep-soft-mask flags
 * exactly the k-mers with a lowercase base; index-split and whole-file reads agree bitwise.
 */
class GenomeHygieneTest {
  static final int K = 3;

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  /** A record with soft-masked stretches and N runs, one across chunk boundaries. */
  static String sequence() {
    Random random = new Random(17);
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 900; i++) {
      seq.append("ACGT".charAt(random.nextInt(4)));
    }
    seq.replace(40, 90, "N".repeat(50));
    seq.replace(300, 305, "nnnnn");
    seq.replace(500, 620, seq.substring(500, 620).toLowerCase());
    seq.replace(700, 702, "RY");                     // other ambiguity codes keep the model's rule
    return seq.toString();
  }

  @Test
  void skipNAndSoftMaskThroughTheCli(@TempDir Path tmp) throws Exception {
    String seq = sequence();
    StringBuilder fasta = new StringBuilder(">chr1 masked test\n");
    for (int i = 0; i < seq.length(); i += 60) {
      fasta.append(seq, i, Math.min(seq.length(), i + 60)).append('\n');
    }
    Path fa = Files.writeString(tmp.resolve("g.fa"), fasta);
    Path model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);

    Path run = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli("run", "--input", fa.toString(), "--format", "fasta", "--model",
        model.toString(), "--output", run.toString(), "--chunk-size", "64", "--emit-outputs", "--skip-n",
        "--keep-soft-mask", "--partitions", "3");
    assertEquals(0, r.status(), r.err());

    int tokens = seq.length() - K + 1;
    boolean[] absent = new boolean[tokens];
    boolean[] masked = new boolean[tokens];
    long absentCount = 0;
    long maskedCount = 0;
    for (int p = 0; p < tokens; p++) {
      String kmer = seq.substring(p, p + K);
      absent[p] = kmer.indexOf('N') >= 0 || kmer.indexOf('n') >= 0;
      masked[p] = !kmer.equals(kmer.toUpperCase());
      absentCount += absent[p] ? 1 : 0;
      maskedCount += masked[p] ? 1 : 0;
    }
    JsonNode report = new ObjectMapper().readTree(run.resolve("run.json").toFile());
    assertEquals(tokens, report.at("/counts/tokens").asLong());
    assertEquals(absentCount, report.at("/counts/absent_tokens").asLong());
    assertEquals(maskedCount, report.at("/counts/soft_masked_tokens").asLong());

    int width = ModelDirectory.load(model).config().innerDim();
    List<Row> chunks = SparkTestSession.get().read().parquet(run.resolve("outputs").toString())
        .orderBy("chunk").collectAsList();
    for (Row c : chunks) {
      long start = c.getLong(c.fieldIndex("start"));
      List<Float> out = c.getList(c.fieldIndex("output"));
      List<Boolean> flags = c.getList(c.fieldIndex("soft_masked"));
      for (int i = 0; i < c.getInt(c.fieldIndex("tokens")); i++) {
        int p = (int) start + i;
        assertEquals(masked[p], flags.get(i), "soft mask at " + p);
        for (int f = 0; f < width; f++) {
          float v = out.get(i * width + f);
          assertTrue(absent[p] ? Float.isNaN(v) : Float.isFinite(v), "output at " + p + ": " + v);
        }
      }
    }

    // the same as the in-memory fold, and the same whether the file is index-split or read whole
    Readers readers = new Readers(TestModels.dna().config().tokenizer(), 64, "id", "text", Validation.STRICT,
        new FastaOptions(true, true));
    InMemoryRun expected = new InMemoryRun(ModelDirectory.load(model), readers, List.of(new InputFile(fa.toString(),
        InputFormat.FASTA)));
    RunTables actual = new RunTables(SparkTestSession.get(), run);
    Summary state = expected.states.get("chr1");
    assertArrayEquals(state.sOfHead(0), java.util.Arrays.copyOf(actual.states.get("chr1/0"), state.sOfHead(0).length));
    assertArrayEquals(expected.embeddings.get("chr1"), actual.embeddings.get("chr1"));
    assertEquals(tokens - absentCount, actual.tokens.get("chr1"), "embedding length counts present tokens");

    Path gz = tmp.resolve("g.fa.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(fa));
    }
    Path whole = tmp.resolve("whole");
    r = BadInputTest.cli("run", "--input", gz.toString(), "--format", "fasta", "--model", model.toString(),
        "--output", whole.toString(), "--chunk-size", "64", "--skip-n");
    assertEquals(0, r.status(), r.err());
    RunTables fromGzip = new RunTables(SparkTestSession.get(), whole);
    assertEquals(actual.states.keySet(), fromGzip.states.keySet());
    actual.states.forEach((k, v) -> assertArrayEquals(v, fromGzip.states.get(k), k));
    assertArrayEquals(actual.embeddings.get("chr1"), fromGzip.embeddings.get("chr1"));
  }

  @Test
  void optionsThatCannotApplyAreRefused(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);
    Path fa = Files.writeString(tmp.resolve("g.fa"), ">a\nACGTACGT\n");
    BadInputTest.Result r = BadInputTest.cli("run", "--input", fa.toString(), "--format", "fasta", "--model",
        model.toString(), "--output", tmp.resolve("o").toString(), "--keep-soft-mask");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("--keep-soft-mask writes its flags to outputs/: add --emit-outputs"), r.err());
    Path words = tmp.resolve("words");
    ModelDirectory.save(TestModels.words(), words);
    Path jsonl = Files.writeString(tmp.resolve("d.jsonl"), "{\"id\": \"a\", \"text\": \"hello\"}\n");
    r = BadInputTest.cli("run", "--input", jsonl.toString(), "--format", "jsonl", "--model", words.toString(),
        "--output", tmp.resolve("o").toString(), "--skip-n");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("--skip-n applies to FASTA input read with a dna model"), r.err());
    assertTrue(!Files.exists(tmp.resolve("o")));
  }
}
