package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.testing.BgzfWriter;
import io.seqattn.job.testing.TestModels;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BGZF: the block index and .fai agree byte for byte with what bgzip and samtools wrote
 * (resources/bgzf/make_golden.sh), random access returns the uncompressed bytes, and split reads of
 * a BGZF file give exactly the chunks of a sequential read, with block boundaries everywhere.
 */
class BgzfTest {

  @TempDir Path tmp;

  private Path resource(String name) throws Exception {
    Path target = tmp.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/bgzf/" + name)) {
      Files.copy(in, target);
    }
    return target;
  }

  private static byte[] gunzip(Path gz) throws Exception {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void indexesEqualThoseOfBgzipAndSamtools() throws Exception {
    Path gz = resource("yeast_chrI.fa.gz");
    Path golden = resource("yeast_chrI.fa.gz.gzi");
    byte[] expectedGzi = Files.readAllBytes(golden);
    String expectedFai = new String(getClass().getResourceAsStream("/bgzf/yeast_chrI.fa.gz.fai").readAllBytes());
    Files.delete(golden);

    assertTrue(Bgzf.isBgzf(gz));
    Bgzf.BlockIndex built = Bgzf.BlockIndex.build(gz);
    assertEquals(4, built.compressed().length, "bgzip wrote 4 blocks of data");
    built.write(tmp.resolve("ours.gzi"));
    assertArrayEquals(expectedGzi, Files.readAllBytes(tmp.resolve("ours.gzi")), ".gzi");
    assertEquals(built, Bgzf.BlockIndex.read(tmp.resolve("ours.gzi")));

    FastaIndex.build(gz).write(tmp.resolve("ours.fai"));
    assertEquals(expectedFai, Files.readString(tmp.resolve("ours.fai")), ".fai");
  }

  @Test
  void randomAccessReturnsTheUncompressedBytes() throws Exception {
    Path gz = resource("yeast_chrI.fa.gz");
    byte[] plain = gunzip(gz);
    Random random = new Random(3);
    try (ByteSource source = ByteSource.open(gz)) {
      for (int trial = 0; trial < 300; trial++) {
        long pos = random.nextInt(plain.length + 10);
        ByteBuffer buf = ByteBuffer.allocate(1 + random.nextInt(100_000));
        int n = source.read(buf, pos);
        if (pos >= plain.length) {
          assertEquals(-1, n, "past the end");
          continue;
        }
        assertTrue(n > 0 && n <= buf.capacity());
        for (int i = 0; i < n; i++) {
          assertEquals(plain[(int) pos + i], buf.get(i), "byte " + (pos + i));
        }
      }
    }
  }

  @Test
  void splitReadsOfBgzfEqualOneSequentialRead() throws Exception {
    Path lambda = TestModels.gunzip(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz"), tmp.resolve("l.fa"));
    Random random = new Random(11);
    StringBuilder edge = new StringBuilder(">edge with description\r\n");
    for (int line = 0; line < 300; line++) {
      for (int i = 0; i < 13; i++) {
        edge.append(line >= 100 && line < 120 ? 'N' : "ACGTacgt".charAt(random.nextInt(8)));
      }
      edge.append("\r\n");
    }
    byte[] data = (Files.readString(lambda) + edge).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Path plain = Files.write(tmp.resolve("mixed.fa"), data);
    for (int blockSize : new int[] {97, 1000, 65280}) {
      Path gz = BgzfWriter.write(data, blockSize, tmp.resolve("mixed" + blockSize + ".fa.gz"));
      for (int k : new int[] {1, 5}) {
        TokenizerSpec spec = TokenizerSpec.dna(k, 1);
        for (int chunkSize : new int[] {7, 1000}) {
          List<Chunk> whole = SplitReadTest.sequential(plain, spec, chunkSize);
          SplitReadTest.assertSameChunks(whole, SplitReadTest.sequential(gz, spec, chunkSize),
              "BGZF read whole, block " + blockSize);
          SplitReadTest.assertSameChunks(whole, SplitReadTest.split(gz, spec, chunkSize, 3),
              "BGZF split, block " + blockSize + " k=" + k + " C=" + chunkSize);
        }
      }
      assertTrue(Files.exists(Bgzf.indexPathOf(gz)), "the planner keeps the .gzi beside the file");
      assertTrue(Files.exists(FastaIndex.indexPathOf(gz)), "and the .fai");
    }
  }

  @Test
  void bgzSuffixedAndFasFilesAreFastaAndBgzSplitsLikeGz() throws Exception {
    Path lambda = TestModels.gunzip(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz"), tmp.resolve("l.fas"));
    byte[] data = Files.readAllBytes(lambda);
    Path bgz = BgzfWriter.write(data, 4096, tmp.resolve("lambda.fa.bgz"));
    for (String name : new String[] {"l.fas", "lambda.fa.bgz", "x.fasta.bgz", "x.fas.gz", "X.FNA.BGZ"}) {
      assertTrue(InputFormat.FASTA.accepts(name), name + " is a FASTA file name");
    }
    assertTrue(InputFormat.isCompressedName("lambda.fa.bgz"));
    assertFalse(InputFormat.isCompressedName("l.fas"));
    TokenizerSpec spec = TokenizerSpec.dna(3, 1);
    List<Chunk> whole = SplitReadTest.sequential(lambda, spec, 1000);
    SplitReadTest.assertSameChunks(whole, SplitReadTest.sequential(bgz, spec, 1000), ".fa.bgz read whole");
    SplitReadTest.assertSameChunks(whole, SplitReadTest.split(bgz, spec, 1000, 3), ".fa.bgz split");
    assertTrue(Files.exists(Bgzf.indexPathOf(bgz)), "a .bgz file is split through its .gzi");
  }

  @Test
  void plainGzipIsReadWholeAndCannotBeIndexed() throws Exception {
    Path gz = TestModels.sampleCorpus().resolve("lambda_phage.fa.gz");
    assertFalse(Bgzf.isBgzf(gz));
    List<ReadTask> tasks = new SplitPlanner(TokenizerSpec.dna(3, 1), 1000, 2)
        .plan(List.of(new InputFile(gz.toString(), InputFormat.FASTA)));
    assertEquals(1, tasks.size());
    assertTrue(tasks.get(0) instanceof ReadTask.WholeFile);
    InputException e = assertThrows(InputException.class, () -> FastaIndex.build(gz));
    assertTrue(e.getMessage().contains("bgzip"), e.getMessage());
  }

  @Test
  void aStaleOrCorruptBlockIndexIsNotTrusted() throws Exception {
    Path gz = resource("yeast_chrI.fa.gz");
    Path gzi = Bgzf.indexPathOf(gz);
    Files.write(gzi, new byte[] {1, 2, 3});
    InputException e = assertThrows(InputException.class, () -> Bgzf.BlockIndex.read(gzi));
    assertTrue(e.getMessage().startsWith(gzi.toString()), e.getMessage());

    // older than the data: rebuilt (and rewritten) instead of read
    Files.setLastModifiedTime(gzi, FileTime.fromMillis(Files.getLastModifiedTime(gz).toMillis() - 60_000));
    assertEquals(Bgzf.BlockIndex.build(gz), Bgzf.BlockIndex.of(gz));
    assertEquals(56, Files.size(gzi));
  }

  @Test
  void aTruncatedFileIsAnErrorNamingIt() throws Exception {
    Path gz = resource("yeast_chrI.fa.gz");
    byte[] bytes = Files.readAllBytes(gz);
    Path cut = Files.write(tmp.resolve("cut.fa.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    InputException e = assertThrows(InputException.class, () -> Bgzf.BlockIndex.build(cut));
    assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
  }
}
