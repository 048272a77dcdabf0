package io.seqattn.core.testing;

import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.TokenBuffer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;

/** Finds the real genomes and documents the tests read: sample-corpus/ first, then ../shared/corpus. */
public final class Corpora {
  private Corpora() {}

  public static Path sample(String name) {
    return Path.of(System.getProperty("seqattn.sample.corpus", "../sample-corpus")).resolve(name);
  }

  /** A file from ../shared/corpus; the calling test is skipped when it is absent. */
  public static Path shared(String relative) {
    Path p = Path.of(System.getProperty("seqattn.shared.corpus", "../../shared/corpus")).resolve(relative);
    Assumptions.assumeTrue(Files.isReadable(p), "shared corpus file not present: " + p);
    return p;
  }

  /** The first {@code limit} k-mer tokens of the first record of a gzipped sample genome. */
  public static int[] dnaTokens(String sampleGenome, int k, int limit) throws IOException {
    Path file = sample(sampleGenome);
    if (!Files.exists(file)) {
      file = shared("genomes/" + sampleGenome);
    }
    DnaKmerTokenizer tokenizer = new DnaKmerTokenizer(k, 1);
    TokenBuffer buffer = new TokenBuffer();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
      String line;
      while ((line = in.readLine()) != null && buffer.size() < limit) {
        if (!line.startsWith(">")) {
          tokenizer.feed(line, 0, line.length(), buffer);
        }
      }
    }
    return buffer.take(Math.min(limit, buffer.size()));
  }
}
