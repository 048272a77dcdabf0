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
}
