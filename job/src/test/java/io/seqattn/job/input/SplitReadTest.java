package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Split reads of indexed FASTA give exactly the chunks of one sequential read. */
class SplitReadTest {

  @TempDir Path tmp;

  static List<Chunk> sequential(Path fa, TokenizerSpec spec, int chunkSize) throws Exception {
    Readers readers = new Readers(spec, chunkSize, "id", "text");
    return ReadersTest.chunks(readers, new InputFile(fa.toString(), InputFormat.FASTA));
  }

  static List<Chunk> split(Path fa, TokenizerSpec spec, int chunkSize, int chunksPerTask) throws Exception {
    Readers readers = new Readers(spec, chunkSize, "id", "text");
    List<ReadTask> tasks = new SplitPlanner(spec, chunkSize, chunksPerTask)
        .plan(List.of(new InputFile(fa.toString(), InputFormat.FASTA)));
    List<Chunk> out = new ArrayList<>();
    for (ReadTask task : tasks) {
      assertTrue(task instanceof ReadTask.FastaPieces, "uncompressed FASTA is split");
      for (Iterator<ReadItem> it = readers.chunks(task); it.hasNext(); ) {
        out.add((Chunk) it.next());
      }
    }
    return out;
  }

  static void assertSameChunks(List<Chunk> expected, List<Chunk> actual, String what) {
    Comparator<Chunk> order = Comparator.comparing(Chunk::seqId).thenComparingInt(Chunk::index);
    expected = new ArrayList<>(expected);
    actual = new ArrayList<>(actual);
    expected.sort(order);
    actual.sort(order);
    assertEquals(expected.size(), actual.size(), what + ": chunk count");
    for (int i = 0; i < expected.size(); i++) {
      Chunk e = expected.get(i);
      Chunk a = actual.get(i);
      assertEquals(e.seqId(), a.seqId(), what);
      assertEquals(e.index(), a.index(), what);
      assertEquals(e.start(), a.start(), what);
      assertArrayEquals(e.tokens(), a.tokens(), what + ": " + e.seqId() + " chunk " + e.index());
      assertEquals(e.index() == 0, a.info() != null, what);
      if (e.info() != null) {
        assertEquals(e.info().fields(), a.info().fields(), what + ": description");
      }
    }
  }

  @Test
  void realGenomesAtSeveralChunkAndSplitSizes() throws Exception {
    for (String name : new String[] {"lambda_phage", "human_chrM", "phiX174_variants"}) {
      Path fa = TestModels.gunzip(TestModels.sampleCorpus().resolve(name + ".fa.gz"), tmp.resolve(name + ".fa"));
      for (int k : new int[] {1, 3, 6}) {
        for (int chunkSize : new int[] {997, 4096}) {
          TokenizerSpec spec = TokenizerSpec.dna(k, 1);
          List<Chunk> whole = sequential(fa, spec, chunkSize);
          for (int perTask : new int[] {1, 3, 64}) {
            assertSameChunks(whole, split(fa, spec, chunkSize, perTask), name + " k=" + k + " C=" + chunkSize
                + " per task=" + perTask);
          }
        }
      }
      TokenizerSpec strided = TokenizerSpec.dna(4, 3);
      assertSameChunks(sequential(fa, strided, 500), split(fa, strided, 500, 2), name + " stride 3");
    }
  }

  @Test
  void boundariesInsideLineBreaksKmersAndNRuns() throws Exception {
    Random random = new Random(5);
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      seq.append("ACGT".charAt(random.nextInt(4)));
    }
    seq.replace(1000, 1300, "N".repeat(300));        // an N run across several chunk boundaries
    seq.replace(2000, 2003, "ryk");                  // lowercase ambiguity codes
    Path fa = tmp.resolve("edge.fa");
    StringBuilder file = new StringBuilder(">edge some description\r\n");
    for (int i = 0; i < seq.length(); i += 7) {      // 7-base lines: boundaries fall inside line breaks
      file.append(seq, i, Math.min(seq.length(), i + 7)).append("\r\n");
    }
    Files.writeString(fa, file);
    for (int chunkSize : new int[] {1, 2, 7, 50, 333}) {
      TokenizerSpec spec = TokenizerSpec.dna(5, 1);
      assertSameChunks(sequential(fa, spec, chunkSize), split(fa, spec, chunkSize, 3), "C=" + chunkSize);
    }
  }

  @Test
  void oneLargeRecordAndAThousandTinyOnesArePackedNotScattered() throws Exception {
    Path lambda = TestModels.gunzip(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz"), tmp.resolve("l.fa"));
    StringBuilder file = new StringBuilder(Files.readString(lambda));
    Random random = new Random(1);
    for (int i = 0; i < 1000; i++) {
      file.append(">tiny").append(i).append('\n');
      int len = random.nextInt(12);                   // some shorter than k: zero tokens
      for (int j = 0; j < len; j++) {
        file.append("ACGT".charAt(random.nextInt(4)));
      }
      file.append('\n');
    }
    Path fa = tmp.resolve("mixed.fa");
    Files.writeString(fa, file);
    TokenizerSpec spec = TokenizerSpec.dna(3, 1);
    List<ReadTask> tasks = new SplitPlanner(spec, 2048, 4).plan(List.of(new InputFile(fa.toString(), InputFormat.FASTA)));
    // lambda: 24 chunks in 6 pieces of 4; the 1000 tiny records fill about one budget of 4 × 2048 tokens
    assertTrue(tasks.size() >= 6 && tasks.size() <= 9, "tasks: " + tasks.size());
    assertSameChunks(sequential(fa, spec, 2048), split(fa, spec, 2048, 4), "mixed");
  }
}
