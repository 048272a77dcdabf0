package io.seqattn.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.attention.Semigroup;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The laws every summary's merge must keep, checked on samples (algebird's {@code semigroupLaws}):
 * associativity on every ordered triple, an identity on both sides when the type has one,
 * commutativity exactly when {@link Semigroup#isCommutative()} says so — and, when it says not, a
 * pair of samples that shows it — and the split–merge oracle, summarizing a concatenation equals
 * merging the summaries of its parts. Equality is the caller's: exact, or within a tolerance named
 * at the call.
 */
public final class SemigroupLaws<T> {
  private final Semigroup<T> semigroup;
  private final BiPredicate<T, T> equal;
  private final String what;

  private SemigroupLaws(Semigroup<T> semigroup, BiPredicate<T, T> equal, String what) {
    this.semigroup = semigroup;
    this.equal = equal;
    this.what = what;
  }

  public static <T> SemigroupLaws<T> of(String what, Semigroup<T> semigroup, BiPredicate<T, T> equal) {
    return new SemigroupLaws<>(semigroup, equal, what);
  }

  /** a ⊕ (b ⊕ c) = (a ⊕ b) ⊕ c for every ordered triple of samples. */
  public SemigroupLaws<T> associative(List<T> samples) {
    for (T a : samples) {
      for (T b : samples) {
        for (T c : samples) {
          T left = semigroup.merge(semigroup.merge(a, b), c);
          T right = semigroup.merge(a, semigroup.merge(b, c));
          assertTrue(equal.test(left, right), what + ": (a ⊕ b) ⊕ c = " + left + " but a ⊕ (b ⊕ c) = " + right);
        }
      }
    }
    return this;
  }

  /**
   * a ⊕ (b ⊕ c) = (a ⊕ b) ⊕ c for consecutive stretches a, b, c: the law of a merge defined only
   * for stretches that follow each other (a concatenation).
   */
  public SemigroupLaws<T> associativeInOrder(T a, T b, T c) {
    T left = semigroup.merge(semigroup.merge(a, b), c);
    T right = semigroup.merge(a, semigroup.merge(b, c));
    assertTrue(equal.test(left, right), what + ": (a ⊕ b) ⊕ c = " + left + " but a ⊕ (b ⊕ c) = " + right);
    return this;
  }

  /** e ⊕ a = a = a ⊕ e for every sample. */
  public SemigroupLaws<T> identity(T e, List<T> samples) {
    for (T a : samples) {
      assertTrue(equal.test(semigroup.merge(e, a), a), what + ": e ⊕ a differs from a = " + a);
      assertTrue(equal.test(semigroup.merge(a, e), a), what + ": a ⊕ e differs from a = " + a);
    }
    return this;
  }

  /**
   * a ⊕ b = b ⊕ a for every pair when the merge declares itself commutative; otherwise some pair of
   * samples must differ, or the samples cannot show that order matters.
   */
  public SemigroupLaws<T> commutativeAsDeclared(List<T> samples) {
    boolean someDiffer = false;
    for (T a : samples) {
      for (T b : samples) {
        boolean same = equal.test(semigroup.merge(a, b), semigroup.merge(b, a));
        if (semigroup.isCommutative()) {
          assertTrue(same, what + " declares itself commutative, but a ⊕ b ≠ b ⊕ a for a = " + a + ", b = " + b);
        }
        someDiffer |= !same;
      }
    }
    if (!semigroup.isCommutative()) {
      assertTrue(someDiffer, what + " declares itself not commutative, but every pair of samples commutes");
    }
    return this;
  }

  /** Summarizes a stretch of tokens starting at a global position. */
  public interface Summarizer<T> {
    T summarize(int[] tokens, long start);
  }

  /**
   * The split–merge oracle: the summary of {@code tokens} equals the in-order merge of the
   * summaries of its parts, cut at {@code cuts} (increasing offsets inside the array).
   */
  public SemigroupLaws<T> splitMerge(Summarizer<T> summarizer, int[] tokens, int... cuts) {
    T whole = summarizer.summarize(tokens, 0);
    T merged = null;
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : tokens.length;
      merged = semigroup.mergeNullable(merged, summarizer.summarize(java.util.Arrays.copyOfRange(tokens, from, to),
          from));
      from = to;
    }
    assertTrue(equal.test(whole, merged), what + ": the summary of the whole, " + whole + ", differs from the merge "
        + "of its parts, " + merged);
    return this;
  }

  /** mergeAll is the left fold: v₀ ⊕ v₁ ⊕ … in order, null for none. */
  public SemigroupLaws<T> mergeAllIsTheLeftFold(List<T> samples) {
    T fold = null;
    for (T v : samples) {
      fold = fold == null ? v : semigroup.merge(fold, v);
    }
    assertEquals(fold, semigroup.mergeAll(samples), what + ": mergeAll");
    assertEquals(null, semigroup.mergeAll(List.of()), what + ": mergeAll of nothing");
    return this;
  }
}
