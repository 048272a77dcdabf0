package io.seqattn.core.attention;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The sufficient statistics of a stretch of keys and values for global linear attention, per head
 * h: S_h = Σ_j φ(k_j) v_jᵀ (m × d_head) and z_h = Σ_j φ(k_j) (m), plus the token count. Summaries
 * of consecutive chunks merge by addition ({@link #MERGE}, a commutative monoid with
 * {@link #empty} as identity), so a whole sequence's statistics are the fold of its chunks'.
 * Values are held in double so that accumulation across chunks loses nothing to rounding.
 *
 * <p>Layout: {@code s} is [heads][m][d_head] and {@code z} is [heads][m], both row-major.
 */
public record Summary(int heads, int m, int dHead, long tokens, double[] s, double[] z) implements Serializable {

  /** S and z add; token counts add. Commutative in exact arithmetic. */
  public static final Semigroup<Summary> MERGE = new Semigroup<>() {
    @Override
    public Summary merge(Summary left, Summary right) {
      left.requireSameShape(right);
      double[] s = left.s.clone();
      double[] z = left.z.clone();
      for (int i = 0; i < s.length; i++) {
        s[i] += right.s[i];
      }
      for (int i = 0; i < z.length; i++) {
        z[i] += right.z[i];
      }
      return new Summary(left.heads, left.m, left.dHead, left.tokens + right.tokens, s, z);
    }

    @Override
    public boolean isCommutative() {
      return true;
    }
  };

  public Summary {
    if (heads < 1 || m < 1 || dHead < 1 || tokens < 0) {
      throw new IllegalArgumentException("bad summary shape heads=" + heads + " m=" + m + " dHead=" + dHead
          + " tokens=" + tokens);
    }
    if (s.length != heads * m * dHead || z.length != heads * m) {
      throw new IllegalArgumentException("summary arrays do not match shape [" + heads + "," + m + "," + dHead
          + "]: s has " + s.length + ", z has " + z.length);
    }
  }

  /** The identity: no tokens, S = 0, z = 0. */
  public static Summary empty(int heads, int m, int dHead) {
    return new Summary(heads, m, dHead, 0, new double[heads * m * dHead], new double[heads * m]);
  }

  /** S_h as a fresh row-major [m][d_head] array. */
  public double[] sOfHead(int head) {
    int size = m * dHead;
    return Arrays.copyOfRange(s, head * size, (head + 1) * size);
  }

  /** z_h as a fresh array of length m. */
  public double[] zOfHead(int head) {
    return Arrays.copyOfRange(z, head * m, (head + 1) * m);
  }

  public void requireSameShape(Summary other) {
    if (heads != other.heads || m != other.m || dHead != other.dHead) {
      throw new IllegalArgumentException("cannot merge summaries of different shapes: [" + heads + "," + m + ","
          + dHead + "] and [" + other.heads + "," + other.m + "," + other.dHead + "]");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Summary other
        && heads == other.heads && m == other.m && dHead == other.dHead && tokens == other.tokens
        && Arrays.equals(s, other.s) && Arrays.equals(z, other.z);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(tokens) * 31 + Arrays.hashCode(s) * 17 + Arrays.hashCode(z);
  }

  @Override
  public String toString() {
    return "Summary[heads=" + heads + ", m=" + m + ", dHead=" + dHead + ", tokens=" + tokens + "]";
  }
}
