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
 * <p>Exp-features (favor+, trig) overflow double for large keys, so the statistics are held as
 * (S, z) = e^c·(S̃, z̃) with a per-head log-scale c (0 for the deterministic maps). Merging brings
 * both sides to the larger scale: with a = c₁ + ℓ₂ and b = c₂, c = max(a, b) and
 * U = e^(a−c)·Ũ₁ + e^(b−c)·Ũ₂ — again only factors ≤ 1 are formed, nothing overflows, and the
 * represented values are exactly those of the unscaled merge. With c₁ = c₂ = 0 this is bitwise the
 * merge above. c = −∞ is the scale of a stretch without any key (S = z = 0).
 *
 * <p>A gate may decay each key dimension on its own (GLA): then ℓ is a vector per head and the
 * merge scales each row of S₁ (and each entry of z₁) by its own e^(ℓ₂[a]) — still associative,
 * not commutative, with only factors ≤ 1 formed. Such summaries are held at scale 1.
 *
 * <p>Layout: {@code s} is [heads][m][d_head], {@code z} is [heads][m], {@code logScale} is [heads],
 * {@code logDecay} is [heads] or, per key dimension, [heads][m].
 */
public record Summary(int heads, int m, int dHead, long tokens, double[] logDecay, double[] s, double[] z,
    double[] logScale) implements Serializable {

  /** Composition of consecutive stretches, left then right. Associative; commutative only without decay. */
  public static final Semigroup<Summary> MERGE = new Semigroup<>() {
    @Override
    public Summary merge(Summary left, Summary right) {
      left.requireSameShape(right);
      if (left.perDimensionDecay() || right.perDimensionDecay()) {
        return mergePerDimension(left, right);
      }
      double[] s = new double[left.s.length];
      double[] z = new double[left.z.length];
      double[] logDecay = new double[left.heads];
      double[] logScale = new double[left.heads];
      int sSize = left.m * left.dHead;
      for (int h = 0; h < left.heads; h++) {
        logDecay[h] = left.logDecay[h] + right.logDecay[h];
        double a = left.logScale[h] + right.logDecay[h];
        double b = right.logScale[h];
        double c = Math.max(a, b);
        logScale[h] = c;
        double f = factor(a, c);
        double g = factor(b, c);
        for (int i = h * sSize; i < (h + 1) * sSize; i++) {
          s[i] = f * left.s[i] + g * right.s[i];
        }
        for (int i = h * left.m; i < (h + 1) * left.m; i++) {
          z[i] = f * left.z[i] + g * right.z[i];
        }
      }
      return new Summary(left.heads, left.m, left.dHead, left.tokens + right.tokens, logDecay, s, z, logScale);
    }

    @Override
    public boolean isCommutative() {
      return false;
    }
  };

  /**
   * The merge when a decay is per key dimension (GLA): row a of U₁ (and z₁[a]) is scaled by
   * e^(ℓ₂[a]). Such summaries are at scale 1 (per-dimension gates need elementwise feature maps).
   */
  private static Summary mergePerDimension(Summary left, Summary right) {
    int heads = left.heads;
    int m = left.m;
    int dHead = left.dHead;
    double[] logDecay = new double[heads * m];
    double[] s = new double[left.s.length];
    double[] z = new double[left.z.length];
    for (int h = 0; h < heads; h++) {
      for (int a = 0; a < m; a++) {
        double l2 = right.logDecayOf(h, a);
        logDecay[h * m + a] = left.logDecayOf(h, a) + l2;
        double f = Math.exp(l2);
        int row = (h * m + a) * dHead;
        for (int c = 0; c < dHead; c++) {
          s[row + c] = f * left.s[row + c] + right.s[row + c];
        }
        z[h * m + a] = f * left.z[h * m + a] + right.z[h * m + a];
      }
    }
    return new Summary(heads, m, dHead, left.tokens + right.tokens, logDecay, s, z, new double[heads]);
  }

  /** e^(x − c) for x ≤ c, with e^(−∞ − (−∞)) taken as 0: a side without keys contributes nothing. */
  private static double factor(double x, double c) {
    return x == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(x - c);
  }

  public Summary {
    if (heads < 1 || m < 1 || dHead < 1 || tokens < 0) {
      throw new IllegalArgumentException("bad summary shape heads=" + heads + " m=" + m + " dHead=" + dHead
          + " tokens=" + tokens);
    }
    if (s.length != heads * m * dHead || z.length != heads * m
        || (logDecay.length != heads && logDecay.length != heads * m) || logScale.length != heads) {
      throw new IllegalArgumentException("summary arrays do not match shape [" + heads + "," + m + "," + dHead
          + "]: s has " + s.length + ", z has " + z.length + ", logDecay has " + logDecay.length
          + ", logScale has " + logScale.length);
    }
    for (double c : logScale) {
      if (Double.isNaN(c) || c == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("log scale must be finite or -Infinity, got " + c);
      }
    }
    for (double l : logDecay) {
      if (!(l <= 0)) {
        throw new IllegalArgumentException("log decay must be <= 0 (decay factors <= 1), got " + l);
      }
    }
    if (logDecay.length != heads) {
      for (double c : logScale) {
        if (c != 0) {
          throw new IllegalArgumentException("a summary with a decay per key dimension is held at scale 1, got log "
              + "scale " + c);
        }
      }
    }
  }

  /** Whether the decay is one value per head and key dimension (GLA) rather than one per head. */
  public boolean perDimensionDecay() {
    return logDecay.length != heads;
  }

  /** ℓ of head h's key dimension a, whichever way the decay is held. */
  public double logDecayOf(int h, int a) {
    return perDimensionDecay() ? logDecay[h * m + a] : logDecay[h];
  }

  /** A summary without decay (global or plain causal attention) and at scale 1. */
  public Summary(int heads, int m, int dHead, long tokens, double[] s, double[] z) {
    this(heads, m, dHead, tokens, new double[heads], s, z);
  }

  /** A summary at scale 1 (log-scale 0): the deterministic feature maps. */
  public Summary(int heads, int m, int dHead, long tokens, double[] logDecay, double[] s, double[] z) {
    this(heads, m, dHead, tokens, logDecay, s, z, new double[heads]);
  }

  /** The identity: no tokens, S = 0, z = 0, no decay. */
  public static Summary empty(int heads, int m, int dHead) {
    return new Summary(heads, m, dHead, 0, new double[heads * m * dHead], new double[heads * m]);
  }

  /**
   * S_h·e^(c_h) and z_h·e^(c_h) of every head — the statistics themselves — when they are finite
   * in double; null when some value would overflow (then use {@link #s()}, {@link #z()} and
   * {@link #logScale()}).
   */
  public double[][] unscaled() {
    double[] us = s.clone();
    double[] uz = z.clone();
    for (int h = 0; h < heads; h++) {
      double f = logScale[h] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(logScale[h]);
      for (int i = h * m * dHead; i < (h + 1) * m * dHead; i++) {
        us[i] *= f;
      }
      for (int i = h * m; i < (h + 1) * m; i++) {
        uz[i] *= f;
      }
    }
    for (double v : us) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    for (double v : uz) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    return new double[][] {us, uz};
  }

  /** S_h as a fresh row-major [m][d_head] array (scaled: the statistic is e^(c_h) times this). */
  public double[] sOfHead(int head) {
    int size = m * dHead;
    return Arrays.copyOfRange(s, head * size, (head + 1) * size);
  }

  /** z_h as a fresh array of length m. */
  public double[] zOfHead(int head) {
    return Arrays.copyOfRange(z, head * m, (head + 1) * m);
  }

  /**
   * Writes head h's state, times {@code factor}, into the first m·(d_head + 1) floats of
   * {@code into} as the augmented row-major [m][d_head + 1] matrix [S_h | z_h] the chunkwise causal
   * kernels carry from block to block.
   */
  public void augmentedStateOfHead(int head, double factor, float[] into) {
    int width = dHead + 1;
    int sBase = head * m * dHead;
    int zBase = head * m;
    for (int a = 0; a < m; a++) {
      for (int c = 0; c < dHead; c++) {
        into[a * width + c] = (float) (factor * s[sBase + a * dHead + c]);
      }
      into[a * width + dHead] = (float) (factor * z[zBase + a]);
    }
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
        && Arrays.equals(logDecay, other.logDecay) && Arrays.equals(s, other.s) && Arrays.equals(z, other.z)
        && Arrays.equals(logScale, other.logScale);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(tokens) * 31 + Arrays.hashCode(s) * 17 + Arrays.hashCode(z) + Arrays.hashCode(logDecay);
  }

  @Override
  public String toString() {
    return "Summary[heads=" + heads + ", m=" + m + ", dHead=" + dHead + ", tokens=" + tokens
        + ", logDecay=" + Arrays.toString(logDecay) + ", logScale=" + Arrays.toString(logScale) + "]";
  }
}
