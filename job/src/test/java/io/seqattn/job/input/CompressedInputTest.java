package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.testing.BgzfWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged compressed input — gzip cut short, flipped bits, a bad trailer, bytes after the last
 * member, BGZF without its end-of-file block — is an {@link InputException} naming the file and
 * the line reached, in every format, never a bare EOFException or ZipException and never a
 * quietly shorter read.
 */
class CompressedInputTest {
  private static final Pattern DAMAGED =
      Pattern.compile(":(\\d+): .*: the file is truncated or corrupt \\(re-download or recompress it\\)");

  @TempDir Path tmp;

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** A FASTA file of {@code lines} 60-base lines after one header, as bytes. */
  static byte[] fasta(int lines) {
    Random random = new Random(lines);
    StringBuilder s = new StringBuilder(">chr1 test\n");
    for (int i = 0; i < lines; i++) {
      for (int j = 0; j < 60; j++) {
        s.append("ACGT".charAt(random.nextInt(4)));
      }
      s.append('\n');
    }
    return s.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] jsonl(int lines) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      s.append("{\"id\": \"d").append(i).append("\", \"text\": \"line ").append(i).append(" of some text\"}\n");
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Readers readersFor(InputFormat format) {
    return new Readers(format == InputFormat.FASTA ? TokenizerSpec.dna(3, 1) : TokenizerSpec.words(100), 50, "id",
        "text");
  }

  /** Reads {@code file} whole and returns the InputException it must end in. */
  static InputException readFails(Path file, InputFormat format) {
    return assertThrows(InputException.class, () -> ReadersTest.chunks(readersFor(format),
        new InputFile(file.toString(), format)), file.toString());
  }

  /** The message names the file, a line, and says the file is damaged; returns the line. */
  static long assertDamaged(Path file, InputException e, String what) {
    String m = e.getMessage();
    assertTrue(m.startsWith(file.toString() + ":"), m);
    var matcher = DAMAGED.matcher(m.substring(file.toString().length()));
    assertTrue(matcher.matches(), m);
    assertTrue(m.contains(what), m);
    return Long.parseLong(matcher.group(1));
  }

  @Test
  void truncatedGzipNamesTheFileAndTheLineReachedInEveryFormat() throws Exception {
    record Case(String name, InputFormat format, byte[] data, long lines) {}
    List<Case> cases = List.of(new Case("x.fa.gz", InputFormat.FASTA, fasta(3000), 3001),
        new Case("x.jsonl.gz", InputFormat.JSONL, jsonl(3000), 3000),
        new Case("x.txt.gz", InputFormat.TEXT, jsonl(3000), 3000));
    for (Case c : cases) {
      byte[] gz = gzip(c.data());
      Path cut = Files.write(tmp.resolve(c.name()), Arrays.copyOf(gz, gz.length * 6 / 10));
      long line = assertDamaged(cut, readFails(cut, c.format()), "the gzip stream ends early");
      assertTrue(line > c.lines() / 3 && line < c.lines(), "the line reached, not 1 or the end: " + line);
    }
  }

  @Test
  void aFileCutInsideItsHeaderOrTrailerIsTruncatedToo() throws Exception {
    byte[] gz = gzip(fasta(10));
    for (int cut : new int[] {1, 5, 9, gz.length - 8, gz.length - 3, gz.length - 1}) {
      Path f = Files.write(tmp.resolve("cut" + cut + ".fa.gz"), Arrays.copyOf(gz, cut));
      InputException e = readFails(f, InputFormat.FASTA);
      if (cut < 2) {
        assertTrue(e.getMessage().startsWith(f + ": not a gzip file"), e.getMessage());
      } else {
        assertDamaged(f, e, "the gzip stream ends early");
      }
    }
  }

  @Test
  void corruptDeflateDataOrTrailerIsCorrupt() throws Exception {
    byte[] gz = gzip(fasta(2000));
    byte[] flipped = gz.clone();
    for (int i = gz.length / 2; i < gz.length / 2 + 16; i++) {
      flipped[i] ^= (byte) 0x5a;
    }
    Path f = Files.write(tmp.resolve("flipped.fa.gz"), flipped);
    assertDamaged(f, readFails(f, InputFormat.FASTA), "gzip member at byte 0");

    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 1;
    Path g = Files.write(tmp.resolve("crc.fa.gz"), badCrc);
    assertDamaged(g, readFails(g, InputFormat.FASTA), "the gzip member at byte 0 fails its CRC32 check");
  }

