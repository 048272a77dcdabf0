package io.seqattn.core.attention;

import java.io.Serializable;

/**
 * An associative merge: {@code merge(a, merge(b, c)) == merge(merge(a, b), c)} in exact
 * arithmetic. Implementations are pure — they never modify their arguments — so Spark may keep
 * the inputs. Floating-point sums are only associative up to rounding, so callers that need
 * bitwise-reproducible results fold in a fixed (chunk) order — {@link #mergeAll} is that left fold;
 * {@link #isCommutative()} says whether the order may also be swapped in exact arithmetic (it may
 * not for decayed summaries or concatenations).
 */
public interface Semigroup<T> extends Serializable {

  T merge(T left, T right);

  /** Whether {@code merge(a, b) == merge(b, a)} in exact arithmetic. */
  boolean isCommutative();

  /**
   * {@code merge(accumulated, next)}, with null on either side standing for nothing: the step of a
   * left fold that starts empty, or of merging optional parts.
   */
  default T mergeNullable(T accumulated, T next) {
    return accumulated == null ? next : next == null ? accumulated : merge(accumulated, next);
  }

  /** The left fold v₀ ⊕ v₁ ⊕ … of {@code values} in their order, or null when there are none. */
  default T mergeAll(Iterable<? extends T> values) {
    T acc = null;
    for (T v : values) {
      acc = mergeNullable(acc, v);
    }
    return acc;
  }
}
