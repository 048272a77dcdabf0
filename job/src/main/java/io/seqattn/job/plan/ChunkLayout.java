package io.seqattn.job.plan;

import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.ReadTask;
import io.seqattn.udfs.ChunkKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Where a run's chunks live between its passes, and how per-chunk contexts are brought to them.
 *
 * <ul>
 *   <li>{@link #shuffled}: chunks keyed, hash-partitioned over {@code P} partitions, sorted within
 *       them and cached on local disk. For inputs read whole by one task (plain gzip, text, JSONL,
 *       Parquet), which must be spread out to use the cluster.
 *   <li>{@link #inPlace}: index-split FASTA, whose read tasks already hold contiguous pieces of
 *       their records. The chunks stay in their read tasks' partitions, are not cached, and every
 *       pass reads its pieces again: tokenizing a byte range again cost 0.2 s of task time on
 *       C. elegans chrX, where shuffling, sorting, caching and reading back 4 bytes a token cost
 *       about 6 s (docs/performance.md).
 * </ul>
 *
 * <p>Either way a partition's chunks come in the same order every time it is computed, and
 * contexts — a few kB a chunk — are shuffled to the partition of their chunk and looked up there
 * ({@link #withContexts}), so a chunk's tokens never move after they are read. Results do not
 * depend on the layout: every cross-chunk merge is an ordered fold or scan keyed by chunk.
 */
record ChunkLayout(JavaPairRDD<ChunkKey, Chunk> chunks, Partitioner partitioner) {

  /** Chunks spread over {@code partitions} hash partitions, sorted in them, cached as {@code level}. */
  static ChunkLayout shuffled(JavaRDD<Chunk> read, int partitions, StorageLevel level) {
    HashPartitioner byChunk = new HashPartitioner(partitions);
    JavaPairRDD<ChunkKey, Chunk> chunks = read.mapToPair(c -> new Tuple2<>(AttentionPlan.key(c), c))
        .repartitionAndSortWithinPartitions(byChunk, ChunkKey.ORDER)
        .persist(level);
    return new ChunkLayout(chunks, byChunk);
  }

  /** Chunks left where {@code read} — one partition per task of {@code tasks}, in order — reads them. */
  static ChunkLayout inPlace(JavaRDD<Chunk> read, List<ReadTask> tasks) {
    if (read.getNumPartitions() != tasks.size()) {
      throw new IllegalArgumentException(read.getNumPartitions() + " partitions for " + tasks.size() + " read tasks");
    }
    return new ChunkLayout(read.mapToPair(c -> new Tuple2<>(AttentionPlan.key(c), c)), new ByReadTask(tasks));
  }

  /** Whether every task reads pieces of an indexed FASTA file, so the chunks can stay where they are read. */
  static boolean canStayInPlace(List<ReadTask> tasks) {
    return !tasks.isEmpty() && tasks.stream().allMatch(t -> t instanceof ReadTask.FastaPieces);
  }

  int partitions() {
    return partitioner.numPartitions();
  }

  /**
   * Every chunk with its value in {@code contexts} (null values kept: a sequence's first chunk under
   * an ordered scan), in the chunks' partitions and order. A chunk without an entry is an error: its
   * pass would otherwise be lost without a word.
   */
  <C> JavaPairRDD<ChunkKey, Tuple2<Chunk, C>> withContexts(JavaPairRDD<ChunkKey, C> contexts) {
    return withContexts(chunks, contexts);
  }

  /** {@link #withContexts(JavaPairRDD)} for records laid out like the chunks (the same partitions, the same order). */
  <A, C> JavaPairRDD<ChunkKey, Tuple2<A, C>> withContexts(JavaPairRDD<ChunkKey, A> aligned,
      JavaPairRDD<ChunkKey, C> contexts) {
    JavaPairRDD<ChunkKey, C> moved = contexts.partitionBy(partitioner);
    return JavaPairRDD.fromJavaRDD(aligned.zipPartitions(moved, (rows, here) -> {
      Map<ChunkKey, C> byKey = new HashMap<>();
      here.forEachRemaining(e -> byKey.put(e._1(), e._2()));
      return new LookedUp<>(rows, byKey);
    }));
  }

  /** Pairs each record with its key's context as the records are walked, one at a time. */
  private record LookedUp<A, C>(Iterator<Tuple2<ChunkKey, A>> rows, Map<ChunkKey, C> byKey)
      implements Iterator<Tuple2<ChunkKey, Tuple2<A, C>>> {
    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Tuple2<ChunkKey, Tuple2<A, C>> next() {
      Tuple2<ChunkKey, A> row = rows.next();
      if (!byKey.containsKey(row._1())) {
        throw new IllegalStateException("no context for chunk " + row._1());
      }
      return new Tuple2<>(row._1(), new Tuple2<>(row._2(), byKey.get(row._1())));
    }
  }

  /**
   * Sends a chunk key to the read task that reads that chunk: per sequence, the first chunk of each
   * of its pieces and the task holding it, searched by chunk index. Keys of no piece (there are
   * none in a run; the lookup in {@link #withContexts} reports them) go to a hash partition.
   */
  static final class ByReadTask extends Partitioner {
    private final int tasks;
    private final Map<String, long[]> firstChunks = new HashMap<>();
    private final Map<String, int[]> taskOf = new HashMap<>();

    ByReadTask(List<ReadTask> readTasks) {
      this.tasks = readTasks.size();
      Map<String, List<long[]>> pieces = new HashMap<>();
      for (int t = 0; t < readTasks.size(); t++) {
        for (ReadTask.Piece p : ((ReadTask.FastaPieces) readTasks.get(t)).pieces()) {
          pieces.computeIfAbsent(p.entry().name(), k -> new ArrayList<>()).add(new long[] {p.chunkFrom(), t});
        }
      }
      pieces.forEach((seq, list) -> {
        list.sort((a, b) -> Long.compare(a[0], b[0]));
        firstChunks.put(seq, list.stream().mapToLong(a -> a[0]).toArray());
        taskOf.put(seq, list.stream().mapToInt(a -> (int) a[1]).toArray());
      });
    }

    @Override
    public int numPartitions() {
      return tasks;
    }

    @Override
    public int getPartition(Object key) {
      ChunkKey k = (ChunkKey) key;
      long[] starts = firstChunks.get(k.seqId());
      if (starts == null || k.index() < starts[0]) {
        return Math.floorMod(k.hashCode(), tasks);
      }
      int i = Arrays.binarySearch(starts, k.index());
      return taskOf.get(k.seqId())[i >= 0 ? i : -i - 2];
    }
  }
}
