package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.job.testing.TestModels;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming readers and the chunker, without Spark. */
class ReadersTest {

  @TempDir Path tmp;

  static List<Chunk> chunks(Readers readers, InputFile file) throws Exception {
    List<Chunk> out = new ArrayList<>();
    for (Iterator<ReadItem> it = readers.chunks(file); it.hasNext(); ) {
      out.add((Chunk) it.next());
    }
    return out;
  }

  static int[] tokens(String seq, int k) {
    DnaKmerTokenizer t = new DnaKmerTokenizer(k, 1);
    TokenBuffer b = new TokenBuffer();
    t.feed(seq, 0, seq.length(), b);
    return b.take(b.size());
  }

  @Test
  void chunksHoldConsecutiveTokensAtTheirGlobalStart() throws Exception {
    String seq = "ACGTTGCAACGTAGCTAGCTAGGATCCA";
    Path f = tmp.resolve("a.fa");
    Files.writeString(f, ">s1 first record\nACGTTGCAAC\r\nGTAGCTAGCT\r\n\r\nAGGATCCA\r\n>s2\nAC\n");
    List<Chunk> chunks = chunks(new Readers(TokenizerSpec.dna(3, 1), 7, "id", "text"),
        new InputFile(f.toString(), InputFormat.FASTA));
    int[] expected = tokens(seq, 3);
    List<Chunk> s1 = chunks.stream().filter(c -> c.seqId().equals("s1")).toList();
    assertEquals(4, s1.size()); // 26 tokens in chunks of 7: 7, 7, 7, 5
    int pos = 0;
    for (int i = 0; i < s1.size(); i++) {
      Chunk c = s1.get(i);
      assertEquals(i, c.index());
      assertEquals(pos, c.start());
      assertArrayEquals(java.util.Arrays.copyOfRange(expected, pos, pos + c.tokens().length), c.tokens());
      pos += c.tokens().length;
    }
    assertEquals(expected.length, pos);
    assertEquals("{\"description\":\"first record\"}", s1.get(0).info().fields());
    assertEquals(f + ":1", s1.get(0).info().origin());
    assertNull(s1.get(1).info());

    Chunk s2 = chunks.get(chunks.size() - 1);
    assertEquals("s2", s2.seqId());
    assertEquals(0, s2.tokens().length, "a record shorter than k still gets its (empty) chunk 0");
    assertEquals(f + ":6", s2.info().origin());
  }

