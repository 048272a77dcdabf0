package io.seqattn.core.attention;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The running sum, in double, of a sequence's attention outputs over positions, how many positions
 * it covers, and at how many of them the normalizer φ(q)ᵀz was ≤ 0 (possible with relu, identity
 * and trig; such outputs are unreliable). Chunk sums merge by addition ({@link #MERGE}); the pooled
 * embedding is the mean, {@code sum / count}, optionally projected by the model's {@code wo}.
 */
public record PooledSum(long count, double[] sum, long nonPositiveNormalizers) implements Serializable {

  public PooledSum(long count, double[] sum) {
    this(count, sum, 0);
  }

  public static final Semigroup<PooledSum> MERGE = new Semigroup<>() {
    @Override
    public PooledSum merge(PooledSum left, PooledSum right) {
      if (left.sum.length != right.sum.length) {
        throw new IllegalArgumentException("cannot merge pooled sums of widths " + left.sum.length
            + " and " + right.sum.length);
      }
      double[] sum = left.sum.clone();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += right.sum[i];
      }
      return new PooledSum(left.count + right.count, sum, left.nonPositiveNormalizers + right.nonPositiveNormalizers);
    }

    @Override
    public boolean isCommutative() {
      return true;
    }
  };

  public static PooledSum empty(int width) {
    return new PooledSum(0, new double[width]);
  }

  /** The mean over positions, or null when the sequence had no tokens. */
  public double[] mean() {
    if (count == 0) {
      return null;
    }
    double[] mean = new double[sum.length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = sum[i] / count;
    }
    return mean;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PooledSum other && count == other.count && Arrays.equals(sum, other.sum)
        && nonPositiveNormalizers == other.nonPositiveNormalizers;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count) * 31 + Arrays.hashCode(sum);
  }
}
