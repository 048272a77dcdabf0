package io.seqattn.core.attention;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The statistics of a stretch of keys and values, per head h, as the map a stretch applies to an
 * attention state: (S, z) ↦ (γ_h^n·S + S_h, γ_h^n·z + z_h), where n is the stretch's token count,
 * S_h = Σ_j γ_h^(n−1−j) φ(k_j) v_jᵀ (m × d_head) and z_h = Σ_j γ_h^(n−1−j) φ(k_j) (m), j counted
 * from the stretch's first token. Without decay (γ = 1, global and plain causal attention) these
 * are the plain sums S_h = Σ_j φ(k_j) v_jᵀ and z_h = Σ_j φ(k_j).
 *
 * <p>Summaries of consecutive stretches compose ({@link #MERGE}): (ℓ₁, S₁) ⊕ (ℓ₂, S₂) =
 * (ℓ₁ + ℓ₂, e^ℓ₂·S₁ + S₂), with ℓ = n·ln γ kept in log space so that only factors e^ℓ ≤ 1 are ever
 * formed. The merge is associative and, with decay, <b>not commutative</b>: fold in chunk order.
 * With ℓ = 0 the factor is exactly 1.0 and the merge is bitwise the plain sum. Values are double so
 * accumulation across chunks loses nothing to rounding.
 *
 * <p>Layout: {@code s} is [heads][m][d_head], {@code z} is [heads][m], {@code logDecay} is [heads].
 */
public record Summary(int heads, int m, int dHead, long tokens, double[] logDecay, double[] s, double[] z)
    implements Serializable {

  /** Composition of consecutive stretches, left then right. Associative; commutative only without decay. */
  public static final Semigroup<Summary> MERGE = new Semigroup<>() {
    @Override
    public Summary merge(Summary left, Summary right) {
      left.requireSameShape(right);
      double[] s = new double[left.s.length];
      double[] z = new double[left.z.length];
      double[] logDecay = new double[left.heads];
      int sSize = left.m * left.dHead;
      for (int h = 0; h < left.heads; h++) {
        logDecay[h] = left.logDecay[h] + right.logDecay[h];
        double f = Math.exp(right.logDecay[h]);
        for (int i = h * sSize; i < (h + 1) * sSize; i++) {
          s[i] = f * left.s[i] + right.s[i];
        }
        for (int i = h * left.m; i < (h + 1) * left.m; i++) {
          z[i] = f * left.z[i] + right.z[i];
        }
      }
      return new Summary(left.heads, left.m, left.dHead, left.tokens + right.tokens, logDecay, s, z);
    }

    @Override
    public boolean isCommutative() {
      return false;
    }
  };

  public Summary {
    if (heads < 1 || m < 1 || dHead < 1 || tokens < 0) {
      throw new IllegalArgumentException("bad summary shape heads=" + heads + " m=" + m + " dHead=" + dHead
          + " tokens=" + tokens);
    }
    if (s.length != heads * m * dHead || z.length != heads * m || logDecay.length != heads) {
      throw new IllegalArgumentException("summary arrays do not match shape [" + heads + "," + m + "," + dHead
          + "]: s has " + s.length + ", z has " + z.length + ", logDecay has " + logDecay.length);
    }
    for (double l : logDecay) {
      if (!(l <= 0)) {
        throw new IllegalArgumentException("log decay must be <= 0 (decay factors <= 1), got " + l);
      }
    }
  }

  /** A summary without decay (global or plain causal attention). */
  public Summary(int heads, int m, int dHead, long tokens, double[] s, double[] z) {
    this(heads, m, dHead, tokens, new double[heads], s, z);
  }

  /** The identity: no tokens, S = 0, z = 0, no decay. */
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
        && Arrays.equals(logDecay, other.logDecay) && Arrays.equals(s, other.s) && Arrays.equals(z, other.z);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(tokens) * 31 + Arrays.hashCode(s) * 17 + Arrays.hashCode(z) + Arrays.hashCode(logDecay);
  }

  @Override
  public String toString() {
    return "Summary[heads=" + heads + ", m=" + m + ", dHead=" + dHead + ", tokens=" + tokens
        + ", logDecay=" + Arrays.toString(logDecay) + "]";
  }
}