  @Test
  void gzippedFastaReadsLikePlain() throws Exception {
    Path plain = tmp.resolve("x.fa");
    Path gz = tmp.resolve("x.fa.gz");
    String content = ">x\n" + "ACGT".repeat(1000) + "\n";
    Files.writeString(plain, content);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(content.getBytes(StandardCharsets.US_ASCII));
    }
    Readers readers = new Readers(TokenizerSpec.dna(5, 1), 512, "id", "text");
    List<Chunk> a = chunks(readers, new InputFile(plain.toString(), InputFormat.FASTA));
    List<Chunk> b = chunks(readers, new InputFile(gz.toString(), InputFormat.FASTA));
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
    }
  }

  @Test
  void textFileIsOneDocumentNamedAfterTheFile() throws Exception {
    Path f = TestModels.sampleCorpus().resolve("texts/sotu_1790_washington.txt");
    Readers readers = new Readers(TokenizerSpec.bytes(), 1000, "id", "text");
    List<Chunk> chunks = chunks(readers, new InputFile(f.toString(), InputFormat.TEXT));
    long total = chunks.stream().mapToLong(c -> c.tokens().length).sum();
    assertEquals(Files.size(f), total, "one byte token per byte of UTF-8");
    assertTrue(chunks.stream().allMatch(c -> c.seqId().equals("sotu_1790_washington.txt")));
  }

  @Test
  void textErrorsNameTheLine() throws Exception {
    Path f = tmp.resolve("dna.txt");
    Files.writeString(f, "ACGT\nACGT\nAC!T\n");
    Readers readers = new Readers(TokenizerSpec.dna(3, 1), 100, "id", "text");
    InputException e = assertThrows(InputException.class,
        () -> chunks(readers, new InputFile(f.toString(), InputFormat.TEXT)));
    assertTrue(e.getMessage().startsWith(f + ":3: unexpected character '!'"), e.getMessage());
  }

  @Test
  void jsonlAcceptsIntegerIdsAndPassesOtherFieldsThrough() throws Exception {
    Path f = tmp.resolve("d.jsonl");
    Files.writeString(f, "{\"doc\": 17, \"body\": \"Hello world\", \"year\": 1790, \"tags\": [\"a\"]}\n\n");
    Readers readers = new Readers(TokenizerSpec.words(100), 100, "doc", "body");
    List<Chunk> chunks = chunks(readers, new InputFile(f.toString(), InputFormat.JSONL));
    assertEquals(1, chunks.size());
    assertEquals("17", chunks.get(0).seqId());
    assertEquals(2, chunks.get(0).tokens().length);
    assertEquals("{\"year\":1790,\"tags\":[\"a\"]}", chunks.get(0).info().fields());
  }

  @Test
  void notGzipIsReportedWithTheFile() throws Exception {
    Path f = tmp.resolve("fake.fa.gz");
    Files.writeString(f, ">a\nACGT\n");
    InputException e = assertThrows(InputException.class,
        () -> chunks(new Readers(TokenizerSpec.dna(3, 1), 10, "id", "text"), new InputFile(f.toString(), InputFormat.FASTA)));
    assertTrue(e.getMessage().startsWith(f + ": not a gzip file"), e.getMessage());
  }

  private static final String BOM = "\uFEFF";

  @Test
  void aByteOrderMarkIsSkippedInEveryFormatAndLinesStayRight() throws Exception {
    Path jsonl = tmp.resolve("bom.jsonl");
    Files.writeString(jsonl, BOM + "{\"id\": \"a\", \"text\": \"one two\"}\n{\"id\": \"b\", \"text\": 3}\n");
    Readers words = new Readers(TokenizerSpec.words(100), 100, "id", "text", Validation.LENIENT);
    List<ReadItem> items = new ArrayList<>();
    words.chunks(new InputFile(jsonl.toString(), InputFormat.JSONL)).forEachRemaining(items::add);
    assertEquals("a", ((Chunk) items.get(0)).seqId());
    assertEquals(jsonl + ":1", ((Chunk) items.get(0)).info().origin());
    assertTrue(((ReadItem.Skipped) items.get(1)).reason().startsWith(jsonl + ":2: record 'b'"), items.get(1).toString());

    Path text = tmp.resolve("bom.txt");
    Files.writeString(text, BOM + "ACGT\nAC!T\n");
    List<Chunk> bytes = chunks(new Readers(TokenizerSpec.bytes(), 100, "id", "text"),
        new InputFile(text.toString(), InputFormat.TEXT));
    assertEquals(10, bytes.get(0).tokens().length, "the three bytes of the mark are no tokens");
    assertEquals('A', bytes.get(0).tokens()[0]);
    InputException e = assertThrows(InputException.class, () -> chunks(new Readers(TokenizerSpec.dna(3, 1), 100,
        "id", "text"), new InputFile(text.toString(), InputFormat.TEXT)));
    assertTrue(e.getMessage().startsWith(text + ":2: unexpected character '!'"), e.getMessage());

    String fasta = ">s1 with mark\nACGTACGTAC\nGTA\n>s2\nACGTTT\n";
    Path plain = tmp.resolve("plain.fa");
    Files.writeString(plain, fasta);
    Path marked = tmp.resolve("bom.fa");
    Files.writeString(marked, BOM + fasta);
    Path gz = tmp.resolve("bom.fa.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write((BOM + fasta).getBytes(StandardCharsets.UTF_8));
    }
    TokenizerSpec dna = TokenizerSpec.dna(3, 1);
    List<Chunk> expected = SplitReadTest.sequential(plain, dna, 4);
    for (Path f : List.of(marked, gz)) {
      List<Chunk> got = SplitReadTest.sequential(f, dna, 4);
      SplitReadTest.assertSameChunks(expected, got, f.toString());
      assertEquals(f + ":1", got.get(0).info().origin());
    }
    SplitReadTest.assertSameChunks(expected, SplitReadTest.split(marked, dna, 4, 1), "index-split");
    assertEquals("s1\t13\t17\t10\t11\ns2\t6\t36\t6\t7\n", Files.readString(FastaIndex.indexPathOf(marked)),
        "offsets count the mark's bytes");
  }

  @Test
  void aJsonLineWithMoreThanOneValueIsMalformedNotCutShort() throws Exception {
    Path f = tmp.resolve("joined.jsonl");
    Files.writeString(f, "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"b\", \"text\": \"y\"} {\"id\": \"c\", \"text\": \"z\"}\n");
    InputException e = assertThrows(InputException.class, () -> chunks(new Readers(TokenizerSpec.bytes(), 100, "id",
        "text"), new InputFile(f.toString(), InputFormat.JSONL)));
    assertTrue(e.getMessage().startsWith(f + ":2: not valid JSON"), e.getMessage());
  }
}
