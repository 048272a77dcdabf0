package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.testing.BgzfWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .fai or .gzi newer than its FASTA file is checked against the file before it is trusted: a
 * file changed in place while its index was kept (with a newer mtime, as {@code cp -p} and
 * {@code tar -x} leave it) is refused with a message naming the stale index, instead of being read
 * at stale offsets or under stale names.
 */
class IndexCheckTest {
  private static final TokenizerSpec DNA = TokenizerSpec.dna(3, 1);

  @TempDir Path tmp;

  /** Two records of 20-base lines; the first is {@code first}. */
  static String fasta(String first) {
    return ">" + first + " the first\n" + "ACGTACGTAACCGGTTACGT\n".repeat(3) + "ACG\n>s2\n" + "TTGCA".repeat(9) + "\n";
  }

  /** Indexes {@code fa} by planning a split read, then replaces its content keeping the indexes newer. */
  static void changeKeepingIndexes(Path fa, byte[] changed) throws Exception {
    SplitReadTest.split(fa, DNA, 8, 1);
    Files.write(fa, changed);
    CompressedInputTest.touchIndexes(fa);
  }

  static String expectedStale(Path fa, Path index, String what) {
    return index + ": does not match " + fa.getFileName() + ": " + what + " (the index is stale: rebuild it with "
        + "'seqattn index " + fa + "', or delete it)";
  }

  @Test
  void aHeaderRenamedInPlaceIsRefusedNotReadUnderTheOldName() throws Exception {
    Path fa = Files.writeString(tmp.resolve("x.fa"), fasta("r1"));
    changeKeepingIndexes(fa, fasta("r2").getBytes(StandardCharsets.US_ASCII));
    InputException e = assertThrows(InputException.class, () -> SplitReadTest.split(fa, DNA, 8, 1));
    assertEquals(expectedStale(fa, FastaIndex.indexPathOf(fa),
        "record 'r1' is not where the index says: the header before byte 14 names 'r2'"), e.getMessage());

    FastaIndex.build(fa).write(FastaIndex.indexPathOf(fa)); // what 'seqattn index x.fa' does
    List<Chunk> chunks = SplitReadTest.split(fa, DNA, 8, 1);
    assertEquals("r2", chunks.get(0).seqId());
    SplitReadTest.assertSameChunks(SplitReadTest.sequential(fa, DNA, 8), chunks, "after re-indexing");
  }

  @Test
  void aFileCutShortOrRewrappedIsRefused() throws Exception {
    Path fa = Files.writeString(tmp.resolve("cut.fa"), fasta("r1"));
    String content = fasta("r1");
    changeKeepingIndexes(fa, content.substring(0, content.length() - 20).getBytes(StandardCharsets.US_ASCII));
    InputException e = assertThrows(InputException.class, () -> SplitReadTest.split(fa, DNA, 8, 1));
    assertEquals(expectedStale(fa, FastaIndex.indexPathOf(fa), "record 's2' ends at byte 130, past the end of the "
        + "file (111 bytes)"), e.getMessage());

    Path wrapped = Files.writeString(tmp.resolve("wrapped.fa"), content);
    changeKeepingIndexes(wrapped, content.replace("ACGTACGTAA", "ACGTACGTAA\n").getBytes(StandardCharsets.US_ASCII));
    e = assertThrows(InputException.class, () -> SplitReadTest.split(wrapped, DNA, 8, 1));
    assertTrue(e.getMessage().startsWith(FastaIndex.indexPathOf(wrapped) + ": does not match wrapped.fa: record 's2' "
        + "is not where the index says"), e.getMessage());
  }

  @Test
  void lineBreaksMovedInsideARecordAreFoundWhileReading() throws Exception {
    // same size, same headers: only the task that reads the record can see its lines moved
    String content = fasta("r1");
    Path fa = Files.writeString(tmp.resolve("moved.fa"), content);
    String moved = content.replaceFirst("ACGTACGTAACCGGTTACGT\nA", "ACGTACGTAACCGGTTACG\nTA");
    assertEquals(content.length(), moved.length());
    changeKeepingIndexes(fa, moved.getBytes(StandardCharsets.US_ASCII));
    InputException e = assertThrows(InputException.class, () -> SplitReadTest.split(fa, DNA, 8, 1));
    assertEquals(expectedStale(fa, FastaIndex.indexPathOf(fa), "byte 33 of record 'r1' is a line break where the "
        + "index says it is a base"), e.getMessage());
  }

  @Test
  void anImpossibleLineGeometryIsRefused() throws Exception {
    Path fa = Files.writeString(tmp.resolve("g.fa"), fasta("r1"));
    Path fai = FastaIndex.indexPathOf(fa);
    Files.writeString(fai, "r1\t63\t14\t20\t20\ns2\t45\t85\t45\t46\n");
    CompressedInputTest.touchIndexes(fa);
    InputException e = assertThrows(InputException.class, () -> SplitReadTest.split(fa, DNA, 8, 1));
    assertEquals(expectedStale(fa, fai, "record 'r1' has an impossible line geometry (20 bases in lines of 20 "
        + "bytes)"), e.getMessage());
  }

