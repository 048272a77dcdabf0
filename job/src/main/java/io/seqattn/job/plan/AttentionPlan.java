package io.seqattn.job.plan;

import io.seqattn.core.attention.ChunkKernel;
import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Pooling;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.model.Model;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.InputException;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.ReadTask;
import io.seqattn.job.input.Validation;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.SplitPlanner;
import io.seqattn.job.input.SequenceInfo;
import io.seqattn.udfs.ChunkKey;
import io.seqattn.udfs.OrderedFold;
import io.seqattn.udfs.OrderedScan;
import io.seqattn.udfs.TaskKernels;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The attention job on Spark, two passes over chunked sequences:
 *
 * <pre>
 *   files ──read+tokenize──▶ chunks (spread over P partitions, cached)
 *   pass 1: chunk ──kernel──▶ Summary
 *     global: ──OrderedFold (chunk order)──▶ state per sequence, the context of each of its chunks
 *     causal: ──OrderedScan (exclusive, chunk order)──▶ the prefix state before each chunk,
 *             and the final state per sequence
 *   pass 2: (chunk, its context) ──kernel──▶ outputs, pooled sum
 *           pooled sums ──OrderedFold──▶ embedding per sequence
 * </pre>
 *
 * Contexts are joined to chunks by (sequence, chunk) key, so a single chromosome's chunks stay
 * spread over all partitions in pass 2. All arithmetic is in core; every cross-chunk merge goes
 * through {@link OrderedFold} or {@link OrderedScan}, so results are bitwise identical for any
 * partition count, and decayed (non-commutative) merges happen in chunk order.
 */
public final class AttentionPlan {
  /** Chunks per block of the causal scan: a task holds at most max(G, C/G) summaries. */
  static final int SCAN_BLOCK = 64;
  /** Chunks a read task of an indexed FASTA file covers at most (16 × 64k tokens = 1 M bases). */
  static final int CHUNKS_PER_READ_TASK = 16;

  private final SparkSession spark;
  private final RunSpec spec;

  public AttentionPlan(SparkSession spark, RunSpec spec) {
    this.spark = spark;
    this.spec = spec;
  }

  /** Runs the job, writing states/, embeddings/ and (optionally) outputs/ under {@code out}. */
  public RunStats run(OutputDirectory out) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    RunStats stats = new RunStats();
    int partitions = spec.partitions() > 0 ? spec.partitions() : jsc.defaultParallelism();
    stats.partitions = partitions;
    Broadcast<Model> model = jsc.broadcast(spec.model());
    String fingerprint = spec.model().fingerprint();
    int chunkSize = spec.readers().chunkSize();
    boolean emit = spec.emitOutputs();
    boolean causal = spec.model().config().causal();
    List<Runnable> release = new ArrayList<>();

