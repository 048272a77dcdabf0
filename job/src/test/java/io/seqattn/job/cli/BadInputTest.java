package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input through the real CLI: a message naming the file (and line), exit status
 * 1, and no output directory — nor any staging leftovers beside where it would have been.
 */
class BadInputTest {

  @TempDir Path tmp;
  Path model;
  Path outParent;

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  @BeforeEach
  void setUp() throws Exception {
    model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);
    outParent = Files.createDirectories(tmp.resolve("results"));
  }

  @Test
  void emptyFile() throws Exception {
    Path f = write("empty.fa", "");
    assertFails(run(f, "fasta"), f + ": empty file");
  }

  @Test
  void fastaWithoutHeader() throws Exception {
    Path f = write("noheader.fa", "ACGTACGT\nACGT\n");
    assertFails(run(f, "fasta"), f + ":1: sequence data before the first '>' header");
  }

  @Test
  void nonIupacCharacterNamesLineColumnAndRecord() throws Exception {
    Path f = write("bad.fa", ">ok\nACGT\n>chrM desc\nACGTNNACGT\nACG#TT\n");
    assertFails(run(f, "fasta"), f + ":5:4: unexpected character '#' (expected an IUPAC nucleotide code: "
        + "A C G T U R Y S W K M B D H V N) in sequence 'chrM'");
  }

  @Test
  void brokenJsonLine() throws Exception {
    Path f = write("docs.jsonl", "{\"id\": \"a\", \"text\": \"hello\"}\n{\"id\": \"b\", \"text\": \"unterminated}\n");
    assertFails(run(wordsModel(), f, "jsonl"), f + ":2: not valid JSON");
  }

  @Test
  void missingTextField() throws Exception {
    Path f = write("docs.jsonl", "{\"id\": \"a\", \"text\": \"hello\"}\n\n{\"id\": 7, \"body\": \"x\"}\n");
    assertFails(run(wordsModel(), f, "jsonl"), f + ":3: record '7' has no text field 'text'");
  }

  @Test
  void modelWithWrongShape() throws Exception {
    Npy.write(model.resolve("wv.npy"), NpyArray.ofFloats(new float[16 * 15], 16, 15));
    assertFails(run(write("x.fa", ">a\nACGT\n"), "fasta"),
        model.resolve("wv.npy") + ": shape [16, 15] does not match [d_model=16, heads*d_head=16]");
  }

  @Test
  void missingModelFile() throws Exception {
    Files.delete(model.resolve("config.json"));
    assertFails(run(write("x.fa", ">a\nACGT\n"), "fasta"), model.resolve("config.json") + ": missing");
  }

  @Test
  void duplicateSequenceIdsAcrossFiles() throws Exception {
    Path a = write("a.fa", ">same\nACGTACGT\n");
    Path b = write("b.fa", ">other\nACGT\n>same\nTTTT\n");
    Result r = cli("run", "--input", a.toString(), b.toString(), "--format", "fasta", "--model", model.toString(),
        "--output", out().toString());
    // index-split reads know a record by the byte offset of its first base
    assertFails(r, b + ": record 'same' at byte 18: duplicate sequence id 'same' (first at " + a
        + ": record 'same' at byte 6; ids must be unique");
  }

  @Test
  void duplicateIdsNameBothRecordsInEveryFormat() throws Exception {
    Path docs = write("docs.jsonl", "{\"id\": \"x\", \"text\": \"one\"}\n{\"id\": \"y\", \"text\": \"two\"}\n"
        + "{\"id\": \"x\", \"text\": \"three\"}\n");
    assertFails(run(wordsModel(), docs, "jsonl"), docs + ":3: duplicate sequence id 'x' (first at " + docs + ":1;");
    Path one = Files.createDirectories(tmp.resolve("one")).resolve("same.txt");
    Path two = Files.createDirectories(tmp.resolve("two")).resolve("same.txt");
    Files.writeString(one, "a text");
    Files.writeString(two, "another text");
    Result r = cli("run", "--input", two.toString(), one.toString(), "--format", "text", "--model",
        wordsModel().toString(), "--output", out().toString());
    assertFails(r, one + ":1: duplicate sequence id 'same.txt' (first at " + two + ":1;");
  }

  @Test
  void duplicateIdsWithinOneIndexedFastaNameBothHeaders() throws Exception {
    Path f = write("dup.fa", ">x\nACGT\n>y\nACGT\n>x\nTTTT\n");
    assertFails(run(f, "fasta"), f + ":5: duplicate sequence id 'x' (first at " + f + ":1;");
  }

  @Test
  void truncatedGzipSaysSoFromInsideATask() throws Exception {
    byte[] whole = Files.readAllBytes(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz"));
    Path f = tmp.resolve("cut.fa.gz");
    Files.write(f, java.util.Arrays.copyOf(whole, whole.length / 2));
    Result r = run(f, "fasta");
    assertFails(r, f + ":");
    assertTrue(r.err.contains("the gzip stream ends early: the file is truncated or corrupt"), r.err);
    assertEquals(1, r.err.lines().count(), r.err);
  }

  @Test
  void aStaleIndexNewerThanItsFastaIsRefused() throws Exception {
    Path f = write("renamed.fa", ">r1\nACGTACGT\n");
    assertEquals(0, cli("index", f.toString()).status());
    Files.writeString(f, ">r2\nACGTACGT\n"); // renamed in place, the old index kept newer, as cp -p leaves it
    Path fai = Path.of(f + ".fai");
    Files.setLastModifiedTime(fai, java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(f).toMillis() + 60_000));
    assertFails(run(f, "fasta"), fai + ": does not match renamed.fa: record 'r1' is not where the index says: the "
        + "header before byte 4 names 'r2' (the index is stale: rebuild it with 'seqattn index " + f + "', or delete it)");
  }

  @Test
  void existingOutputIsRefusedAndKept() throws Exception {
    Path out = Files.createDirectories(out());
    Files.writeString(out.resolve("keep.txt"), "earlier results");
    Result r = cli("run", "--input", write("x.fa", ">a\nACGT\n").toString(), "--format", "fasta",
        "--model", model.toString(), "--output", out.toString());
    assertEquals(1, r.status, r.err);
    assertTrue(r.err.contains("output already exists"), r.err);
    assertEquals("earlier results", Files.readString(out.resolve("keep.txt")));
  }

  @Test
  void unknownFormatIsAUsageError() throws Exception {
    Result r = cli("run", "--input", write("x.fa", ">a\nACGT\n").toString(), "--format", "genbank",
        "--model", model.toString(), "--output", out().toString());
    assertEquals(2, r.status);
    assertTrue(r.err.contains("seqattn: error: Invalid value for option '--format': 'genbank' is not one of [fasta, "
        + "text, jsonl, ids] (see 'seqattn run --help')"), r.err);
    assertEquals(1, r.err.lines().count(), r.err);
    r = cli("run", "--format", "fasta");
    assertEquals(2, r.status, "missing required options is a usage error");
  }

  private Path wordsModel() throws Exception {
    Path dir = tmp.resolve("words-model");
    ModelDirectory.save(TestModels.words(), dir);
    return dir;
  }

  private Path write(String name, String content) throws Exception {
    Path f = tmp.resolve(name);
    Files.write(f, content.getBytes(StandardCharsets.UTF_8));
    return f;
  }

  private Path out() {
    return outParent.resolve("run");
  }

  private Result run(Path input, String format) {
    return run(model, input, format);
  }

  private Result run(Path modelDir, Path input, String format) {
    return cli("run", "--input", input.toString(), "--format", format, "--model", modelDir.toString(),
        "--output", out().toString());
  }

  private void assertFails(Result r, String expected) throws Exception {
    assertEquals(1, r.status, r.err);
    assertTrue(r.err.contains("seqattn: error: " + expected), "expected '" + expected + "' in:\n" + r.err);
    assertFalse(Files.exists(out()), "no output directory after a failed run");
    try (Stream<Path> left = Files.list(outParent)) {
      assertEquals(0, left.count(), "no staging leftovers");
    }
  }

  record Result(int status, String err) {}

  static Result cli(String... args) {
    StringWriter err = new StringWriter();
    int status = SeqAttn.execute(new PrintWriter(err, true), args);
    return new Result(status, err.toString());
  }
}
