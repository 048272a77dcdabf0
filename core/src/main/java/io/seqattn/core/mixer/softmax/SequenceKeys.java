package io.seqattn.core.mixer.softmax;

import io.seqattn.core.attention.Semigroup;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Exact softmax attention's summary of a stretch of tokens: the tokens themselves (the keys and
 * values are their projections), the first at position {@code start}. Nothing smaller summarizes
 * them exactly, so stretches merge by concatenation ({@link #CONCATENATION}, the free monoid:
 * associative, not commutative — merged in position order it gives a whole sequence's tokens).
 */
public record SequenceKeys(long start, int[] tokens) implements Serializable {

  /** Consecutive stretches, left then right: the left's tokens followed by the right's. */
  public static final Semigroup<SequenceKeys> CONCATENATION = new Semigroup<>() {
    @Override
    public SequenceKeys merge(SequenceKeys left, SequenceKeys right) {
      if (right.start != left.start + left.tokens.length) {
        throw new IllegalArgumentException("stretches are not consecutive: [" + left.start + ", "
            + (left.start + left.tokens.length) + ") then one starting at " + right.start);
      }
      int[] tokens = Arrays.copyOf(left.tokens, Math.addExact(left.tokens.length, right.tokens.length));
      System.arraycopy(right.tokens, 0, tokens, left.tokens.length, right.tokens.length);
      return new SequenceKeys(left.start, tokens);
    }

    @Override
    public boolean isCommutative() {
      return false;
    }
  };

  @Override
  public boolean equals(Object o) {
    return o instanceof SequenceKeys k && k.start == start && Arrays.equals(k.tokens, tokens);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(start) * 31 + Arrays.hashCode(tokens);
  }

  @Override
  public String toString() {
    return "SequenceKeys[start=" + start + ", tokens=" + tokens.length + "]";
  }
}
