package io.seqattn.job.plan;

import static io.seqattn.job.plan.CausalPlanTest.assertClose;
import static io.seqattn.job.plan.CausalPlanTest.cli;
import static io.seqattn.job.plan.CausalPlanTest.fasta;
import static io.seqattn.job.plan.CausalPlanTest.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.io.Npy;
import io.seqattn.core.network.SequenceAttention;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.core.stack.StackModel;
import io.seqattn.core.stack.StackNetwork;
import io.seqattn.job.input.InputException;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deep, gated stack (GLA block + scalar-gated block, {@link TestModels#gatedStack}) on Spark: one
 * pass per layer, every layer's state stored; against the sequential chunk-by-chunk computation,
 * across partition counts, and continued from stored states.
 */
class StackPlanTest {
  /** 700-token chunks: lambda phage spans 70 chunks, two blocks of each layer's scan. */
  static final int CHUNK = 700;
  static final StackModel MODEL = TestModels.gatedStack();
  static SparkSession spark;
  static List<InputFile> genomes;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.get();
    genomes = CausalPlanTest.sampleGenomes();
  }

  static Path run(Path dir, int partitions, StackNetwork network) throws Exception {
    return run(dir, partitions, network, BetweenLayers.CACHE);
  }

  static Path run(Path dir, int partitions, StackNetwork network, BetweenLayers between) throws Exception {
    OutputDirectory out = OutputDirectory.prepare(dir.toString(), false, spark.sparkContext().hadoopConfiguration());
    RunSpec spec = RunSpec.builder().inputs(genomes, InputFormat.FASTA).network(network, "test").chunkSize(CHUNK)
        .partitions(partitions).emitOutputs(true).betweenLayers(between).build();
    new AttentionPlan(spark, spec).run(out);
    out.commit();
    return dir;
  }

  @Test
  void aGatedStackIsBitwiseIdenticalForAnyPartitionCount(@TempDir Path tmp) throws Exception {
    StackNetwork network = new StackNetwork(MODEL);
    List<RunDigest.TableDigest> one = digest(run(tmp.resolve("p1"), 1, network));
    assertEquals(3, one.size(), "states, embeddings and outputs");
    for (int partitions : new int[] {2, 7}) {
      assertEquals(one, digest(run(tmp.resolve("p" + partitions), partitions, network)), partitions + " partitions");
    }
    assertEquals(one, digest(run(tmp.resolve("recompute"), 2, network, BetweenLayers.RECOMPUTE)),
        "recomputing each block's input from the tokens instead of keeping it");
  }

  /**
   * The same stack pooled by the softmax attention of three learned queries: each chunk's pool
   * travels through the ordered fold, so the embeddings are bitwise identical for any partition
   * count and equal the sequential chunk-by-chunk pool.
   */
  @Test
  void attentionPoolingIsBitwiseIdenticalForAnyPartitionCount(@TempDir Path tmp) throws Exception {
    StackConfig c = MODEL.config();
    StackModel pooled = StackInitializer.random(new StackConfig(c.tokenizer(), c.dModel(), c.positional(), c.layers(),
        c.finalNorm(), 4, 3), 5);
    PartitionedRun run = PartitionedRun.of(tmp, pooled);
    float[] embedding = run.tables.embeddings.get(run.first.seqId());
    assertEquals(4, embedding.length, "3 pooled rows of d through head.wo [3·d, 4]");
    assertClose(toDoubles(run.sequential.embedding(run.first.tokens())), toDoubles(embedding), run.first.seqId());
  }

  /**
   * The gated stack with short causal convolutions on q, k, v (kernel 4 SiLU, kernel 3 identity)
   * and sliding softmax windows (16 and 100 positions): each chunk reads the w − 1 + K − 1
   * block-input rows before it from the previous chunk, which may live in another partition, so the
   * results are bitwise identical for any partition count and equal the sequential chunk-by-chunk
   * run.
   */
  @Test
  void convolutionsAndWindowsReadTheirHalosAcrossPartitions(@TempDir Path tmp) throws Exception {
    PartitionedRun run = PartitionedRun.of(tmp, haloStack());
    String id = run.first.seqId();
    List<Object> totals = run.sequential.totals(run.first.tokens());
    for (int layer = 0; layer < 2; layer++) {
      String key = id + (layer == 0 ? "" : "/" + layer) + "/0";
      double[] want = ((Summary) totals.get(layer)).sOfHead(0);
      assertClose(want, Arrays.copyOf(run.tables.states.get(key), want.length), key);
    }
    assertClose(toDoubles(run.sequential.embedding(run.first.tokens())), toDoubles(run.tables.embeddings.get(id)), id);
    InputException refused = assertThrows(InputException.class,
        () -> run(tmp.resolve("recompute"), 2, run.network, BetweenLayers.RECOMPUTE));
    assertTrue(refused.getMessage().contains("--between-layers recompute"), refused.getMessage());
  }

  /**
   * A model run at 1 and 3 partitions, checked bitwise identical: the first run's tables, and the
   * sequential chunk-by-chunk computation with the first genome to compare them with.
   */
  private record PartitionedRun(StackNetwork network, RunTables tables, SequenceAttention sequential,
      io.seqattn.job.input.Chunk first) {
    static PartitionedRun of(Path tmp, StackModel model) throws Exception {
      StackNetwork network = new StackNetwork(model);
      Path one = run(tmp.resolve("p1"), 1, network);
      assertEquals(digest(one), digest(run(tmp.resolve("p3"), 3, network)), "1 against 3 partitions");
      Readers readers = new Readers(model.config().tokenizer(), 1 << 24, "id", "text");
      return new PartitionedRun(network, new RunTables(spark, one), SequenceAttention.of(network, CHUNK),
          (io.seqattn.job.input.Chunk) readers.chunks(genomes.get(0)).next());
    }
  }

  /** {@link TestModels#gatedStack} with a short convolution and a window in each mixer, weights from seed 6. */
  private static StackModel haloStack() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode raw = (ObjectNode) json.readTree(java.nio.file.Files.readString(TestModels.gatedStackConfig()));
    String[][] convs = {{"4", "silu", "16"}, {"3", "identity", "100"}};
    for (int l = 0; l < 2; l++) {
      ObjectNode mixer = (ObjectNode) raw.get("layers").get(l).get("mixer");
      mixer.putObject("short_conv").put("kernel", Integer.parseInt(convs[l][0])).put("activation", convs[l][1]);
      mixer.put("window", Integer.parseInt(convs[l][2]));
    }
    return StackInitializer.random(StackConfigJson.parse(json.writeValueAsString(raw)), 6);
  }

  @Test
  void everyLayersStateAndTheOutputsAgreeWithTheSequentialComputation(@TempDir Path tmp) throws Exception {
    StackNetwork network = new StackNetwork(MODEL);
    RunTables tables = new RunTables(spark, run(tmp.resolve("run"), 3, network));
    Readers readers = new Readers(MODEL.config().tokenizer(), 1 << 24, "id", "text");
    SequenceAttention sequential = SequenceAttention.of(network, CHUNK);
    int sequences = 0;
    for (InputFile file : genomes) {
      for (var it = readers.chunks(file); it.hasNext(); ) {
        var whole = (io.seqattn.job.input.Chunk) it.next();
        List<Object> totals = sequential.totals(whole.tokens());
        for (int layer = 0; layer < 2; layer++) {
          Summary state = (Summary) totals.get(layer);
          assertTrue(state.logDecayOf(0, 0) < 0, "a gated layer's state carries its decay");
          for (int h = 0; h < 2; h++) {
            String key = whole.seqId() + (layer == 0 ? "" : "/" + layer) + "/" + h;
            double[] got = tables.states.get(key);
            double[] want = state.sOfHead(h);
            assertClose(want, Arrays.copyOf(got, want.length), key);
          }
        }
        assertClose(toDoubles(sequential.embedding(whole.tokens())), toDoubles(tables.embeddings.get(whole.seqId())),
            whole.seqId());
        sequences++;
      }
    }
    assertEquals(7, sequences);
  }

  @Test
  void continuingAGatedStackFromItsStoredStatesEqualsOneRun(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    StackDirectory.save(MODEL, model);
    CausalPlanTest.SplitRuns runs = CausalPlanTest.SplitRuns.of(tmp, model);
    for (String key : new String[] {"lambda/0", "lambda/1", "lambda/1/0", "lambda/1/1"}) {
      assertClose(runs.whole.states.get(key), runs.rest.states.get(key), "final state " + key);
    }
    assertClose(runs.wholeOutputs, runs.restOutputs, "outputs 20500:20600");
  }

  @Test
  void outputLayerWritesThatBlocksOutput(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    StackDirectory.save(MODEL, model);
    String phage = TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString();
    assertEquals(0, cli("run", "--input", phage, "--format", "fasta", "--model", model.toString(), "--output",
        tmp.resolve("run").toString(), "--chunk-size", "1000", "--emit-outputs", "--output-layer", "1"));
    assertEquals(0, cli("export", "--run", tmp.resolve("run").toString(), "--seq-id", "Genbank", "--positions",
        "990:1010", "--out", tmp.resolve("npy").toString()));
    Readers readers = new Readers(MODEL.config().tokenizer(), 1 << 24, "id", "text");
    var whole = (io.seqattn.job.input.Chunk) readers.chunks(new InputFile(phage, InputFormat.FASTA)).next();
    float[] all = SequenceAttention.of(new StackNetwork(MODEL, 1), 1000).outputs(whole.tokens());
    assertClose(toDoubles(Arrays.copyOfRange(all, 990 * 16, 1010 * 16)),
        toDoubles(Npy.read(tmp.resolve("npy/outputs.npy")).floats()), "block 1's outputs at 990:1010");
  }

  private static List<RunDigest.TableDigest> digest(Path run) throws Exception {
    return RunDigest.of(spark, RunDirectory.open(run.toString(), spark.sparkContext().hadoopConfiguration()));
  }
}
