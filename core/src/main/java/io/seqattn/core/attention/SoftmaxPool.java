package io.seqattn.core.attention;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Exact softmax attention of P fixed queries over a whole sequence, as a reduction (the online
 * softmax of Milakov and Gimelshein, 2018, which flash attention also uses): for each query p a
 * stretch of positions is summarized by its largest logit M_p, the weight l_p = Σⱼ e^(s_jp − M_p)
 * and the weighted values u_p = Σⱼ e^(s_jp − M_p)·v_j. Two summaries merge by rescaling both to
 * the larger maximum, so only factors e^(M' − M) ≤ 1 are ever formed and nothing overflows however
 * long the sequence:
 *
 * <pre>
 *   M = max(M₁, M₂),  l = e^(M₁−M)·l₁ + e^(M₂−M)·l₂,  u = e^(M₁−M)·u₁ + e^(M₂−M)·u₂
 * </pre>
 *
 * Associative and commutative in exact arithmetic, with the empty stretch (M = −∞, l = 0, u = 0) as
 * identity; callers fold in chunk order anyway, so the bits never depend on partitioning. The
 * result is u_p / l_p = Σⱼ softmax_j(s_jp)·v_j per query, side by side: P·width values. Values are
 * held in double; chunks compute theirs in float and are merged here.
 *
 * @param max M_p per query, −∞ for an empty stretch
 * @param weight l_p per query
 * @param weighted u_p per query, row-major [P, width]
 */
public record SoftmaxPool(double[] max, double[] weight, double[] weighted) implements Serializable {

  public SoftmaxPool {
    if (max.length != weight.length || max.length == 0 || weighted.length % max.length != 0) {
      throw new IllegalArgumentException("a softmax pool needs P maxima, P weights and P·width values, got "
          + max.length + ", " + weight.length + " and " + weighted.length);
    }
  }

  public static final Semigroup<SoftmaxPool> MERGE = new Semigroup<>() {
    @Override
    public SoftmaxPool merge(SoftmaxPool left, SoftmaxPool right) {
      if (left.queries() != right.queries() || left.width() != right.width()) {
        throw new IllegalArgumentException("cannot merge softmax pools of shapes [" + left.queries() + ", "
            + left.width() + "] and [" + right.queries() + ", " + right.width() + "]");
      }
      int p = left.queries();
      int w = left.width();
      double[] max = new double[p];
      double[] weight = new double[p];
      double[] weighted = new double[p * w];
      for (int q = 0; q < p; q++) {
        double m = Math.max(left.max[q], right.max[q]);
        max[q] = m;
        if (m == Double.NEGATIVE_INFINITY) {
          continue;
        }
        double a = factor(left.max[q], m);
        double b = factor(right.max[q], m);
        weight[q] = a * left.weight[q] + b * right.weight[q];
        for (int i = q * w; i < (q + 1) * w; i++) {
          weighted[i] = a * left.weighted[i] + b * right.weighted[i];
        }
      }
      return new SoftmaxPool(max, weight, weighted);
    }

    @Override
    public boolean isCommutative() {
      return true;
    }
  };

  /** e^(from − to) for from ≤ to, and exactly 0 for an empty side (from = −∞). */
  private static double factor(double from, double to) {
    return from == Double.NEGATIVE_INFINITY ? 0 : Math.exp(from - to);
  }

  /** The summary of no positions: the identity of {@link #MERGE}. */
  public static SoftmaxPool empty(int queries, int width) {
    double[] max = new double[queries];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    return new SoftmaxPool(max, new double[queries], new double[queries * width]);
  }

  /** The number P of queries. */
  public int queries() {
    return max.length;
  }

  /** The width of each value vector. */
  public int width() {
    return weighted.length / max.length;
  }

  /** Whether it covers no position. */
  public boolean isEmpty() {
    for (double w : weight) {
      if (w > 0) {
        return false;
      }
    }
    return true;
  }

  /** Σⱼ softmax_j(s_jp)·v_j for every query p, side by side ([P·width]), or null for no positions. */
  public double[] result() {
    if (isEmpty()) {
      return null;
    }
    int w = width();
    double[] out = new double[weighted.length];
    for (int q = 0; q < queries(); q++) {
      for (int i = q * w; i < (q + 1) * w; i++) {
        out[i] = weighted[i] / weight[q];
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SoftmaxPool other && Arrays.equals(max, other.max) && Arrays.equals(weight, other.weight)
        && Arrays.equals(weighted, other.weighted);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(max) * 31 + Arrays.hashCode(weighted);
  }
}
