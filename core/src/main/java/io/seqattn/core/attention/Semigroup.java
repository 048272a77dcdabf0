package io.seqattn.core.attention;

import java.io.Serializable;

/**
 * An associative merge: {@code merge(a, merge(b, c)) == merge(merge(a, b), c)} in exact
 * arithmetic. Implementations are pure — they never modify their arguments — so Spark may keep
 * the inputs. Floating-point sums are only associative up to rounding, so callers that need
 * bitwise-reproducible results fold in a fixed (chunk) order; {@link #isCommutative()} says
 * whether the order may also be swapped in exact arithmetic.
 */
public interface Semigroup<T> extends Serializable {

  T merge(T left, T right);

  /** Whether {@code merge(a, b) == merge(b, a)} in exact arithmetic. */
  boolean isCommutative();
}
