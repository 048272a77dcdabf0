package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.job.testing.TestModels;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .fai writer against indexes samtools wrote for the same files (src/test/resources/fai/make_golden.sh). */
class FastaIndexTest {

  @TempDir Path tmp;

  private void assertMatchesSamtools(Path fasta, String golden) throws Exception {
    FastaIndex.build(fasta).write(FastaIndex.indexPathOf(fasta));
    String expected;
    try (InputStream in = getClass().getResourceAsStream("/fai/" + golden)) {
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(expected, Files.readString(FastaIndex.indexPathOf(fasta)), golden);
  }

  @Test
  void equalsSamtoolsOnRealGenomesWith60_70And80BaseLines() throws Exception {
    for (String name : new String[] {"lambda_phage", "human_chrM", "phiX174_variants"}) {
      Path fa = TestModels.gunzip(TestModels.sampleCorpus().resolve(name + ".fa.gz"), tmp.resolve(name + ".fa"));
      assertMatchesSamtools(fa, name + ".fa.fai");
    }
  }

  @Test
  void equalsSamtoolsWithCrlfLineEndings() throws Exception {
    Path lf = TestModels.gunzip(TestModels.sampleCorpus().resolve("human_chrM.fa.gz"), tmp.resolve("lf.fa"));
    Path crlf = tmp.resolve("human_chrM_crlf.fa");
    Files.writeString(crlf, Files.readString(lf).replace("\n", "\r\n"));
    assertMatchesSamtools(crlf, "human_chrM_crlf.fa.fai");
  }

  @Test
  void equalsSamtoolsOnCElegansChrXWith50BaseLines() throws Exception {
    Path gz = Path.of(System.getProperty("seqattn.shared.corpus", "../../shared/corpus"), "genomes/celegans_chrX.fa.gz");
    Assumptions.assumeTrue(Files.isReadable(gz), "shared corpus not present");
    assertMatchesSamtools(TestModels.gunzip(gz, tmp.resolve("celegans_chrX.fa")), "celegans_chrX.fa.fai");
  }

  @Test
  void offsetArithmeticFindsEveryBase() throws Exception {
    Path fa = TestModels.gunzip(TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz"), tmp.resolve("phix.fa"));
    byte[] bytes = Files.readAllBytes(fa);
    FastaIndex index = FastaIndex.build(fa);
    FastaIndex.Entry third = index.entries().get(2);
    StringBuilder expected = new StringBuilder();
    for (long b = 0; b < third.length(); b++) {
      expected.append((char) bytes[(int) third.offsetOf(b)]);
    }
    String file = new String(bytes, StandardCharsets.US_ASCII);
    int header = file.indexOf(">" + third.name());
    String body = file.substring(file.indexOf('\n', header) + 1);
    body = body.substring(0, body.indexOf('>')).replace("\n", "");
    assertEquals(body, expected.toString());
  }

  @Test
  void malformedFilesAreRejectedWithFileAndLine() throws Exception {
    assertError(">a\nACGT\nAC\nACGT\n", ":3: line of sequence 'a' is shorter than the others");
    assertError(">a\nACGT\nACGTA\n", ":3: line of sequence 'a' is longer than the first");
    assertError(">a\nACGT\n\nACGT\n", ":3: blank line inside sequence 'a'");
    assertError(">a\nACGT\n>a\nAC\n", ":3: duplicate sequence id 'a'");
    assertError("ACGT\n>a\nAC\n", ":1: sequence data before the first '>' header");
    assertError(">a\nAC#T\n", ":2:3: unexpected character '#' (expected an IUPAC nucleotide code: "
        + "A C G T U R Y S W K M B D H V N) in sequence 'a'");
    assertError("", ": empty file");
    Path gz = tmp.resolve("x.fa.gz");
    Files.write(gz, new byte[] {0x1f, (byte) 0x8b});
    InputException e = assertThrows(InputException.class, () -> FastaIndex.build(gz));
    assertTrue(e.getMessage().contains("cannot index a plain gzip file"), e.getMessage());
  }

  private void assertError(String content, String expected) throws Exception {
    Path f = tmp.resolve("bad" + Math.abs(content.hashCode()) + ".fa");
    Files.writeString(f, content);
    InputException e = assertThrows(InputException.class, () -> FastaIndex.build(f));
    assertEquals(f + expected, e.getMessage().substring(0, Math.min(e.getMessage().length(), (f + expected).length())),
        e.getMessage());
  }
}
