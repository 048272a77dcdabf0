package io.seqattn.job.plan;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.LayerMixer;
import io.seqattn.core.network.Halo;
import io.seqattn.core.network.LayeredKernel;
import io.seqattn.core.network.Network;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.InputException;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.ReadTask;
import io.seqattn.job.input.Storage;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.SequenceInfo;
import io.seqattn.job.input.SplitPlanner;
import io.seqattn.job.input.Validation;
import io.seqattn.udfs.ChunkKey;
import io.seqattn.udfs.DuplicateSequenceException;
import io.seqattn.udfs.OrderedFold;
import io.seqattn.udfs.OrderedScan;
import io.seqattn.udfs.TaskKernels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
 * The attention job on Spark, two passes over chunked sequences for the run's token mixer:
 *
 * <pre>
 *   files ──read+tokenize──▶ chunks: left in their read tasks (index-split FASTA, read again by
 *                             every pass) or spread over P partitions and cached on local disk
 *                             ({@link ChunkLayout})
 *   pass 1: chunk ──kernel──▶ summary
 *     REDUCTION:    ──OrderedFold (chunk order)──▶ per sequence the merge of all, the context of each chunk
 *     ORDERED_SCAN: ──OrderedScan (exclusive, chunk order)──▶ the merge before each chunk; the total
 *   pass 2: (chunk, its context) ──kernel──▶ outputs, pooled sum
 *           pooled sums ──OrderedFold──▶ embedding per sequence
 * </pre>
 *
 * What happens between the passes is the mixer's {@link TokenMixer#crossChunk}, switched over
 * exhaustively; its arithmetic is its kernel's, in core. Contexts are shuffled to their chunks'
 * partitions by (sequence, chunk) key, so a single chromosome's chunks stay spread over all
 * partitions in pass 2 and its tokens never move. Every
 * cross-chunk merge goes through {@link OrderedFold} or {@link OrderedScan}, so results are bitwise
 * identical for any partition count, and non-commutative merges happen in chunk order.
 */
public final class AttentionPlan {
  /** Chunks per block of the ordered scan: a task holds at most max(G, C/G) summaries. */
  static final int SCAN_BLOCK = 64;
  /**
   * Where everything kept that grows with the tokens lives — chunks, activations, emitted outputs:
   * on local disk, serialized (the operating system's page cache keeps it in memory when there is
   * room, outside the heap). d_model float32 per token is far more than the heap's storage share for
   * a genome (a 2M-token run at d_model 128 died of heap exhaustion with MEMORY_AND_DISK_SER while
   * unrolling a partition), and even 4 bytes a token is: 283 M tokens of chunks cached
   * MEMORY_AND_DISK_SER in a 1 GB heap died when Spark read a spilled block back and copied it
   * whole into the heap to cache it again. A disk block is read back one record at a time, so a
   * task's memory stays bounded by its chunk.
   */
  static final StorageLevel TOKEN_ROWS = StorageLevel.DISK_ONLY();
  /** Chunks a read task of an indexed FASTA file covers at most (16 × 64k tokens = 1 M bases). */
  static final int CHUNKS_PER_READ_TASK = 16;

  private final SparkSession spark;
  private final RunSpec spec;

  public AttentionPlan(SparkSession spark, RunSpec spec) {
    this.spark = spark;
    this.spec = spec;
  }

  /** Runs the job, writing states/ (when the mixers keep states), embeddings/ and outputs/ under {@code out}. */
  public RunStats run(OutputDirectory out) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    RunStats stats = new RunStats();
    Network net = spec.network();
    Broadcast<Network> network = jsc.broadcast(net);
    int chunkSize = spec.readers().chunkSize();
    boolean emit = spec.emitOutputs();
    List<Runnable> release = new ArrayList<>();
    StageBeside statesWrite = null;

