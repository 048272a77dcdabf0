package io.seqattn.udfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.attention.SummaryCodec;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL functions on local[2]: order-independent merging, readouts that agree, clear errors. */
class SeqAttnFunctionsTest {
  static SparkSession spark;
  /** Causal with a different decay per head: merging out of order would change the state. */
  static final Model DECAYED = ModelInitializer.random(new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, FeatureMaps.FAVOR_PLUS,
      Positional.SINUSOIDAL, 1e-6, false, null, 24).withCausal(new double[] {0.99, 0.9}), 0, 5);
  static final int CHUNK = 300;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("udfs-sql-tests").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "3").config("spark.sql.ui.retainedExecutions", "20").getOrCreate();
    SeqAttnFunctions.register(spark, DECAYED);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static String dna(int length, long seed) {
    Random r = new Random(seed);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append("ACGT".charAt(r.nextInt(4)));
    }
    return s.toString();
  }

  /** Chunks of two sequences as rows (seq_id, c, tokens, start), in a random order over 4 partitions. */
  static Dataset<Row> shuffledChunks(long seed) {
    List<Row> rows = new ArrayList<>();
    for (String id : new String[] {"a", "b"}) {
      int[] tokens = DECAYED.config().tokenizer().tokenize(dna(id.equals("a") ? 3000 : 1700, id.hashCode()));
      for (int c = 0; c * CHUNK < tokens.length; c++) {
        int[] chunk = java.util.Arrays.copyOfRange(tokens, c * CHUNK, Math.min(tokens.length, (c + 1) * CHUNK));
        rows.add(RowFactory.create(id, c, chunk, (long) c * CHUNK));
      }
    }
    java.util.Collections.shuffle(rows, new Random(seed));
    StructType schema = new StructType().add("seq_id", DataTypes.StringType).add("c", DataTypes.IntegerType)
        .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType)).add("start", DataTypes.LongType);
    return spark.createDataFrame(rows, schema).repartition(4);
  }

  static byte[] merged(long seed, String id) {
    shuffledChunks(seed).createOrReplaceTempView("chunks");
    return (byte[]) spark.sql("SELECT seqattn_merge(seqattn_summarize(tokens, start)) FROM chunks WHERE seq_id = '"
        + id + "' GROUP BY seq_id").first().get(0);
  }

  @Test
  void decayedSummariesMergeInChunkOrderWhateverOrderSparkDeliversThem() {
    // the fold in chunk order, by hand
    int[] tokens = DECAYED.config().tokenizer().tokenize(dna(3000, "a".hashCode()));
    ChunkKernel kernel = new ChunkKernel(DECAYED);
    Summary inOrder = null;
    Summary reversed = null;
    for (int c = 0; c * CHUNK < tokens.length; c++) {
      Summary s = kernel.summarize(java.util.Arrays.copyOfRange(tokens, c * CHUNK,
          Math.min(tokens.length, (c + 1) * CHUNK)), (long) c * CHUNK);
      inOrder = Summary.MERGE.mergeNullable(inOrder, s);
      reversed = reversed == null ? s : Summary.MERGE.merge(s, reversed);
    }
    for (long seed : new long[] {1, 2, 3}) {
      SummaryCodec.Positioned sql = SummaryCodec.fromBytes(merged(seed, "a"));
      assertEquals(0, sql.start());
      assertEquals(inOrder, sql.summary(), "shuffle " + seed + ": the left fold in chunk order, bitwise");
    }
    assertFalse(java.util.Arrays.equals(inOrder.s(), reversed.s()), "with decay, order matters: the test has teeth");
  }

  @Test
  void attendAndQueryAgree() {
    // global model: a position's output is the readout of its own raw query against the state
    Model global = ModelInitializer.random(DECAYED.config().asGlobal().withFeatureMap(FeatureMaps.ELU, 0), 3, 8);
    SparkSession other = spark.newSession();
    SeqAttnFunctions.register(other, global);
    int[] tokens = global.config().tokenizer().tokenize(dna(500, 4));
    Summary state = new ChunkKernel(global).summarize(tokens, 0);
    byte[] stateBytes = SummaryCodec.toBytes(new SummaryCodec.Positioned(global.fingerprint(), 0, state));
    StructType schema = new StructType().add("state", DataTypes.BinaryType)
        .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
    other.createDataFrame(List.of(RowFactory.create(stateBytes, tokens)), schema).createOrReplaceTempView("t");
    Row r = other.sql("SELECT seqattn_attend(state, tokens, 0L), seqattn_attend_pooled(state, tokens, 0L) FROM t")
        .first();
    List<scala.collection.Seq<Float>> outputs = r.getList(0);
    assertEquals(500 - 2, outputs.size());
    float[] expected = new ChunkKernel(global).attend(tokens, 0, state, true).outputs();
    for (int i = 0; i < outputs.size(); i++) {
      List<Float> row = scala.jdk.javaapi.CollectionConverters.asJava(outputs.get(i));
      for (int f = 0; f < 16; f++) {
        assertEquals(expected[i * 16 + f], row.get(f), "output " + i + "," + f);
      }
    }
    assertEquals(3, r.getList(1).size(), "pooled through wo (d_out = 3)");

    float[] rawQuery = rawQuery(global, tokens[7], 7);
    float[] readout = Readoutable.query(other, stateBytes, rawQuery);
    for (int f = 0; f < 16; f++) {
      assertEquals(expected[7 * 16 + f], readout[f], 1e-4 * Math.abs(expected[7 * 16 + f]) + 1e-5, "readout " + f);
    }
  }

  /** q = (E[t] + PE(p))·Wq in double: the raw query of token t at position p. */
  static float[] rawQuery(Model model, int token, long p) {
    int d = model.config().dModel();
    int inner = model.config().innerDim();
    double[] x = new double[d];
    for (int j = 0; j < d; j++) {
      x[j] = model.embedding()[token * d + j];
    }
    for (int i = 0; i < d / 2; i++) {
      double angle = p / Math.pow(10000.0, 2.0 * i / d);
      x[2 * i] += Math.sin(angle);
      x[2 * i + 1] += Math.cos(angle);
    }
    float[] q = new float[inner];
    for (int o = 0; o < inner; o++) {
      double acc = 0;
      for (int j = 0; j < d; j++) {
        acc += x[j] * model.wq()[j * inner + o];
      }
      q[o] = (float) acc;
    }
    return q;
  }

  /** seqattn_query through SQL. */
  static final class Readoutable {
    static float[] query(SparkSession session, byte[] state, float[] q) {
      StructType schema = new StructType().add("state", DataTypes.BinaryType)
          .add("q", DataTypes.createArrayType(DataTypes.FloatType));
      Float[] boxed = new Float[q.length];
      for (int i = 0; i < q.length; i++) {
        boxed[i] = q[i];
      }
      session.createDataFrame(List.of(RowFactory.create(state, boxed)), schema).createOrReplaceTempView("qs");
      List<Float> out = session.sql("SELECT seqattn_query(state, q) FROM qs").first().getList(0);
      float[] f = new float[out.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = out.get(i);
      }
      return f;
    }
  }

  @Test
  void badArgumentsRaiseClearErrors() {
    Summary state = new ChunkKernel(DECAYED).summarize(new int[] {1, 2, 3}, 0);
    byte[] mine = SummaryCodec.toBytes(new SummaryCodec.Positioned(DECAYED.fingerprint(), 0, state));
    byte[] foreign = SummaryCodec.toBytes(new SummaryCodec.Positioned("0123456789abcdef", 0, state));
    assertError(() -> Readoutable.query(spark, mine, new float[5]),
        "query vector has 5 values; the model needs heads*d_head = 16");
    assertError(() -> Readoutable.query(spark, foreign, new float[16]),
        "seqattn_query: the summary was made by model 0123456789abcdef, not by the registered model "
            + DECAYED.fingerprint());
    assertError(() -> Readoutable.query(spark, new byte[] {1, 2, 3}, new float[16]), "not a seqattn summary");
    assertError(() -> spark.sql("SELECT seqattn_tokenize(CAST(NULL AS STRING))").collect(),
        "seqattn_tokenize: text is null");
    assertError(() -> spark.sql("SELECT seqattn_tokenize('ACGT#A')").collect(),
        "seqattn_tokenize: character 5: unexpected character '#'");
  }

  static void assertError(org.junit.jupiter.api.function.Executable call, String message) {
    Throwable e = assertThrows(Throwable.class, call);
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(message)) {
        return;
      }
    }
    throw new AssertionError("expected an error containing '" + message + "', got " + e, e);
  }

  @Test
  void gapsAndDuplicatesAreErrors() {
    shuffledChunks(1).where("seq_id = 'a' AND c <> 3").createOrReplaceTempView("gappy");
    assertError(() -> spark.sql("SELECT seqattn_merge(seqattn_summarize(tokens, start)) FROM gappy").collect(),
        "seqattn_merge: summaries leave a gap: positions 900 to 1200");
    shuffledChunks(1).where("seq_id = 'a'").union(shuffledChunks(2).where("seq_id = 'a' AND c = 2"))
        .createOrReplaceTempView("twice");
    assertError(() -> spark.sql("SELECT seqattn_merge(seqattn_summarize(tokens, start)) FROM twice").collect(),
        "two summaries cover position 600");
  }

  /** Batches of the long-session test, and memory samples taken every {@code SAMPLE_EVERY} of them. */
  static final int BATCHES = 500;
  static final int SAMPLE_EVERY = 25;
  /** The early window (batches 100–200, after start-up has settled) and the late one (400–500). */
  static final int EARLY_FROM = 100;
  static final int EARLY_TO = 200;
  static final int LATE_FROM = 400;
  /**
   * Growth allowed of each measure's floor — its least sample in a window — from the early window
   * to the late one. A window's floor, not one sample, because single samples scatter: the live
   * heap moved over 60–97 MB and native resident size over 124–336 MB from sample to sample with
   * no trend, as Spark's own threads allocate around the full GC. A leak raises the floor: one of
   * what a call allocates — a kernel with its projection tables, a workspace, a broadcast model, a
   * state's arrays, 0.1–1 MB a call — adds 160 MB or more over the 200 batches of 8 calls between
   * the windows. Resident size is taken net of what the JVM commits (heap, metaspace, code cache),
   * leaving native memory outside javacpp's count (glibc arenas, OpenBLAS buffers). The session
   * keeps 20 SQL executions in its history (Spark's default 1,000 is Spark's own memory).
   */
  static final long OFF_HEAP_GROWTH = 8L << 20;
  static final long LIVE_HEAP_GROWTH = 32L << 20;
  static final long NATIVE_RESIDENT_GROWTH = 128L << 20;

  @Test
  void aLongSessionOfSmallBatchesKeepsMemoryFlat() {
    StructType schema = new StructType().add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
    long[] early = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    long[] late = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    for (int batch = 1; batch <= BATCHES; batch++) {
      List<Row> rows = new ArrayList<>();
      for (int d = 0; d < 8; d++) {
        int[] tokens = DECAYED.config().tokenizer().tokenize(dna(50 + 10 * d, batch * 31L + d));
        rows.add(RowFactory.create((Object) tokens));
      }
      spark.createDataFrame(rows, schema).createOrReplaceTempView("batch");
      List<Row> out = spark.sql("SELECT seqattn_attend_pooled(seqattn_summarize(tokens, 0), tokens, 0) FROM batch")
          .collectAsList();
      assertEquals(8, out.size());
      if (batch % SAMPLE_EVERY == 0 && batch >= EARLY_FROM) {
        long[] now = memory();
        System.out.printf("long session, batch %d: off-heap %d, live heap %d, native resident %d bytes%n",
            batch, now[0], now[1], now[2]);
        long[] window = batch <= EARLY_TO ? early : batch >= LATE_FROM ? late : null;
        for (int i = 0; window != null && i < window.length; i++) {
          window[i] = Math.min(window[i], now[i]);
        }
      }
    }
    System.out.printf("long session, floors from batches %d-%d to %d-%d: off-heap %+d, live heap %+d, native "
        + "resident %+d bytes%n", EARLY_FROM, EARLY_TO, LATE_FROM, BATCHES, late[0] - early[0], late[1] - early[1],
        late[2] - early[2]);
    assertTrue(late[0] - early[0] < OFF_HEAP_GROWTH, "ND4J's off-heap memory grew by " + (late[0] - early[0]));
    assertTrue(late[1] - early[1] < LIVE_HEAP_GROWTH, "the live Java heap grew by " + (late[1] - early[1]));
    assertTrue(late[2] - early[2] < NATIVE_RESIDENT_GROWTH,
        "resident memory outside the JVM's heap, metaspace and code cache grew by " + (late[2] - early[2]));
  }

  /**
   * javacpp's off-heap bytes, the Java heap in use after a full GC, and the process's resident
   * size less what the JVM has committed for its heap and non-heap pools.
   */
  private static long[] memory() {
    System.gc();
    MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
    long liveHeap = jvm.getHeapMemoryUsage().getUsed();
    long committed = jvm.getHeapMemoryUsage().getCommitted() + jvm.getNonHeapMemoryUsage().getCommitted();
    long resident = org.bytedeco.javacpp.Pointer.physicalBytes();
    return new long[] {org.bytedeco.javacpp.Pointer.totalBytes(), liveHeap, resident - committed};
  }
}
