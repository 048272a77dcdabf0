package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Pooling;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.Readers;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --attention softmax through the CLI: bitwise the same at 1 and 3 partitions, equal to the kernel
 * run over each whole sequence in memory, no states/, and refused above the documented length.
 */
class SoftmaxRunTest {
  static final int CHUNK = 2048;

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  static Path run(Path dir, Path model, String input, int partitions, String... extra) {
    List<String> args = new ArrayList<>(List.of("run", "--input", input, "--format", "fasta", "--model",
        model.toString(), "--output", dir.toString(), "--chunk-size", String.valueOf(CHUNK), "--partitions",
        String.valueOf(partitions), "--attention", "softmax"));
    args.addAll(List.of(extra));
    BadInputTest.Result r = BadInputTest.cli(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    return dir;
  }

  /** Embeddings of the same computation without Spark: each chunk against its whole sequence. */
  static Map<String, float[]> inMemory(Model model, String input) throws Exception {
    Readers readers = new Readers(model.config().tokenizer(), CHUNK, "id", "text");
    Map<String, List<Chunk>> bySequence = new LinkedHashMap<>();
    for (Iterator<ReadItem> it = readers.chunks(new InputFile(input, InputFormat.FASTA)); it.hasNext(); ) {
      Chunk c = (Chunk) it.next();
      bySequence.computeIfAbsent(c.seqId(), k -> new ArrayList<>()).add(c);
    }
    ChunkKernel kernel = new ChunkKernel(model);
    Map<String, float[]> out = new LinkedHashMap<>();
    bySequence.forEach((id, chunks) -> {
      int[] all = chunks.stream().flatMapToInt(c -> java.util.Arrays.stream(c.tokens())).toArray();
      PooledSum pooled = null;
      for (Chunk c : chunks) {
        PooledSum p = kernel.attendSoftmax(c.tokens(), c.start(), all, 0, false).pooled();
        pooled = PooledSum.MERGE.mergeNullable(pooled, p);
      }
      out.put(id, Pooling.embedding(model, pooled));
    });
    return out;
  }

  @Test
  void softmaxRunsArePartitionInvariantAndEqualTheKernel(@TempDir Path tmp) throws Exception {
    for (Model model : new Model[] {TestModels.dna(), ModelInitializer.random(TestModels.dna().config().withCausal(null), 0, 7)}) {
      Path modelDir = tmp.resolve("model-" + model.config().causal());
      ModelDirectory.save(model, modelDir);
      String input = TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString();
      Path one = run(tmp.resolve("p1-" + model.config().causal()), modelDir, input, 1);
      Path three = run(tmp.resolve("p3-" + model.config().causal()), modelDir, input, 3);
      assertTrue(!Files.exists(one.resolve("states")), "softmax keeps no state");
      JsonNode report = new ObjectMapper().readTree(one.resolve("run.json").toFile());
      assertEquals("softmax", report.get("attention").asText());
      Map<String, float[]> a = embeddings(one);
      Map<String, float[]> b = embeddings(three);
      Map<String, float[]> expected = inMemory(model, input);
      assertEquals(6, a.size());
      a.forEach((id, e) -> {
        assertArrayEquals(e, b.get(id), "partition invariance: " + id);
        assertArrayEquals(expected.get(id), e, "equals the kernel over the whole sequence: " + id);
      });
    }
  }

  @Test
  void longSequencesAreRefusedWithoutForce(@TempDir Path tmp) throws Exception {
    Path modelDir = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), modelDir);
    StringBuilder fasta = new StringBuilder(">long\n");
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 70_000; i++) {
      fasta.append("ACGT".charAt(random.nextInt(4)));
      if (i % 60 == 59) {
        fasta.append('\n');
      }
    }
    Path fa = Files.writeString(tmp.resolve("long.fa"), fasta.append('\n'));
    BadInputTest.Result r = BadInputTest.cli("run", "--input", fa.toString(), "--format", "fasta", "--model",
        modelDir.toString(), "--output", tmp.resolve("out").toString(), "--attention", "softmax");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("sequence 'long' has 69998 tokens: exact softmax attention costs O(n²) and is "
        + "refused above 65536 tokens (pass --force"), r.err());
    assertTrue(!Files.exists(tmp.resolve("out")));
  }

  private static Map<String, float[]> embeddings(Path run) {
    return new RunTables(SparkTestSession.get(), run, false).embeddings;
  }
}
