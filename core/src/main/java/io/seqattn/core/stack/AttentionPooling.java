package io.seqattn.core.stack;

import io.seqattn.core.attention.SoftmaxPool;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Pooling by exact softmax attention of P learned queries Q = {@code head.pool_queries} [P, d]
 * over a whole sequence's final outputs F (rows x_j, present positions only):
 *
 * <pre>
 *   s_jp = q_p · x_j / √d,   e_p = Σⱼ softmax_j(s_jp) · x_j,   embedding = [e_1 … e_P] (· head.wo)
 * </pre>
 *
 * A chunk contributes its {@link SoftmaxPool} — two GEMMs, F·Qᵀ for the logits and Aᵀ·F for the
 * weighted rows, in the arrays' type — and the chunks' pools merge in chunk order in double. The
 * pool's result is exactly the softmax over the whole sequence, however it was chunked.
 */
public final class AttentionPooling {
  /** Stands in for an absent position's logit: e^(−1e30 − M) is 0 for any real maximum M. */
  private static final double ABSENT_LOGIT = -1e30;

  private final INDArray queries;
  private final double scale;

  /** @param queries Q [P, d] in the type the chunks' rows will have */
  public AttentionPooling(INDArray queries) {
    if (queries.rank() != 2) {
      throw new IllegalArgumentException("pooling queries must be [P, d], got rank " + queries.rank());
    }
    this.queries = queries;
    this.scale = 1 / Math.sqrt(queries.columns());
  }

  public INDArray queries() {
    return queries;
  }

  /** 1/√d, the logits' scale. */
  public double scale() {
    return scale;
  }

  /**
   * The logits s = F·Qᵀ/√d [n, P], with every absent position's row set to {@link #ABSENT_LOGIT}
   * (present rows are left exactly as computed: s·1 + 0).
   *
   * @param present [n, 1] of 1/0, or null when every position is present
   */
  public INDArray logits(INDArray rows, INDArray present) {
    INDArray s = Nd4j.gemm(rows, queries, false, true).muli(scale);
    if (present == null) {
      return s;
    }
    INDArray absent = present.rsub(1).muli(ABSENT_LOGIT);
    return s.muliColumnVector(present).addiColumnVector(absent);
  }

  /** A chunk's pool of its rows [n, d] (present positions only). */
  public SoftmaxPool chunk(INDArray rows, INDArray present, long presentCount) {
    int p = (int) queries.rows();
    int d = (int) queries.columns();
    if (rows.columns() != d) {
      throw new IllegalArgumentException("rows of width " + rows.columns() + " cannot be pooled by queries of width "
          + d);
    }
    if (presentCount == 0 || rows.rows() == 0) {
      return SoftmaxPool.empty(p, d);
    }
    INDArray s = logits(rows, present);
    INDArray max = s.max(0);
    INDArray e = Transforms.exp(s.subiRowVector(max), false);
    INDArray weighted = Nd4j.createUninitialized(rows.dataType(), p, d);
    Nd4j.gemm(e, rows, weighted, true, false, 1.0, 0.0);
    return new SoftmaxPool(HostArrays.doubles(max), HostArrays.doubles(e.sum(0)), HostArrays.doubles(weighted));
  }
}
