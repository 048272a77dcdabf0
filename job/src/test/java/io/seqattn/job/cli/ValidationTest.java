package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.input.FastaIndex;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --validation strict stops at the first malformed record; lenient skips, counts and lists it. */
class ValidationTest {

  @TempDir Path tmp;
  Path dna;
  Path words;

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  @BeforeEach
  void models() throws Exception {
    dna = tmp.resolve("dna");
    ModelDirectory.save(TestModels.dna(), dna);
    words = tmp.resolve("words");
    ModelDirectory.save(TestModels.words(), words);
  }

  static String randomBases(int n, long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("ACGT".charAt(r.nextInt(4)));
    }
    return b.toString();
  }

  static String wrap(String seq, int width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < seq.length(); i += width) {
      b.append(seq, i, Math.min(seq.length(), i + width)).append('\n');
    }
    return b.toString();
  }

  private BadInputTest.Result run(Path model, Path input, String format, String validation, String out,
      String... more) {
    String[] base = {"run", "--input", input.toString(), "--format", format, "--model", model.toString(),
        "--output", tmp.resolve(out).toString(), "--validation", validation, "--chunk-size", "500"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return BadInputTest.cli(all);
  }

  private JsonNode report(String out) throws Exception {
    return new ObjectMapper().readTree(tmp.resolve(out).resolve("run.json").toFile());
  }

  @Test
  void fastaRecordWithABadCharacter() throws Exception {
    String good1 = randomBases(1500, 1);
    String good2 = randomBases(800, 2);
    String bad = randomBases(1200, 3);
    bad = bad.substring(0, 1100) + "#" + bad.substring(1101);   // line 1 + 3 + 1 + 15 = line 19 of the file
    Path fa = tmp.resolve("mixed.fa.gz").resolveSibling("mixed.fa.txt");
    Files.writeString(fa, ">good1\n" + wrap(good1, 500) + ">bad\n" + wrap(bad, 70) + ">good2\n" + wrap(good2, 500));
    Path gz = tmp.resolve("mixed.fa.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(fa));
    }
    BadInputTest.Result strict = run(dna, gz, "fasta", "strict", "strict");
    assertEquals(1, strict.status());
    assertTrue(strict.err().contains(gz + ":21:51: unexpected character '#'"), strict.err());
    assertTrue(strict.err().contains("in sequence 'bad'"), strict.err());
    assertFalse(Files.exists(tmp.resolve("strict")));

    BadInputTest.Result lenient = run(dna, gz, "fasta", "lenient", "lenient");
    assertEquals(0, lenient.status(), lenient.err());
    JsonNode skipped = report("lenient").get("skipped");
    assertEquals(1, skipped.get("records").asInt());
    assertEquals("bad", skipped.at("/listed/0/seq_id").asText());
    assertTrue(skipped.at("/listed/0/reason").asText().contains(":21:51:"), skipped.toString());

    Path clean = tmp.resolve("clean.fa");
    Files.writeString(clean, ">good1\n" + wrap(good1, 500) + ">good2\n" + wrap(good2, 500));
    assertEquals(0, run(dna, clean, "fasta", "strict", "clean").status());
    RunTables withSkip = new RunTables(SparkTestSession.get(), tmp.resolve("lenient"));
    RunTables without = new RunTables(SparkTestSession.get(), tmp.resolve("clean"));
    assertEquals(without.embeddings.keySet(), withSkip.embeddings.keySet());
    without.embeddings.forEach((id, e) -> assertArrayEquals(e, withSkip.embeddings.get(id), id));
  }

  @Test
  void dataBeforeTheFirstHeaderAndAnEmptyId() throws Exception {
    Path fa = tmp.resolve("messy.fa");
    Files.writeString(fa, "ACGTACGT\nACGT\n>ok\nACGTACGTAC\n>\nACGT\n>ok2 desc\nTTTTGGGG\n");
    assertEquals(1, run(dna, fa, "fasta", "strict", "s").status());
    BadInputTest.Result r = run(dna, fa, "fasta", "lenient", "l");
    assertEquals(0, r.status(), r.err());
    JsonNode report = report("l");
    assertEquals(2, report.at("/skipped/records").asInt());
    assertEquals(2, report.at("/counts/sequences").asInt());
  }

  @Test
  void jsonlBrokenLinesAndMissingFields() throws Exception {
    Path jsonl = tmp.resolve("docs.jsonl");
    Files.writeString(jsonl, "{\"id\": \"a\", \"text\": \"one two\"}\n{broken\n{\"id\": \"b\"}\n[1, 2]\n"
        + "{\"id\": \"c\", \"text\": \"three\"}\n");
    BadInputTest.Result strict = run(words, jsonl, "jsonl", "strict", "s");
    assertTrue(strict.err().contains(jsonl + ":2: not valid JSON"), strict.err());
    assertEquals(0, run(words, jsonl, "jsonl", "lenient", "l").status());
    JsonNode report = report("l");
    assertEquals(3, report.at("/skipped/records").asInt());
    assertEquals(2, report.at("/counts/sequences").asInt());
  }

  @Test
  void indexSplitRecordCorruptedAfterIndexing() throws Exception {
    String big = randomBases(20_000, 7);                        // 40 chunks of 500: three read tasks
    Path fa = tmp.resolve("genome.fa");
    Files.writeString(fa, ">big\n" + wrap(big, 60) + ">small\n" + wrap(randomBases(300, 8), 60));
    FastaIndex.build(fa).write(FastaIndex.indexPathOf(fa));
    String text = Files.readString(fa);
    int at = text.indexOf('\n') + 1 + 250 * 61 + 7;            // base 15,007 of 'big', in the second task
    Files.writeString(fa, text.substring(0, at) + "!" + text.substring(at + 1));
    Files.setLastModifiedTime(FastaIndex.indexPathOf(fa), java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(fa).toMillis() + 1000));     // the index still counts as current

    BadInputTest.Result strict = run(dna, fa, "fasta", "strict", "s");
    assertEquals(1, strict.status());
    assertTrue(strict.err().contains("sequence 'big', base 15008: unexpected character '!'"), strict.err());
    BadInputTest.Result lenient = run(dna, fa, "fasta", "lenient", "l");
    assertEquals(0, lenient.status(), lenient.err());
    JsonNode report = report("l");
    assertTrue(report.at("/counts/read_tasks").asInt() > 1, "the record is split: " + report.get("counts"));
    assertEquals("big", report.at("/skipped/listed/0/seq_id").asText());
    RunTables tables = new RunTables(SparkTestSession.get(), tmp.resolve("l"));
    assertEquals(java.util.Set.of("small"), tables.embeddings.keySet(), "no chunk of 'big' survives");
  }

  @Test
  void unevenLinesCannotBeIndexedButLenientReadsTheFileWhole() throws Exception {
    Path fa = tmp.resolve("uneven.fa");
    Files.writeString(fa, ">a\nACGTACGT\nACG\nACGTACGT\n>b\nACGTAC\n");
    BadInputTest.Result strict = run(dna, fa, "fasta", "strict", "s");
    assertTrue(strict.err().contains(fa + ":3: line of sequence 'a' is shorter than the others"), strict.err());
    assertEquals(0, run(dna, fa, "fasta", "lenient", "l").status());
    assertEquals(2, report("l").at("/counts/sequences").asInt());
    assertEquals(0, report("l").at("/skipped/records").asInt());
  }
}
