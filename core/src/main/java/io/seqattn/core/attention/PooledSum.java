package io.seqattn.core.attention;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * The running sum, in double, of a sequence's attention outputs over positions, how many positions
 * it covers, and at how many of them the normalizer φ(q)ᵀz was ≤ 0 (possible with relu, identity
 * and trig; such outputs are unreliable); for models that pool by attention, also the
 * {@link SoftmaxPool} of the outputs. Chunk sums merge by addition ({@link #MERGE}), the softmax
 * pools by theirs; the pooled embedding is the mean, {@code sum / count}, or the pool's result,
 * optionally projected by the model's {@code wo}.
 *
 * @param attention the softmax pool of the outputs, or null when the model pools by the mean
 */
public record PooledSum(long count, double[] sum, long nonPositiveNormalizers, SoftmaxPool attention)
    implements Serializable {

  public PooledSum(long count, double[] sum, long nonPositiveNormalizers) {
    this(count, sum, nonPositiveNormalizers, null);
  }

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
      return new PooledSum(left.count + right.count, sum, left.nonPositiveNormalizers + right.nonPositiveNormalizers,
          SoftmaxPool.MERGE.mergeNullable(left.attention, right.attention));
    }

    @Override
    public boolean isCommutative() {
      return true;
    }
  };

  /** The sum of no positions (null, the identity of {@link #MERGE}, for the softmax pool). */
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
        && nonPositiveNormalizers == other.nonPositiveNormalizers && Objects.equals(attention, other.attention);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count) * 31 + Arrays.hashCode(sum);
  }
}