  @Test
  void bytesAfterTheLastMemberMustBeAWholeMember() throws Exception {
    byte[] first = gzip(jsonl(5));
    byte[] second = gzip(jsonl(7));
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    Path whole = Files.write(tmp.resolve("two.jsonl.gz"), both);
    assertEquals(12, ReadersTest.chunks(readersFor(InputFormat.JSONL), new InputFile(whole.toString(),
        InputFormat.JSONL)).size(), "concatenated members are read in turn");

    // cut inside the second member's header: GZIPInputStream quietly returned the first member alone
    Path cut = Files.write(tmp.resolve("cut.jsonl.gz"), Arrays.copyOf(both, first.length + 6));
    assertDamaged(cut, readFails(cut, InputFormat.JSONL), "the gzip stream ends early");

    byte[] garbage = Arrays.copyOf(first, first.length + 3);
    garbage[first.length] = 'x';
    Path trailing = Files.write(tmp.resolve("trailing.jsonl.gz"), garbage);
    long line = assertDamaged(trailing, readFails(trailing, InputFormat.JSONL), "are not another gzip member");
    assertEquals(6, line, "after the five good lines");
  }

  @Test
  void bgzfWithoutItsEndOfFileBlockIsTruncated() throws Exception {
    Path bgzf = BgzfWriter.write(jsonl(300), 1000, tmp.resolve("full.jsonl.gz"));
    assertEquals(300, ReadersTest.chunks(readersFor(InputFormat.JSONL), new InputFile(bgzf.toString(),
        InputFormat.JSONL)).size());
    byte[] bytes = Files.readAllBytes(bgzf);
    Path cut = Files.write(tmp.resolve("cut.jsonl.gz"), Arrays.copyOf(bytes, bytes.length - 28));
    assertDamaged(cut, readFails(cut, InputFormat.JSONL), "the BGZF end-of-file marker block is missing");
  }

  @Test
  void indexingADamagedBgzfFileNamesIt() throws Exception {
    Path bgzf = BgzfWriter.write(fasta(500), 4096, tmp.resolve("g.fa.gz"));
    long[] blocks = Bgzf.BlockIndex.build(bgzf).compressed();
    byte[] bytes = Files.readAllBytes(bgzf);
    bytes[(int) blocks[3] - 8] ^= 1; // the CRC32 of block 2
    Path corrupt = Files.write(tmp.resolve("corrupt.fa.gz"), bytes);
    InputException e = assertThrows(InputException.class, () -> FastaIndex.build(corrupt));
    assertDamaged(corrupt, e, "the gzip member at byte " + blocks[2] + " fails its CRC32 check");
  }

  /** Plans an index-split read of {@code fa} and reads every task, as the job does. */
  static List<Chunk> splitRead(Path fa, int chunkSize) throws Exception {
    return SplitReadTest.split(fa, TokenizerSpec.dna(3, 1), chunkSize, 2);
  }

  /** Makes the file's indexes newer than it, as {@code cp -p} or {@code tar -x} may leave them. */
  static void touchIndexes(Path fa) throws IOException {
    FileTime later = FileTime.fromMillis(Files.getLastModifiedTime(fa).toMillis() + 2000);
    Files.setLastModifiedTime(FastaIndex.indexPathOf(fa), later);
    if (Files.exists(Bgzf.indexPathOf(fa))) {
      Files.setLastModifiedTime(Bgzf.indexPathOf(fa), later);
    }
  }

  @Test
  void aBgzfBlockFailingItsCrcIsCorruptInTheSplitReadToo() throws Exception {
    Path fa = BgzfWriter.write(fasta(500), 1000, tmp.resolve("g.fa.gz"));
    splitRead(fa, 500); // builds and keeps the .fai and .gzi
    long[] blocks = Bgzf.BlockIndex.build(fa).compressed();
    byte[] bytes = Files.readAllBytes(fa);
    bytes[(int) blocks[6] - 8] ^= 1; // the CRC32 of block 5: bit rot after indexing
    Files.write(fa, bytes);
    touchIndexes(fa);
    InputException e = assertThrows(InputException.class, () -> splitRead(fa, 500));
    assertEquals(fa + ": the BGZF block at byte " + blocks[5] + " fails its CRC32 check: the file is truncated or "
        + "corrupt (re-download or recompress it)", e.getMessage());
  }

  @Test
  void bgzfWithoutItsEndOfFileBlockIsRefusedBeforeSplitting() throws Exception {
    byte[] bytes = Files.readAllBytes(BgzfWriter.write(fasta(500), 1000, tmp.resolve("full.fa.gz")));
    Path fa = Files.write(tmp.resolve("g.fa.gz"), Arrays.copyOf(bytes, bytes.length - 28));
    String expected = fa + ": the BGZF end-of-file marker block is missing: the file is truncated or corrupt "
        + "(re-download or recompress it)";
    assertEquals(expected, assertThrows(InputException.class, () -> splitRead(fa, 500)).getMessage(),
        "no index yet");

    Files.write(fa, bytes);
    splitRead(fa, 500);
    Files.write(fa, Arrays.copyOf(bytes, bytes.length - 28));
    touchIndexes(fa);
    assertEquals(expected, assertThrows(InputException.class, () -> splitRead(fa, 500)).getMessage(),
        "indexes made before the file was cut, and newer than it");
  }
}
