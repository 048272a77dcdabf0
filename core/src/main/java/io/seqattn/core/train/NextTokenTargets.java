package io.seqattn.core.train;

import io.seqattn.core.tokenize.Tokenizer;

/**
 * What a language model is asked to predict at each position (−1: nothing), from the token ids
 * of one sequence. Position p predicts only when it has an output (it is present) and the next
 * token is known.
 */
public final class NextTokenTargets {
  /** The class names of {@link #nextBase}: class b is the base whose code is b. */
  public static final String[] BASES = {"A", "C", "G", "T"};

  private NextTokenTargets() {}

  /**
   * Overlapping DNA k-mers at stride 1 (id = base-4 number, last base least significant): the
   * k-mer at p + 1 ends with the base after the k-mer at p, so the target is its id mod 4 — one
   * prediction per base, from base k on. A next k-mer holding an ambiguous base (id 4^k) or
   * absent has no target.
   */
  public static int[] nextBase(int[] ids, int k) {
    if (k < 1 || k > 15) {
      throw new IllegalArgumentException("k must be in 1..15, got " + k);
    }
    int plain = 1 << (2 * k);
    int[] out = new int[ids.length];
    for (int p = 0; p < ids.length; p++) {
      int next = p + 1 < ids.length ? ids[p + 1] : -1;
      out[p] = ids[p] != Tokenizer.ABSENT && next >= 0 && next < plain ? next & 3 : -1;
    }
    return out;
  }

  /** Any tokenizer: the target at p is the id at p + 1, when both are present. */
  public static int[] nextToken(int[] ids) {
    int[] out = new int[ids.length];
    for (int p = 0; p < ids.length; p++) {
      int next = p + 1 < ids.length ? ids[p + 1] : Tokenizer.ABSENT;
      out[p] = ids[p] != Tokenizer.ABSENT && next != Tokenizer.ABSENT ? next : -1;
    }
    return out;
  }
}
