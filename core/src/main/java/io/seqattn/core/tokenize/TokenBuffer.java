package io.seqattn.core.tokenize;

import java.util.Arrays;

/**
 * A growable queue of token ids, optionally with one flag per token (the soft-mask flag of a DNA
 * k-mer): tokenizers append, chunkers take fixed-size chunks off the front. Reused across
 * sequences to keep the read path free of per-token allocation.
 */
public final class TokenBuffer {
  private int[] ids = new int[1024];
  private boolean[] flags;
  private int start;
  private int end;

  public void add(int id) {
    if (end == ids.length) {
      makeRoom();
    }
    ids[end++] = id;
  }

  /** Appends a token with its flag; a buffer that is given flags keeps one for every token. */
  public void add(int id, boolean flag) {
    if (flags == null) {
      flags = new boolean[ids.length];
    }
    if (end == ids.length) {
      makeRoom();
    }
    flags[end] = flag;
    ids[end++] = id;
  }

  /** Whether tokens carry flags (a tokenizer called {@link #add(int, boolean)}). */
  public boolean hasFlags() {
    return flags != null;
  }

  /** The flags of the first {@code n} tokens, left in place (call before {@link #take}). */
  public boolean[] peekFlags(int n) {
    if (n > size()) {
      throw new IllegalArgumentException("asked for " + n + " flags, only " + size() + " buffered");
    }
    return Arrays.copyOfRange(flags, start, start + n);
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
      if (flags != null) {
        System.arraycopy(flags, start, flags, 0, live);
      }
    } else {
      int[] bigger = new int[Math.max(16, ids.length * 2)];
      System.arraycopy(ids, start, bigger, 0, live);
      ids = bigger;
      if (flags != null) {
        boolean[] biggerFlags = new boolean[bigger.length];
        System.arraycopy(flags, start, biggerFlags, 0, live);
        flags = biggerFlags;
      }
    }
    start = 0;
    end = live;
  }
}
