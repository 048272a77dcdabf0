package io.seqattn.core.train;

import io.seqattn.core.attention.SoftmaxPool;
import io.seqattn.core.stack.AttentionPooling;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The backward of {@link AttentionPooling} for one sequence, chunk by chunk. With the whole
 * sequence's pool known (its maxima M_p, weights l_p and results e_p), a chunk's attention
 * weights a_jp = e^(s_jp − M_p)/l_p are local, and with g_p = ∂loss/∂e_p:
 *
 * <pre>
 *   b_jp = a_jp·(g_p·x_j − g_p·e_p)
 *   ∂x_j = Σ_p a_jp·g_p + Σ_p b_jp·q_p/√d          (A·G + B·Q/√d, two GEMMs)
 *   ∂q_p = Σ_j b_jp·x_j/√d                         (Bᵀ·F/√d, summed over chunks in chunk order)
 * </pre>
 *
 * The softmax's normalization couples a chunk to the others only through M, l and e, which the
 * forward pass already reduced.
 */
final class AttentionPoolingLayer {
  static final String QUERIES = "head.pool_queries";

  private final AttentionPooling pooling;
  /** G [P, d]. */
  private final INDArray g;
  /** g_p·e_p [1, P]. */
  private final INDArray centre;
  /** M_p [1, P]. */
  private final INDArray max;
  /** l_p [1, P]. */
  private final INDArray weight;

  /**
   * @param pool the whole sequence's pool (not empty)
   * @param dPooled ∂loss/∂[e_1 … e_P], P·d values
   */
  AttentionPoolingLayer(AttentionPooling pooling, SoftmaxPool pool, double[] dPooled, DataType type) {
    int p = pool.queries();
    int d = pool.width();
    double[] e = pool.result();
    double[] centre = new double[p];
    for (int q = 0; q < p; q++) {
      for (int i = q * d; i < (q + 1) * d; i++) {
        centre[q] += dPooled[i] * e[i];
      }
    }
    this.pooling = pooling;
    this.g = Nd4j.create(dPooled, new long[] {p, d}, DataType.DOUBLE).castTo(type);
    this.centre = Nd4j.create(centre, new long[] {1, p}, DataType.DOUBLE).castTo(type);
    this.max = Nd4j.create(pool.max(), new long[] {1, p}, DataType.DOUBLE).castTo(type);
    this.weight = Nd4j.create(pool.weight(), new long[] {1, p}, DataType.DOUBLE).castTo(type);
  }

  /** ∂F of a chunk's rows [n, d] (zero at absent positions); adds the chunk's ∂Q to {@code grads}. */
  INDArray backward(INDArray rows, INDArray present, Gradients grads) {
    INDArray a = Transforms.exp(pooling.logits(rows, present).subiRowVector(max), false).diviRowVector(weight);
    INDArray b = Dense.mm(rows, g, false, true).subiRowVector(centre).muli(a);
    INDArray dRows = Dense.mm(a, g);
    Nd4j.gemm(b, pooling.queries(), dRows, false, false, pooling.scale(), 1.0);
    grads.add(QUERIES, Dense.mm(b, rows, true, false).muli(pooling.scale()));
    return dRows;
  }
}
