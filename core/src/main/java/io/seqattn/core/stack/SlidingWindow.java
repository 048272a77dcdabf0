package io.seqattn.core.stack;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact causal softmax attention over the last w positions (Longformer's window; with the linear
 * part beside it, Based's hybrid): W_t = Σ_j softmax_j(q_t·k_j/√d_k)·v_j over the present j in
 * (t − w, t], and W_t = 0 when there is none.
 *
 * <p>Queries go in blocks of B rows; a block reads its own rows' keys and the w − 1 before them
 * (from the chunk's halo at its start), so each head is two GEMMs per block, [B, d_k]·[d_k, B + w − 1]
 * and [B, B + w − 1]·[B + w − 1, d_v], with one band mask shared by every block and head: no loop
 * over positions. The largest allowed logit of each row is subtracted before the exponential, so
 * nothing overflows.
 */
final class SlidingWindow {
  /** A logit pushed below every allowed one, so the row maximum ignores disallowed keys. */
  private static final float OUTSIDE = -1e30f;

  private final int window;
  private final int heads;
  private final int dk;
  private final int dv;
  private final int block;
  /** [B, B + w − 1]: 1 where query row i may read key column c, i.e. i ≤ c ≤ i + w − 1. */
  private final INDArray band;

  SlidingWindow(int window, int heads, int dk, int dv, int block) {
    this.window = window;
    this.heads = heads;
    this.dk = dk;
    this.dv = dv;
    this.block = block;
    int columns = block + window - 1;
    float[] mask = new float[block * columns];
    for (int i = 0; i < block; i++) {
      for (int c = i; c < i + window; c++) {
        mask[i * columns + c] = 1f;
      }
    }
    this.band = Nd4j.create(mask, new long[] {block, columns}, DataType.FLOAT);
  }

  /**
   * W [n, H·d_v] for the chunk's queries {@code q} [n, H·d_k], which are the last n of the rows
   * whose keys {@code k} [r, H·d_k] and values {@code v} [r, H·d_v] are given, the first r − n
   * being the halo.
   *
   * @param present [r, 1] 1 for a present position, 0 for an absent one, or null when all are present
   */
  INDArray apply(INDArray q, INDArray k, INDArray v, INDArray present) {
    int n = (int) q.rows();
    int offset = (int) (k.rows() - n);
    INDArray out = Nd4j.zeros(DataType.FLOAT, n, (long) heads * dv);
    double scale = 1.0 / Math.sqrt(dk);
    for (int b0 = 0; b0 < n; b0 += block) {
      int rows = Math.min(block, n - b0);
      int t0 = offset + b0; // the block's first query, in key rows
      int first = Math.max(0, t0 - window + 1);
      int keys = t0 + rows - first;
      int skipped = first - (t0 - window + 1); // band columns before the sequence's first row
      INDArray allowed = band.get(range(0, rows), range(skipped, keys)).dup();
      if (present != null) {
        allowed.muliRowVector(present.get(range(first, keys), NDArrayIndex.all()).reshape(1, keys));
      }
      INDArray outside = allowed.sub(1f).muli(-OUTSIDE); // 0 where allowed, OUTSIDE elsewhere
      INDArray logits = Nd4j.createUninitialized(DataType.FLOAT, rows, keys);
      INDArray read = Nd4j.createUninitialized(DataType.FLOAT, rows, dv);
      for (int h = 0; h < heads; h++) {
        INDArray qh = q.get(range(b0, rows), range(h * dk, dk)).dup();
        INDArray kh = k.get(range(first, keys), range(h * dk, dk)).dup();
        INDArray vh = v.get(range(first, keys), range(h * dv, dv)).dup();
        Nd4j.gemm(qh, kh, logits, false, true, scale, 0.0);
        logits.addi(outside);
        INDArray weights = Transforms.exp(logits.subiColumnVector(logits.max(true, 1)), false).muli(allowed);
        INDArray total = weights.sum(true, 1);
        Nd4j.gemm(weights, vh, read, false, false, 1.0, 0.0);
        // a row without an allowed key has weights 0 and reads 0
        read.diviColumnVector(Transforms.max(total, Float.MIN_NORMAL, false));
        out.get(range(b0, rows), range(h * dv, dv)).assign(read);
      }
    }
    return out;
  }

  private static INDArrayIndex range(long from, long count) {
    return NDArrayIndex.interval(from, from + count);
  }
}