  @Test
  void aBlockIndexOfAnEarlierCompressionIsRefused() throws Exception {
    byte[] data = (fasta("r1") + fasta("r3").replace(">s2", ">s4")).repeat(1).getBytes(StandardCharsets.US_ASCII);
    Path gz = BgzfWriter.write(data, 60, tmp.resolve("x.fa.gz"));
    SplitReadTest.split(gz, DNA, 8, 1);
    BgzfWriter.write(data, 45, gz); // the same text recompressed: the .fai still fits, the .gzi does not
    CompressedInputTest.touchIndexes(gz);
    InputException e = assertThrows(InputException.class, () -> SplitReadTest.split(gz, DNA, 8, 1));
    assertTrue(e.getMessage().startsWith(Bgzf.indexPathOf(gz) + ": does not match x.fa.gz: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("(the index is stale: rebuild it with 'seqattn index " + gz
        + "', or delete it)"), e.getMessage());
  }

  @Test
  void aFreshIndexOfAnUnchangedFileIsUsedAsItIs() throws Exception {
    String content = fasta("r1");
    Path fa = Files.writeString(tmp.resolve("same.fa"), content);
    changeKeepingIndexes(fa, content.getBytes(StandardCharsets.US_ASCII));
    SplitReadTest.assertSameChunks(SplitReadTest.sequential(fa, DNA, 8), SplitReadTest.split(fa, DNA, 8, 1), "fa");
    byte[] data = content.getBytes(StandardCharsets.US_ASCII);
    Path gz = BgzfWriter.write(data, 50, tmp.resolve("same.fa.gz"));
    changeKeepingIndexes(gz, Files.readAllBytes(gz));
    SplitReadTest.assertSameChunks(SplitReadTest.sequential(fa, DNA, 8), SplitReadTest.split(gz, DNA, 8, 1), "BGZF");
  }

  @Test
  void aNonAsciiNameIsTheSameInTheIndexAndInASequentialRead() throws Exception {
    Path fa = Files.writeString(tmp.resolve("utf8.fa"), fasta("séq-α"), StandardCharsets.UTF_8);
    SplitReadTest.assertSameChunks(SplitReadTest.sequential(fa, DNA, 8), SplitReadTest.split(fa, DNA, 8, 1), "built");
    SplitReadTest.assertSameChunks(SplitReadTest.sequential(fa, DNA, 8), SplitReadTest.split(fa, DNA, 8, 1),
        "read back and checked");
    assertEquals("séq-α", SplitReadTest.split(fa, DNA, 8, 1).get(0).seqId());
  }

  @Test
  void basesWhereARecordShouldEndOrARecordAppendedAreRefused() throws Exception {
    String content = fasta("r1");
    Path last = Files.writeString(tmp.resolve("last.fa"), content);
    changeKeepingIndexes(last, (content.substring(0, content.length() - 1) + "A").getBytes(StandardCharsets.US_ASCII));
    InputException e = assertThrows(InputException.class, () -> SplitReadTest.split(last, DNA, 8, 1));
    assertEquals(expectedStale(last, FastaIndex.indexPathOf(last), "the file holds more than line breaks after the end "
        + "of record 's2' at byte 130"), e.getMessage());

    Path appended = Files.writeString(tmp.resolve("appended.fa"), content);
    changeKeepingIndexes(appended, (content + ">s3\nACGT\n").getBytes(StandardCharsets.US_ASCII));
    assertThrows(InputException.class, () -> SplitReadTest.split(appended, DNA, 8, 1));

    Path first = Files.writeString(tmp.resolve("first.fa"), content);
    changeKeepingIndexes(first, content.replace("ACG\n>s2", "ACGT>s2").getBytes(StandardCharsets.US_ASCII));
    e = assertThrows(InputException.class, () -> SplitReadTest.split(first, DNA, 8, 1));
    assertTrue(e.getMessage().contains("record 's2' is not where the index says"), e.getMessage());
  }

  @Test
  void aDescriptionHoldingAGreaterThanSignIsReadAsSequentially() throws Exception {
    Path fa = Files.writeString(tmp.resolve("gt.fa"), fasta("r1 length>60 a=>b"));
    List<Chunk> split = SplitReadTest.split(fa, DNA, 8, 1);
    assertEquals("{\"description\":\"length>60 a=>b the first\"}", split.get(0).info().fields());
    SplitReadTest.assertSameChunks(SplitReadTest.sequential(fa, DNA, 8), split, "description");
  }

  @Test
  void aLastHeaderWithoutALineBreakKeepsItsDescriptionAndItsIndex() throws Exception {
    // found by ReaderPropertyTest: the file's last line is an empty record's header, with no line break after it
    Path fa = Files.writeString(tmp.resolve("open.fa"), fasta("r1") + ">empty its description");
    List<Chunk> built = SplitReadTest.split(fa, DNA, 8, 1);
    List<Chunk> checked = SplitReadTest.split(fa, DNA, 8, 1); // the kept .fai, verified before use
    for (List<Chunk> split : List.of(built, checked)) {
      Chunk last = split.get(split.size() - 1);
      assertEquals("empty", last.seqId());
      assertEquals("{\"description\":\"its description\"}", last.info().fields());
    }
  }
}
