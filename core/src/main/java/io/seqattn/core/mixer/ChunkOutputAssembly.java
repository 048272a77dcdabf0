package io.seqattn.core.mixer;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.tokenize.Tokenizer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every mixer's pass 2 ends with, from its per-head [n, d_head] output arrays: the pooled sum
 * over present positions — one product wᵀO_h per head, with w the presence column — and, when kept,
 * the outputs as row-major [n, heads·d_head], NaN at absent positions (a position without a token
 * has no output); plus the count of positions whose normalizer was ≤ 0, when the mixer counts them.
 */
public final class ChunkOutputAssembly {
  private final int heads;
  private final int dHead;
  private final int inner;

  public ChunkOutputAssembly(int heads, int dHead) {
    this.heads = heads;
    this.dHead = dHead;
    this.inner = heads * dHead;
  }

  /** The outputs of a chunk without tokens. */
  public ChunkOutputs empty(boolean keepOutputs) {
    return new ChunkOutputs(PooledSum.empty(inner), keepOutputs ? new float[0] : null);
  }

  /**
   * @param present [n, 1] of 1/0, or null when every position holds a token
   * @param nonPositive [n, 1], > 0 where some head's normalizer was ≤ 0, or null when not counted
   */
  public ChunkOutputs finish(INDArray[] outputs, INDArray present, boolean keepOutputs, INDArray nonPositive) {
    int n = (int) outputs[0].rows();
    INDArray weights = present != null ? present : Nd4j.ones(DataType.FLOAT, n, 1);
    long count = present == null ? n : present.sumNumber().longValue();
    double[] sum = new double[inner];
    INDArray pooledHead = Nd4j.createUninitialized(DataType.FLOAT, dHead, 1);
    for (int h = 0; h < heads; h++) {
      Nd4j.gemm(outputs[h], weights, pooledHead, true, false, 1.0, 0.0);
      float[] p = pooledHead.data().asFloat();
      for (int c = 0; c < dHead; c++) {
        sum[h * dHead + c] = p[c];
      }
    }
    long nonPositiveCount = 0;
    if (nonPositive != null) {
      if (present != null) {
        nonPositive.muli(present);
      }
      nonPositiveCount = nonPositive.gt(0.0).castTo(DataType.FLOAT).sumNumber().longValue();
    }
    float[] kept = keepOutputs ? interleave(outputs, n) : null;
    if (kept != null && present != null) {
      float[] p = present.data().asFloat();
      for (int i = 0; i < p.length; i++) {
        if (p[i] == 0) {
          Arrays.fill(kept, i * inner, (i + 1) * inner, Float.NaN);
        }
      }
    }
    return new ChunkOutputs(new PooledSum(count, sum, nonPositiveCount), kept);
  }

  /** The heads' [n, d_head] outputs side by side as row-major [n, inner]: a bulk copy per row and head. */
  private float[] interleave(INDArray[] outputs, int n) {
    if (heads == 1) {
      return outputs[0].data().asFloat();
    }
    float[] rows = new float[n * inner];
    for (int h = 0; h < heads; h++) {
      float[] head = outputs[h].data().asFloat();
      for (int i = 0; i < n; i++) {
        System.arraycopy(head, i * dHead, rows, i * inner + h * dHead, dHead);
      }
    }
    return rows;
  }

  /**
   * A [n, 1] column of 1 where a token is present and 0 where it is {@link Tokenizer#ABSENT}, or
   * null when every token is present (the common case, which then costs nothing).
   */
  public static INDArray presence(int[] tokens) {
    float[] p = null;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] == Tokenizer.ABSENT) {
        if (p == null) {
          p = new float[tokens.length];
          Arrays.fill(p, 1f);
        }
        p[i] = 0f;
      }
    }
    return p == null ? null : Nd4j.create(p, new long[] {tokens.length, 1}, DataType.FLOAT);
  }
}
