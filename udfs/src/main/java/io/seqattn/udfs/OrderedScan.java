package io.seqattn.udfs;

import io.seqattn.core.attention.Semigroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The exclusive prefix scan of per-chunk values within each sequence, in chunk order: chunk c gets
 * v₀ ⊕ … ⊕ v_(c−1) (null for chunk 0), and each sequence gets its total v₀ ⊕ … ⊕ v_last.
 *
 * <p>Two levels, so no task ever holds a whole long sequence and the driver holds nothing:
 * <ol>
 *   <li>chunks are grouped into blocks of {@code blockSize} consecutive chunks and each block is
 *       folded in chunk order (a task holds at most blockSize values);</li>
 *   <li>per sequence, the block totals are scanned in block order (a task holds ⌈C/blockSize⌉
 *       totals for a sequence of C chunks), giving each block's prefix and the sequence total;</li>
 *   <li>each block is scanned again from its prefix, giving every chunk's prefix.</li>
 * </ol>
 * Values are sorted by index wherever they meet, so the result does not depend on the order Spark
 * delivers them in — which is what makes non-commutative (decayed) merges correct — and the fixed
 * association makes it bitwise reproducible for any partition count.
 */
public final class OrderedScan {
  private OrderedScan() {}

  /** The scan's two outputs: per-chunk exclusive prefixes (null for chunk 0) and per-sequence totals. */
  public record Result<T>(JavaPairRDD<ChunkKey, T> prefixes, JavaPairRDD<String, T> totals) {}

  public static <T> Result<T> exclusive(JavaPairRDD<ChunkKey, T> values, Semigroup<T> semigroup, int partitions,
      int blockSize) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
    }
    JavaPairRDD<ChunkKey, List<Tuple2<Integer, T>>> blocks = values
        .mapToPair(e -> new Tuple2<>(new ChunkKey(e._1().seqId(), e._1().index() / blockSize),
            new Tuple2<>(e._1().index(), e._2())))
        .groupByKey(partitions)
        .mapToPair(g -> new Tuple2<>(g._1(), sorted(g._1().seqId(), g._2())))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());

    JavaPairRDD<String, List<Tuple2<Integer, T>>> blockTotals = blocks
        .mapToPair(b -> new Tuple2<>(b._1().seqId(), new Tuple2<>(b._1().index(), foldAll(b._2(), semigroup))))
        .groupByKey(partitions)
        .mapToPair(g -> new Tuple2<>(g._1(), sorted(g._1(), g._2())))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());

    JavaPairRDD<ChunkKey, T> blockPrefixes = blockTotals.flatMapToPair(seq -> {
      List<Tuple2<ChunkKey, T>> out = new ArrayList<>();
      T acc = null;
      for (Tuple2<Integer, T> block : seq._2()) {
        out.add(new Tuple2<>(new ChunkKey(seq._1(), block._1()), acc));
        acc = semigroup.mergeNullable(acc, block._2());
      }
      return out.iterator();
    });
    JavaPairRDD<String, T> totals = blockTotals.mapValues(list -> foldAll(list, semigroup));

    JavaPairRDD<ChunkKey, T> prefixes = blocks.join(blockPrefixes, partitions).flatMapToPair(b -> {
      String seqId = b._1().seqId();
      T acc = b._2()._2();
      List<Tuple2<ChunkKey, T>> out = new ArrayList<>();
      for (Tuple2<Integer, T> chunk : b._2()._1()) {
        out.add(new Tuple2<>(new ChunkKey(seqId, chunk._1()), acc));
        acc = semigroup.mergeNullable(acc, chunk._2());
      }
      return out.iterator();
    });
    return new Result<>(prefixes, totals);
  }

  /** The values of one group in index order; two values at one index mean two sequences share an id. */
  private static <T> List<Tuple2<Integer, T>> sorted(String seqId, Iterable<Tuple2<Integer, T>> values) {
    List<Tuple2<Integer, T>> list = new ArrayList<>();
    values.forEach(list::add);
    list.sort(Comparator.comparingInt(Tuple2::_1));
    for (int i = 1; i < list.size(); i++) {
      if (list.get(i)._1().equals(list.get(i - 1)._1())) {
        throw new DuplicateSequenceException(seqId);
      }
    }
    return list;
  }

  private static <T> T foldAll(List<Tuple2<Integer, T>> sorted, Semigroup<T> semigroup) {
    return semigroup.mergeAll(sorted.stream().map(Tuple2::_2).toList());
  }
}
