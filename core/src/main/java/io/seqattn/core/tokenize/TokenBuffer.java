package io.seqattn.core.tokenize;

import java.util.Arrays;

/**
 * A growable queue of token ids: tokenizers append, chunkers take fixed-size chunks off the front.
 * Reused across sequences to keep the read path free of per-token allocation.
 */
public final class TokenBuffer {
  private int[] ids = new int[1024];
  private int start;
  private int end;

  public void add(int id) {
    if (end == ids.length) {
      makeRoom();
    }
    ids[end++] = id;
  }

  public int size() {
    return end - start;
  }

  /** Removes and returns the first {@code n} ids (n ≤ size()). */
  public int[] take(int n) {
    if (n > size()) {
      throw new IllegalArgumentException("asked for " + n + " tokens, only " + size() + " buffered");
    }
    int[] out = Arrays.copyOfRange(ids, start, start + n);
    start += n;
    if (start == end) {
      start = 0;
      end = 0;
    }
    return out;
  }

  public void clear() {
    start = 0;
    end = 0;
  }

  private void makeRoom() {
    int live = size();
    if (start > 0 && live <= ids.length / 2) {
      System.arraycopy(ids, start, ids, 0, live);
    } else {
      int[] bigger = new int[Math.max(16, ids.length * 2)];
      System.arraycopy(ids, start, bigger, 0, live);
      ids = bigger;
    }
    start = 0;
    end = live;
  }
}