    try {
      Readers readers = spec.readers();
      OutputTables tables = new OutputTables(spark, fingerprint, causal ? "causal" : "global");
      List<ReadTask> tasks = timed(stats, "plan", () -> planReads(readers));
      stats.readTasks = tasks.size();
      JavaRDD<ReadItem> items = jsc.parallelize(tasks, Math.max(1, tasks.size())).flatMap(readers::chunks);
      JavaRDD<Chunk> read;
      if (readers.validation() == Validation.LENIENT) {
        // Malformed records are few: list them on the driver, then drop every chunk read of them.
        JavaRDD<ReadItem> cached = items.persist(StorageLevel.MEMORY_AND_DISK_SER());
        release.add(() -> cached.unpersist(false));
        List<ReadItem.Skipped> skipped = timed(stats, "validate", () -> cached
            .filter(i -> i instanceof ReadItem.Skipped).map(i -> (ReadItem.Skipped) i).collect());
        stats.skipped = skipped;
        Broadcast<java.util.Set<String>> bad = jsc.broadcast(skipped.stream().map(ReadItem.Skipped::seqId)
            .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()));
        read = cached.filter(i -> i instanceof Chunk c && !bad.value().contains(c.seqId())).map(i -> (Chunk) i);
      } else {
        read = items.map(i -> (Chunk) i);
      }
      JavaPairRDD<String, Summary> carriedIn = null;
      if (spec.continueFrom() != null) {
        // Continued sequences resume at the position after their last stored token.
        carriedIn = tables.readStates(spec.continueFrom(), spec.model().config());
        JavaPairRDD<String, Long> offsets = carriedIn.mapValues(Summary::tokens);
        read = read.keyBy(Chunk::seqId).leftOuterJoin(offsets, partitions).values()
            .map(c -> c._2().isPresent() ? c._1().shiftedBy(c._2().get()) : c._1());
      }
      JavaRDD<Chunk> chunks = read
          .repartition(partitions)
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      release.add(() -> chunks.unpersist(false));
      long[] counted = timed(stats, "read", () -> chunks
          .map(c -> new long[] {1, c.tokens().length, c.absentTokens(), c.softMaskedTokens()})
          .fold(new long[4], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]}));
      stats.chunks = counted[0];
      stats.tokens = counted[1];
      stats.absentTokens = counted[2];
      stats.softMaskedTokens = counted[3];
      JavaPairRDD<String, SequenceInfo> infos =
          chunks.filter(c -> c.index() == 0).mapToPair(c -> new Tuple2<>(c.seqId(), c.info()));
      timed(stats, "read", () -> {
        rejectDuplicates(infos);
        return null;
      });

      JavaPairRDD<ChunkKey, ChunkResult> computed;
      JavaPairRDD<String, Summary> states = null;
      if (spec.softmax()) {
        computed = softmax(chunks, model, emit, partitions, stats);
      } else {
        JavaPairRDD<ChunkKey, Summary> summaries = chunks.mapToPair(c -> new Tuple2<>(key(c),
            TaskKernels.of(model.value()).summarize(c.tokens(), c.start())));
        Contexts pass1 = causal
            ? causalContexts(summaries, carriedIn, infos, partitions)
            : globalContexts(summaries, chunkSize, partitions);
        JavaPairRDD<String, Summary> merged = pass1.states().persist(StorageLevel.MEMORY_AND_DISK_SER());
        states = merged;
        release.add(() -> merged.unpersist(false));
        List<Long> tokenCounts = timed(stats, "pass1", () -> merged.map(s -> s._2().tokens()).collect());
        stats.sequences = tokenCounts.size();
        stats.emptySequences = tokenCounts.stream().filter(t -> t == 0).count();

        computed = chunks.mapToPair(c -> new Tuple2<>(key(c), c))
            .join(pass1.perChunk(), new HashPartitioner(partitions))
            .mapValues(pair -> {
              Chunk c = pair._1();
              ChunkKernel kernel = TaskKernels.of(model.value());
              ChunkOutputs o = causal
                  ? kernel.attendCausal(c.tokens(), c.start(), pair._2(), emit)
                  : kernel.attend(c.tokens(), c.start(), pair._2(), emit);
              return new ChunkResult(c.start(), c.tokens().length, o.pooled(), o.outputs(), c.softMasked());
            });
      }
      JavaPairRDD<ChunkKey, ChunkResult> results =
          emit ? computed.persist(StorageLevel.MEMORY_AND_DISK_SER()) : computed;
      release.add(() -> results.unpersist(false));
      // Kept (one small sum per sequence) so the counts below read them again without a second pass 2.
      JavaPairRDD<String, PooledSum> pooled =
          OrderedFold.perSequence(results.mapValues(ChunkResult::pooled), PooledSum.MERGE, partitions)
              .persist(StorageLevel.MEMORY_AND_DISK_SER());
      release.add(() -> pooled.unpersist(false));

      if (states != null) {
        JavaPairRDD<String, Summary> finalStates = states;
        timed(stats, "write-states", () -> {
          tables.states(finalStates).write().parquet(out.staging("states"));
          return null;
        });
      }
      timed(stats, "pass2+write-embeddings", () -> {
        JavaRDD<Row> rows = pooled.join(infos, new HashPartitioner(partitions)).map(e -> {
          float[] embedding = Pooling.embedding(model.value(), e._2()._1());
          SequenceInfo info = e._2()._2();
          return RowFactory.create(e._1(), e._2()._1().count(), embedding, info.origin(),
              e._2()._1().nonPositiveNormalizers(), info.fields());
        });
        Dataset<Row> embeddings = tables.embeddings(rows);
        embeddings.write().parquet(out.staging("embeddings"));
        return null;
      });
      stats.nonPositiveNormalizers = timed(stats, "report",
          () -> pooled.values().map(PooledSum::nonPositiveNormalizers).fold(0L, Long::sum));
      if (emit) {
        timed(stats, "write-outputs", () -> {
          tables.outputs(results, readers.fasta().keepSoftMask()).write().parquet(out.staging("outputs"));
          return null;
        });
      }
      return stats;
    } finally {
      release.forEach(Runnable::run);
      model.destroy();
    }
  }

  /**
   * Refuses a run in which two sequences share an id, naming where each occurs (file:line of the
   * record, or the file and byte offset of an index-split record), first the earlier input.
   */
  private void rejectDuplicates(JavaPairRDD<String, SequenceInfo> infos) {
    List<Tuple2<String, String>> duplicated = infos.mapValues(SequenceInfo::origin)
        .reduceByKey((a, b) -> a + "\n" + b)
        .filter(e -> e._2().contains("\n"))
        .take(1);
    if (!duplicated.isEmpty()) {
      List<String> origins = new ArrayList<>(List.of(duplicated.get(0)._2().split("\n")));
      origins.sort(java.util.Comparator.comparingInt(this::inputIndex).thenComparingLong(AttentionPlan::place));
      throw new io.seqattn.udfs.DuplicateSequenceException(duplicated.get(0)._1(), origins.get(0), origins.get(1));
    }
  }

  /** Which of the run's inputs an origin names (its position in the input list). */
  private int inputIndex(String origin) {
    List<io.seqattn.job.input.InputFile> inputs = spec.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      if (origin.startsWith(inputs.get(i).path() + ":")) {
        return i;
      }
    }
    return inputs.size();
  }

  /** The line or byte offset an origin ends with: where in its file the record is. */
  private static long place(String origin) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)$").matcher(origin);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Times a stage whose Spark jobs carry the description {@link RunStats#jobDescription}. */
  private <T> T timed(RunStats stats, String stage, java.util.function.Supplier<T> step) {
    spark.sparkContext().setJobDescription(RunStats.jobDescription(stage));
    try {
      return stats.time(stage, step);
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * What pass 1 hands on: each sequence's final state (for states/) and, per chunk, the state that
   * chunk is read against in pass 2.
   */
  private record Contexts(JavaPairRDD<String, Summary> states, JavaPairRDD<ChunkKey, Summary> perChunk) {}

  /** Global: one ordered fold per sequence; every chunk reads against the whole sequence's state. */
  private static Contexts globalContexts(JavaPairRDD<ChunkKey, Summary> summaries, int chunkSize, int partitions) {
    JavaPairRDD<String, Summary> states = OrderedFold.perSequence(summaries, Summary.MERGE, partitions);
    JavaPairRDD<ChunkKey, Summary> perChunk = states.flatMapToPair(s -> {
      long n = s._2().tokens();
      int count = n == 0 ? 1 : (int) ((n + chunkSize - 1) / chunkSize);
      List<Tuple2<ChunkKey, Summary>> copies = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        copies.add(new Tuple2<>(new ChunkKey(s._1(), i), s._2()));
      }
      return copies.iterator();
    });
    return new Contexts(states, perChunk);
  }

  /**
   * Causal: an exclusive ordered scan; every chunk reads against the state before it. A stored
   * state being continued ({@code carriedIn}, may be null) enters the scan as chunk −1 of its
   * sequence, for the sequences present in this run's inputs.
   */
  private static Contexts causalContexts(JavaPairRDD<ChunkKey, Summary> summaries,
      JavaPairRDD<String, Summary> carriedIn, JavaPairRDD<String, SequenceInfo> present, int partitions) {
    JavaPairRDD<ChunkKey, Summary> scanned = summaries;
    if (carriedIn != null) {
      scanned = summaries.union(carriedIn.join(present, partitions)
          .mapToPair(e -> new Tuple2<>(new ChunkKey(e._1(), -1), e._2()._1())));
    }
    OrderedScan.Result<Summary> scan = OrderedScan.exclusive(scanned, Summary.MERGE, partitions, SCAN_BLOCK);
    return new Contexts(scan.totals(), scan.prefixes().filter(p -> p._1().index() >= 0));
  }

  /**
   * Exact softmax: every chunk's queries are read against all keys of its sequence. Each sequence's
   * tokens are gathered once (in chunk order) and joined to each of its chunks, so a sequence's
   * chunks still spread over partitions. Sequences above {@link RunSpec#MAX_SOFTMAX_TOKENS} are
   * refused before any attention is computed, unless the run is forced.
   */
  private JavaPairRDD<ChunkKey, ChunkResult> softmax(JavaRDD<Chunk> chunks, Broadcast<Model> model, boolean emit,
      int partitions, RunStats stats) {
    JavaPairRDD<String, int[]> sequences = chunks
        .mapToPair(c -> new Tuple2<>(c.seqId(), new Tuple2<>(c.index(), c.tokens())))
        .groupByKey(partitions)
        .mapToPair(g -> new Tuple2<>(g._1(), concatenated(g._1(), g._2())))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    List<Tuple2<String, Integer>> lengths = timed(stats, "pass1", () -> sequences.mapValues(t -> t.length).collect());
    stats.sequences = lengths.size();
    stats.emptySequences = lengths.stream().filter(l -> l._2() == 0).count();
    if (!spec.force()) {
      lengths.stream().filter(l -> l._2() > RunSpec.MAX_SOFTMAX_TOKENS).findFirst().ifPresent(l -> {
        throw new InputException("sequence '" + l._1() + "' has " + l._2() + " tokens: exact softmax attention "
            + "costs O(n²) and is refused above " + RunSpec.MAX_SOFTMAX_TOKENS + " tokens (pass --force to run it "
            + "anyway, or use linear attention)");
      });
    }
    return chunks.keyBy(Chunk::seqId)
        .join(sequences, partitions)
        .mapToPair(e -> {
          Chunk c = e._2()._1();
          ChunkOutputs o = TaskKernels.of(model.value()).attendSoftmax(c.tokens(), c.start(), e._2()._2(), 0, emit);
          return new Tuple2<>(key(c), new ChunkResult(c.start(), c.tokens().length, o.pooled(), o.outputs(),
              c.softMasked()));
        });
  }

  /** A sequence's tokens from its chunks, in chunk order. */
  private static int[] concatenated(String seqId, Iterable<Tuple2<Integer, int[]>> chunks) {
    List<Tuple2<Integer, int[]>> sorted = new ArrayList<>();
    chunks.forEach(sorted::add);
    sorted.sort(java.util.Comparator.comparingInt(Tuple2::_1));
    int total = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i)._1() != i) {
        throw new io.seqattn.udfs.DuplicateSequenceException(seqId);
      }
      total = Math.addExact(total, sorted.get(i)._2().length);
    }
    int[] out = new int[total];
    int at = 0;
    for (Tuple2<Integer, int[]> c : sorted) {
      System.arraycopy(c._2(), 0, out, at, c._2().length);
      at += c._2().length;
    }
    return out;
  }

  private List<ReadTask> planReads(Readers readers) {
    try {
      return new SplitPlanner(readers.tokenizer(), readers.chunkSize(), CHUNKS_PER_READ_TASK, readers.validation())
          .plan(spec.inputs());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ChunkKey key(Chunk c) {
    return new ChunkKey(c.seqId(), c.index());
  }
}