    try {
      Readers readers = spec.readers();
      OutputTables tables = new OutputTables(spark, net.fingerprint(), net.mode());
      List<InputFile> parquet = spec.inputs().stream().filter(InputFile::isParquet).toList();
      refuseWhatHalosCannotDo(net, readers);
      List<ReadTask> tasks = timed(stats, "plan", () -> planReads(readers));
      int partitions = spec.partitions() > 0 ? spec.partitions()
          : PartitionSizing.partitions(PartitionSizing.estimatedTokens(tasks, parquet, chunkSize),
              jsc.defaultParallelism());
      JavaRDD<Chunk> read = read(jsc, readers, tasks, parquet, stats, release);
      RunDirectory earlier = null;
      if (spec.continueFrom() != null) {
        // Continued sequences resume at the position after their last stored token.
        earlier = RunDirectory.open(spec.continueFrom(), spark.sparkContext().hadoopConfiguration());
        JavaPairRDD<String, Long> offsets = earlier.finalStates(spark, net, 0).mapValues(Summary::tokens);
        read = read.keyBy(Chunk::seqId).leftOuterJoin(offsets, partitions).values()
            .map(c -> c._2().isPresent() ? c._1().shiftedBy(c._2().get()) : c._1());
      }
      // Chunks placed once: every later meeting with per-chunk contexts moves only the contexts.
      ChunkLayout layout = stayInPlace(tasks, parquet, earlier)
          ? ChunkLayout.inPlace(read, tasks) : ChunkLayout.shuffled(read, partitions, TOKEN_ROWS);
      stats.partitions = layout.partitions();
      JavaPairRDD<ChunkKey, Chunk> chunks = layout.chunks();
      release.add(() -> chunks.unpersist(false));
      // One read of every chunk counts them and keeps each sequence's first-chunk record (one small
      // record per sequence), which the duplicate check, the embeddings and continued scans read again:
      // finding them again would read every chunk again.
      JavaRDD<ReadSurvey> survey = chunks.values().mapPartitions(ReadSurvey::of)
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      release.add(() -> survey.unpersist(false));
      long[] counted = timed(stats, "read", () -> survey.map(ReadSurvey::counts).fold(new long[4], ReadSurvey::sum));
      stats.chunks = counted[0];
      stats.tokens = counted[1];
      stats.absentTokens = counted[2];
      stats.softMaskedTokens = counted[3];
      JavaPairRDD<String, SequenceInfo> infos = survey.flatMapToPair(r -> r.firsts().iterator());
      timed(stats, "read", () -> {
        rejectDuplicates(infos);
        return null;
      });

      // One pass per layer: its summaries need every earlier block's output on the chunk.
      LayerPasses passes = new LayerPasses(net, earlier, infos, chunkSize, partitions, stats, release);
      boolean cached = net.readsHalos()
          || spec.betweenLayers() == BetweenLayers.CACHE && net.depth() > 1 && net.runsBlockByBlock();
      JavaPairRDD<ChunkKey, ChunkResult> computed =
          cached ? cachedLayers(layout, network, passes, emit) : recomputedLayers(layout, network, passes, emit);
      JavaPairRDD<ChunkKey, ChunkResult> results =
          emit ? computed.persist(TOKEN_ROWS) : computed;
      release.add(() -> results.unpersist(false));
      // Kept (one small sum per sequence) so the counts below read them again without a second pass 2.
      JavaPairRDD<String, PooledSum> pooled =
          OrderedFold.perSequence(results.mapValues(ChunkResult::pooled), PooledSum.MERGE, partitions)
              .persist(StorageLevel.MEMORY_AND_DISK_SER());
      release.add(() -> pooled.unpersist(false));

      Map<Integer, JavaPairRDD<String, Summary>> states = new LinkedHashMap<>();
      for (int layer = 0; layer < net.depth(); layer++) {
        if (net.mixer(layer).storesState()) {
          states.put(layer, storedStates(net.mixer(layer), passes.totals.get(layer)));
        }
      }
      if (!states.isEmpty()) {
        // A table of a few rows a sequence, written beside pass 2: its Spark SQL planning and Parquet
        // set-up are driver work that would otherwise leave every task slot idle for seconds.
        statesWrite = StageBeside.start(spark, "seqattn-write-states", () -> timedBeside(stats, "write-states", () -> {
          tables.states(states).write().parquet(out.staging(OutputTables.STATES_TABLE));
          return null;
        }));
      }
      timed(stats, "pass2+write-embeddings", () -> {
        JavaRDD<Row> rows = pooled.join(infos, new HashPartitioner(partitions)).map(e -> {
          float[] embedding = network.value().embedding(e._2()._1());
          SequenceInfo info = e._2()._2();
          return RowFactory.create(e._1(), e._2()._1().count(), embedding, info.origin(),
              e._2()._1().nonPositiveNormalizers(), info.fields());
        });
        Dataset<Row> embeddings = tables.embeddings(rows);
        embeddings.write().parquet(out.staging(OutputTables.EMBEDDINGS_TABLE));
        return null;
      });
      stats.nonPositiveNormalizers = timed(stats, "report",
          () -> pooled.values().map(PooledSum::nonPositiveNormalizers).fold(0L, Long::sum));
      if (emit) {
        timed(stats, "write-outputs", () -> {
          tables.outputs(results, readers.fasta().keepSoftMask()).write()
              .parquet(out.staging(OutputTables.OUTPUTS_TABLE));
          return null;
        });
      }
      if (statesWrite != null) {
        statesWrite.join();
      }
      return stats;
    } finally {
      if (statesWrite != null) {
        statesWrite.cancel(); // a failed run writes nothing more, and its output is removed whole
      }
      release.forEach(Runnable::run);
      network.destroy();
    }
  }

  /**
   * A network whose layers read halos is run by the cached plan (the halos are cut from each block's
   * stored input), from sequence starts (a stored state keeps no rows before the continued run's
   * first chunk), with chunks no shorter than a halo (one earlier chunk holds a whole halo).
   */
  private void refuseWhatHalosCannotDo(Network net, Readers readers) {
    if (!net.readsHalos()) {
      return;
    }
    int widest = 0;
    for (int l = 0; l < net.depth(); l++) {
      widest = Math.max(widest, net.haloRows(l));
    }
    if (spec.betweenLayers() == BetweenLayers.RECOMPUTE) {
      throw new InputException("the model's short convolutions or windows read each block's input before a "
          + "chunk, which --between-layers recompute does not keep (drop it: cache is the default)");
    }
    if (spec.continueFrom() != null) {
      throw new InputException("the model's short convolutions or windows read the positions before a chunk, "
          + "and a stored state keeps none of the continued run's (drop --continue-from and run the whole sequences)");
    }
    if (readers.chunkSize() < widest) {
      throw new InputException("--chunk-size " + readers.chunkSize() + " is shorter than the " + widest
          + " positions before a chunk the model's short convolutions or windows read (use a chunk size >= " + widest
          + ")");
    }
  }

  /**
   * {@link BetweenLayers#RECOMPUTE}: chunks carry every earlier layer's context, and each pass runs
   * the chunk's tokens through all blocks before its own.
   */
  private static JavaPairRDD<ChunkKey, ChunkResult> recomputedLayers(ChunkLayout layout,
      Broadcast<Network> network, LayerPasses passes, boolean emit) throws IOException {
    JavaPairRDD<ChunkKey, Chunk> chunks = layout.chunks();
    JavaPairRDD<ChunkKey, ArrayList<Object>> contexts = null;
    for (int layer = 0; layer < passes.net.depth(); layer++) {
      int l = layer;
      JavaPairRDD<ChunkKey, Tuple2<Chunk, ArrayList<Object>>> withContexts = contexts == null
          ? chunks.mapValues(c -> new Tuple2<>(c, new ArrayList<>()))
          : layout.withContexts(contexts);
      JavaPairRDD<ChunkKey, Object> summaries = withContexts.mapValues(pair -> {
        Chunk c = pair._1();
        return TaskKernels.of(network.value()).summarize(l, c.tokens(), c.start(), pair._2());
      });
      JavaPairRDD<ChunkKey, Object> perChunk = passes.contexts(layer, summaries);
      JavaPairRDD<ChunkKey, ArrayList<Object>> before = contexts;
      contexts = (before == null ? perChunk.mapValues(AttentionPlan::listOf) : before.join(perChunk).mapValues(pair -> {
        ArrayList<Object> withThis = new ArrayList<>(pair._1());
        withThis.add(pair._2()); // null: a sequence's first chunk under an ordered scan
        return withThis;
      })).persist(StorageLevel.MEMORY_AND_DISK_SER());
      passes.release(contexts);
      passes.count(layer);
    }
    return layout.withContexts(contexts).mapValues(pair -> {
      Chunk c = pair._1();
      ChunkOutputs o = TaskKernels.of(network.value()).attend(c.tokens(), c.start(), pair._2(), emit);
      return new ChunkResult(c.start(), c.tokens().length, o.pooled(), o.outputs(), c.softMasked());
    });
  }

  /**
   * {@link BetweenLayers#CACHE}: each block's input is kept per chunk, summarized, read against its
   * context into the next block's input, and released once that is stored. Activations are records
   * aligned with the chunks — the same partition, the same place in it (chunks are sorted within
   * their partitions, so a recomputed partition has the same order), checked key by key — and are
   * walked beside them, never joined: a join would gather a partition's activations in memory.
   * Contexts, a few kB a chunk, are shuffled to the chunks' partitions and looked up there, and
   * so are the halos of a layer that reads them: each chunk sends the last rows of its block input
   * to the next chunk's key (and a sequence's first chunk {@link Halo#NONE} to its own), K − 1
   * rows a chunk instead of a shuffle of the activations.
   */
  private static JavaPairRDD<ChunkKey, ChunkResult> cachedLayers(ChunkLayout layout,
      Broadcast<Network> network, LayerPasses passes, boolean emit) throws IOException {
    Network net = passes.net;
    JavaPairRDD<ChunkKey, Chunk> chunks = layout.chunks();
    JavaPairRDD<ChunkKey, byte[]> input = chunks
        .mapValues(c -> layered(network).embedded(c.tokens(), c.start()))
        .persist(TOKEN_ROWS);
    passes.release(input);
    JavaPairRDD<ChunkKey, byte[]> chosen = null;
    for (int layer = 0; layer < net.depth(); layer++) {
      int l = layer;
      JavaPairRDD<ChunkKey, Tuple2<Chunk, byte[]>> aligned = aligned(chunks, input);
      JavaPairRDD<ChunkKey, Tuple2<Tuple2<Chunk, byte[]>, Halo>> here = net.haloRows(l) == 0
          ? aligned.mapValues(pair -> new Tuple2<>(pair, Halo.NONE))
          : layout.withContexts(aligned, passes.halos(aligned, net.haloRows(l)));
      JavaPairRDD<ChunkKey, Object> summaries = here.mapValues(row -> {
        Chunk c = row._1()._1();
        return layered(network).summarizeFrom(l, row._1()._2(), c.tokens(), c.start(), row._2());
      });
      JavaPairRDD<ChunkKey, Object> perChunk = passes.contexts(layer, summaries);
      JavaPairRDD<ChunkKey, byte[]> output = layout.withContexts(here, perChunk).mapValues(row -> {
        Chunk c = row._1()._1()._1();
        return layered(network).forward(l, row._1()._1()._2(), c.tokens(), c.start(), row._2(), row._1()._2());
      }).persist(TOKEN_ROWS);
      passes.release(output);
      passes.count(layer);
      passes.timed("forward-layer" + layer, () -> output.count());
      if (input != chosen) {
        input.unpersist(false);
      }
      input = output;
      if (layer + 1 == net.outputBlock()) {
        chosen = output;
      }
    }
    JavaPairRDD<ChunkKey, Tuple2<Chunk, byte[]>> last = aligned(chunks, input);
    JavaPairRDD<ChunkKey, Tuple2<Tuple2<Chunk, byte[]>, byte[]>> withChosen = chosen == null
        ? last.mapValues(pair -> new Tuple2<>(pair, (byte[]) null))
        : aligned(last, chosen);
    return withChosen.mapValues(pair -> {
      Chunk c = pair._1()._1();
      ChunkOutputs o = layered(network).finish(pair._1()._2(), pair._2(), c.tokens(), emit);
      return new ChunkResult(c.start(), c.tokens().length, o.pooled(), o.outputs(), c.softMasked());
    });
  }

  /** Two keyed RDDs whose partitions hold the same keys in the same order, walked side by side. */
  private static <A, B> JavaPairRDD<ChunkKey, Tuple2<A, B>> aligned(JavaPairRDD<ChunkKey, A> left,
      JavaPairRDD<ChunkKey, B> right) {
    return JavaPairRDD.fromJavaRDD(left.zipPartitions(right, (as, bs) -> new AlignedIterator<>(as, bs)));
  }

  /** Walks two partitions of the same keys in the same order in step, and fails when they are not. */
  private record AlignedIterator<A, B>(Iterator<Tuple2<ChunkKey, A>> as, Iterator<Tuple2<ChunkKey, B>> bs)
      implements Iterator<Tuple2<ChunkKey, Tuple2<A, B>>> {
    @Override
    public boolean hasNext() {
      if (as.hasNext()) {
        return true;
      }
      if (bs.hasNext()) {
        throw new IllegalStateException("activations out of step with their chunks: " + bs.next()._1()
            + " has no chunk");
      }
      return false;
    }

    @Override
    public Tuple2<ChunkKey, Tuple2<A, B>> next() {
      Tuple2<ChunkKey, A> a = as.next();
      if (!bs.hasNext()) {
        throw new IllegalStateException("activations out of step with their chunks: " + a._1() + " has none");
      }
      Tuple2<ChunkKey, B> b = bs.next();
      if (!a._1().equals(b._1())) {
        throw new IllegalStateException("activations out of step with their chunks: " + a._1() + " vs " + b._1());
      }
      return new Tuple2<>(a._1(), new Tuple2<>(a._2(), b._2()));
    }
  }

  private static LayeredKernel layered(Broadcast<Network> network) {
    return (LayeredKernel) TaskKernels.of(network.value());
  }

  /**
   * What every layer's pass does between its summaries and its per-chunk contexts, whatever the
   * chunks keep between passes: combine the summaries as the layer's mixer says, keep each
   * sequence's merge (its state), count tokens, refuse sequences beyond a mixer's length limit.
   */
  private final class LayerPasses {
    final Network net;
    final List<JavaPairRDD<String, Object>> totals = new ArrayList<>();
    private final RunDirectory earlier;
    private final JavaPairRDD<String, SequenceInfo> infos;
    private final int chunkSize;
    private final int partitions;
    private final RunStats stats;
    private final List<Runnable> release;

    LayerPasses(Network net, RunDirectory earlier, JavaPairRDD<String, SequenceInfo> infos, int chunkSize,
        int partitions, RunStats stats, List<Runnable> release) {
      this.net = net;
      this.earlier = earlier;
      this.infos = infos;
      this.chunkSize = chunkSize;
      this.partitions = partitions;
      this.stats = stats;
      this.release = release;
    }

    /** Layer {@code layer}'s context of every chunk from its summaries; the sequence's merge joins {@link #totals}. */
    JavaPairRDD<ChunkKey, Object> contexts(int layer, JavaPairRDD<ChunkKey, Object> summaries) throws IOException {
      JavaPairRDD<String, Summary> carriedIn = earlier == null ? null : earlier.finalStates(spark, net, layer);
      Contexts pass1 = combine(net.mixer(layer), summaries, carriedIn, infos, chunkSize, partitions);
      JavaPairRDD<String, Object> merged = pass1.totals().persist(StorageLevel.MEMORY_AND_DISK_SER());
      release(merged);
      totals.add(merged);
      return pass1.perChunk();
    }

    /** Runs layer {@code layer}'s pass 1 (counting every sequence's tokens) and checks the mixer's length limit. */
    void count(int layer) {
      LayerMixer<?> mixer = net.mixer(layer);
      JavaPairRDD<String, Object> merged = totals.get(layer);
      List<Long> lengths = timed(net.depth() == 1 ? "pass1" : "pass1-layer" + layer, () -> tokenCounts(mixer, merged));
      if (layer == 0) {
        stats.sequences = lengths.size();
        stats.emptySequences = lengths.stream().filter(n -> n == 0).count();
      }
      if (!spec.force() && lengths.stream().anyMatch(n -> n > mixer.lengthLimit())) {
        refuseBeyondLimit(mixer, merged);
      }
    }

    /**
     * Every chunk's halo of {@code rows} rows of its block input (the end of the chunk before it),
     * keyed by chunk; kept until the run ends, as both passes of the layer read it.
     */
    JavaPairRDD<ChunkKey, Halo> halos(JavaPairRDD<ChunkKey, Tuple2<Chunk, byte[]>> input, int rows) {
      JavaPairRDD<ChunkKey, Halo> halos = input.flatMapToPair(e -> {
        ChunkKey key = e._1();
        List<Tuple2<ChunkKey, Halo>> sent = new ArrayList<>(2);
        if (key.index() == 0) {
          sent.add(new Tuple2<>(key, Halo.NONE));
        }
        sent.add(new Tuple2<>(new ChunkKey(key.seqId(), key.index() + 1),
            Halo.tailOf(e._2()._2(), e._2()._1().tokens(), rows)));
        return sent.iterator();
      }).persist(StorageLevel.MEMORY_AND_DISK_SER());
      release(halos);
      return halos;
    }

    <T> T timed(String stage, Supplier<T> work) {
      return AttentionPlan.this.timed(stats, stage, work);
    }

    void release(JavaPairRDD<?, ?> cached) {
      release.add(() -> cached.unpersist(false));
    }
  }

  /** Every sequence's token count from its merged summaries of one layer. */
  @SuppressWarnings("unchecked") // a layer's summaries are its mixer's
  private static <S> List<Long> tokenCounts(LayerMixer<S> mixer, JavaPairRDD<String, Object> merged) {
    return merged.map(s -> mixer.tokens((S) s._2())).collect();
  }

  /** A layer's merged summaries as the states its mixer stores. */
  @SuppressWarnings("unchecked") // a layer's summaries are its mixer's
  private static <S> JavaPairRDD<String, Summary> storedStates(LayerMixer<S> mixer, JavaPairRDD<String, Object> merged) {
    return merged.mapValues(s -> mixer.state((S) s));
  }

  /**
   * The chunks of every input, in read tasks planned on the driver; under lenient validation
   * without the chunks of malformed records, which are listed in the stats.
   */
  private JavaRDD<Chunk> read(JavaSparkContext jsc, Readers readers, List<ReadTask> tasks, List<InputFile> parquet,
      RunStats stats, List<Runnable> release) {
    stats.readTasks = tasks.size();
    Storage.Shipped hadoop = new Storage.Shipped(jsc.hadoopConfiguration()); // inputs on HDFS, s3a, …
    JavaRDD<ReadItem> items = jsc.parallelize(tasks, Math.max(1, tasks.size())).flatMap(task -> {
      hadoop.install();
      return readers.chunks(task);
    });
    if (!parquet.isEmpty()) {
      JavaRDD<ReadItem> tables = timed(stats, "plan", () -> ParquetIds.read(spark, parquet, readers));
      items = tasks.isEmpty() ? tables : items.union(tables);
    }
    if (readers.validation() == Validation.STRICT) {
      return items.map(i -> (Chunk) i);
    }
    // Malformed records are few: list them on the driver, then drop every chunk read of them.
    JavaRDD<ReadItem> cached = items.persist(TOKEN_ROWS);
    release.add(() -> cached.unpersist(false));
    List<ReadItem.Skipped> skipped = timed(stats, "validate", () -> cached
        .filter(i -> i instanceof ReadItem.Skipped).map(i -> (ReadItem.Skipped) i).collect());
    stats.skipped = skipped;
    Broadcast<Set<String>> bad = jsc.broadcast(skipped.stream().map(ReadItem.Skipped::seqId)
        .filter(Objects::nonNull).collect(Collectors.toSet()));
    return cached.filter(i -> i instanceof Chunk c && !bad.value().contains(c.seqId())).map(i -> (Chunk) i);
  }

  /** Refuses a sequence longer than the mixer takes unforced, before any is read out, naming one. */
  @SuppressWarnings("unchecked") // a layer's summaries are its mixer's
  private static <S> void refuseBeyondLimit(LayerMixer<S> mixer, JavaPairRDD<String, Object> merged) {
    long limit = mixer.lengthLimit();
    Tuple2<String, Long> longest = merged.mapValues(s -> mixer.tokens((S) s)).filter(l -> l._2() > limit).first();
    throw new InputException("sequence '" + longest._1() + "' has " + longest._2() + " tokens: "
        + mixer.lengthLimitReason() + " and is refused above " + limit + " tokens (pass --force to run it anyway, "
        + "or use linear attention)");
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
      origins.sort(Comparator.comparingInt(this::inputIndex).thenComparingLong(AttentionPlan::place));
      throw new DuplicateSequenceException(duplicated.get(0)._1(), origins.get(0), origins.get(1));
    }
  }

  /** Which of the run's inputs an origin names (its position in the input list). */
  private int inputIndex(String origin) {
    List<InputFile> inputs = spec.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      if (origin.startsWith(inputs.get(i).path() + ":")) {
        return i;
      }
    }
    return inputs.size();
  }

  private static final Pattern TRAILING_NUMBER = Pattern.compile("(\\d+)$");

  /** The line or byte offset an origin ends with: where in its file the record is. */
  private static long place(String origin) {
    Matcher m = TRAILING_NUMBER.matcher(origin);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Times a stage whose Spark jobs carry the description {@link RunStats#jobDescription}. */
  /** {@link #timed} for a stage on a thread of its own, beside the run's. */
  private <T> T timedBeside(RunStats stats, String stage, Supplier<T> step) {
    return described(stage, () -> stats.timeBeside(stage, step));
  }

  private <T> T timed(RunStats stats, String stage, Supplier<T> step) {
    return described(stage, () -> stats.time(stage, step));
  }

  /** Runs {@code step} with this thread's Spark jobs described as {@code stage}'s. */
  private <T> T described(String stage, Supplier<T> step) {
    spark.sparkContext().setJobDescription(RunStats.jobDescription(stage));
    try {
      return step.get();
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * What a layer's pass 1 hands on: each sequence's merge of all its summaries and, per chunk, what
   * that chunk is read against (null for a sequence's first chunk under an ordered scan).
   */
  private record Contexts(JavaPairRDD<String, Object> totals, JavaPairRDD<ChunkKey, Object> perChunk) {}

  /** A layer's summaries combined across chunks as its mixer says. */
  @SuppressWarnings("unchecked") // a layer's summaries are its mixer's
  private static <S> Contexts combine(LayerMixer<S> mixer, JavaPairRDD<ChunkKey, Object> summaries,
      JavaPairRDD<String, Summary> carriedIn, JavaPairRDD<String, SequenceInfo> present, int chunkSize,
      int partitions) {
    JavaPairRDD<ChunkKey, S> typed = summaries.mapValues(s -> (S) s);
    return switch (mixer.crossChunk()) {
      case REDUCTION -> reduced(typed, mixer, chunkSize, partitions);
      case ORDERED_SCAN -> scanned(typed, mixer,
          carriedIn == null ? null : carriedIn.mapValues(mixer::resume), present, partitions);
    };
  }

  /** {@code REDUCTION}: one ordered fold per sequence; every chunk reads against the whole sequence's merge. */
  private static <S> Contexts reduced(JavaPairRDD<ChunkKey, S> summaries, LayerMixer<S> mixer, int chunkSize,
      int partitions) {
    JavaPairRDD<String, S> totals = OrderedFold.perSequence(summaries, mixer.semigroup(), partitions);
    JavaPairRDD<ChunkKey, Object> perChunk = totals.flatMapToPair(s -> {
      long n = mixer.tokens(s._2());
      int count = n == 0 ? 1 : (int) ((n + chunkSize - 1) / chunkSize);
      List<Tuple2<ChunkKey, Object>> copies = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        copies.add(new Tuple2<>(new ChunkKey(s._1(), i), s._2()));
      }
      return copies.iterator();
    });
    return new Contexts(totals.mapValues(t -> (Object) t), perChunk);
  }

  /**
   * {@code ORDERED_SCAN}: an exclusive ordered scan; every chunk reads against the merge before it.
   * A stored state being continued ({@code carriedIn}, may be null) enters the scan as chunk −1 of
   * its sequence, for the sequences present in this run's inputs.
   */
  private static <S> Contexts scanned(JavaPairRDD<ChunkKey, S> summaries, LayerMixer<S> mixer,
      JavaPairRDD<String, S> carriedIn, JavaPairRDD<String, SequenceInfo> present, int partitions) {
    JavaPairRDD<ChunkKey, S> scanned = summaries;
    if (carriedIn != null) {
      scanned = summaries.union(carriedIn.join(present, partitions)
          .mapToPair(e -> new Tuple2<>(new ChunkKey(e._1(), -1), e._2()._1())));
    }
    OrderedScan.Result<S> scan = OrderedScan.exclusive(scanned, mixer.semigroup(), partitions, SCAN_BLOCK);
    return new Contexts(scan.totals().mapValues(t -> (Object) t),
        scan.prefixes().filter(p -> p._1().index() >= 0).mapValues(p -> (Object) p));
  }

  private List<ReadTask> planReads(Readers readers) {
    try {
      return new SplitPlanner(readers.tokenizer(), readers.chunkSize(), CHUNKS_PER_READ_TASK, readers.validation())
          .plan(spec.inputs().stream().filter(f -> !f.isParquet()).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What one read of a partition's chunks tells the driver: the counts of chunks, tokens, absent and
   * soft-masked tokens, and every sequence's first chunk's record.
   */
  private record ReadSurvey(long[] counts, ArrayList<Tuple2<String, SequenceInfo>> firsts)
      implements java.io.Serializable {
    static Iterator<ReadSurvey> of(Iterator<Chunk> chunks) {
      long[] counts = new long[4];
      ArrayList<Tuple2<String, SequenceInfo>> firsts = new ArrayList<>();
      while (chunks.hasNext()) {
        Chunk c = chunks.next();
        counts[0]++;
        counts[1] += c.tokens().length;
        counts[2] += c.absentTokens();
        counts[3] += c.softMaskedTokens();
        if (c.index() == 0) {
          firsts.add(new Tuple2<>(c.seqId(), c.info()));
        }
      }
      return List.of(new ReadSurvey(counts, firsts)).iterator();
    }

    static long[] sum(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]};
    }
  }

  /** A one-element list, to which later layers' contexts are added. */
  private static ArrayList<Object> listOf(Object first) {
    ArrayList<Object> list = new ArrayList<>();
    list.add(first); // null: a sequence's first chunk under an ordered scan
    return list;
  }

  /**
   * Whether the chunks can stay in their read tasks ({@link ChunkLayout#inPlace}): every input is
   * index-split FASTA, the partition count is not set by hand (it is then the read tasks'), and
   * no earlier run's offsets have to be joined to the chunks first.
   */
  private boolean stayInPlace(List<ReadTask> tasks, List<InputFile> parquet, RunDirectory earlier) {
    return spec.partitions() == 0 && parquet.isEmpty() && earlier == null
        && spec.readers().validation() == Validation.STRICT && ChunkLayout.canStayInPlace(tasks);
  }

  static ChunkKey key(Chunk c) {
    return new ChunkKey(c.seqId(), c.index());
  }
}
