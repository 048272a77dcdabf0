package io.seqattn.udfs;

import io.seqattn.core.attention.Semigroup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;

/**
 * Folds per-chunk values into one value per sequence, always left to right in chunk order.
 *
 * <p>Values are shuffled by sequence id and sorted by (sequence, chunk) within each partition
 * (a secondary sort, so a sequence of any length is folded in O(1) memory), then folded with the
 * semigroup. Because the order is fixed by the data, the floating-point result is bitwise the same
 * for any number of partitions, and non-commutative merges are applied correctly whatever order
 * Spark delivered the values in. Two values for the same chunk mean two sequences share an id,
 * which is reported as an error.
 */
public final class OrderedFold {
  private OrderedFold() {}

  public static <T> JavaPairRDD<String, T> perSequence(
      JavaPairRDD<ChunkKey, T> values, Semigroup<T> semigroup, int partitions) {
    return values
        .repartitionAndSortWithinPartitions(new BySequence(partitions), ChunkKey.ORDER)
        .mapPartitionsToPair(sorted -> fold(sorted, semigroup));
  }

  private static <T> Iterator<Tuple2<String, T>> fold(Iterator<Tuple2<ChunkKey, T>> sorted, Semigroup<T> semigroup) {
    List<Tuple2<String, T>> out = new ArrayList<>();
    String seqId = null;
    int lastIndex = -1;
    T acc = null;
    while (sorted.hasNext()) {
      Tuple2<ChunkKey, T> next = sorted.next();
      ChunkKey key = next._1();
      if (key.seqId().equals(seqId)) {
        if (key.index() == lastIndex) {
          throw new DuplicateSequenceException(seqId);
        }
        acc = semigroup.merge(acc, next._2());
      } else {
        if (seqId != null) {
          out.add(new Tuple2<>(seqId, acc));
        }
        seqId = key.seqId();
        acc = next._2();
      }
      lastIndex = key.index();
    }
    if (seqId != null) {
      out.add(new Tuple2<>(seqId, acc));
    }
    return out.iterator();
  }

  /** Partitions chunk keys by sequence id only, so a sequence's chunks meet in one partition. */
  static final class BySequence extends Partitioner {
    private final int partitions;

    BySequence(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return Math.floorMod(((ChunkKey) key).seqId().hashCode(), partitions);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BySequence other && other.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }
}
