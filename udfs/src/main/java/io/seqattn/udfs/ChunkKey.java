package io.seqattn.udfs;

import java.io.Serializable;
import java.util.Comparator;

/**
 * Identifies chunk {@code index} (0-based, in sequence order) of sequence {@code seqId}. Ordering
 * by (seqId, index) is what makes every cross-chunk merge happen in a fixed order, whatever the
 * partitioning.
 */
public record ChunkKey(String seqId, int index) implements Serializable {

  /** Sequence id, then chunk index. Serializable so Spark can ship it with a sort. */
  public static final Comparator<ChunkKey> ORDER = new ByPosition();

  private static final class ByPosition implements Comparator<ChunkKey>, Serializable {
    @Override
    public int compare(ChunkKey a, ChunkKey b) {
      int c = a.seqId.compareTo(b.seqId);
      return c != 0 ? c : Integer.compare(a.index, b.index);
    }
  }
}
