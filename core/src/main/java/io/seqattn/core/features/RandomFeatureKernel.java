package io.seqattn.core.features;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A {@link RandomFeatureMap} on ND4J, with every head's ω held as an ND4J array (d_head^(−1/4)
 * folded in once, so ω'ᵀx = ωᵀx̂), computed in log space and returned stabilized:
 *
 * <ul>
 *   <li>Keys share one log-scale per chunk and head — the largest log-weight plus the map's
 *       constant — so a chunk's (S̃, z̃) is exactly e^(−c)·(S, z) and summaries merge exactly.</li>
 *   <li>Queries are stabilized row by row: a per-row factor cancels in φ(q)ᵀS / φ(q)ᵀz, and the
 *       kernel keeps it only to scale eps correctly.</li>
 * </ul>
 *
 * Absent positions (no token) get features 0 and do not take part in the maximum.
 */
final class RandomFeatureKernel implements FeatureKernel {
  private final RandomFeatureMap map;
  private final int dHead;
  private final int features;
  /** Per head, ω·d_head^(−1/4), [rows, d_head]. */
  private final INDArray[] omega;
  /** ‖x̂‖²/2 = ‖x‖²·halfNormScale. */
  private final double halfNormScale;
  private final double logNorm;

  RandomFeatureKernel(RandomFeatureMap map, float[] omegaValues, int heads, int dHead, int features) {
    this.map = map;
    this.dHead = dHead;
    this.features = features;
    int rows = map.omegaRows(features);
    if (omegaValues == null || omegaValues.length != heads * rows * dHead) {
      throw new IllegalArgumentException("feature map " + map.name() + " needs omega of " + heads + "x" + rows + "x"
          + dHead + " values, got " + (omegaValues == null ? "none" : omegaValues.length));
    }
    this.halfNormScale = 0.5 / Math.sqrt(dHead);
    this.logNorm = map.logNorm(features);
    float scale = (float) Math.pow(dHead, -0.25);
    this.omega = new INDArray[heads];
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      for (int h = 0; h < heads; h++) {
        float[] w = new float[rows * dHead];
        System.arraycopy(omegaValues, h * rows * dHead, w, 0, w.length);
        omega[h] = Nd4j.create(w, new long[] {rows, dHead}, DataType.FLOAT).muli(scale);
      }
    }
  }

  @Override
  public INDArray scratch(int n) {
    return Nd4j.createUninitialized(DataType.FLOAT, n, features);
  }

  @Override
  public void prepareKeys(INDArray keys, INDArray present) {
    // features are made per head, from the raw projections
  }

  @Override
  public void prepareQueries(INDArray queries) {
    // features are made per head, from the raw projections
  }

  @Override
  public KeyFeatures keys(int h, INDArray keys, INDArray present, INDArray scratch) {
    INDArray k = head(keys, h);
    INDArray halfNorm = halfNormsOfRows(k);
    INDArray logPresent = present == null ? null : Transforms.log(present, true);
    INDArray logWeights = map.keyLogWeights(k, omega[h], scratch, halfNorm, logPresent);
    return new KeyFeatures(scratch, stabilizeKeys(scratch, logWeights));
  }

  /**
   * Shifts the keys' log-weights by their largest value c, exponentiates them, lets the map finish
   * its features and returns their log-scale, c plus the map's constant; −∞ (and features 0) when
   * no key is present.
   */
  private double stabilizeKeys(INDArray out, INDArray logWeights) {
    double c = logWeights.maxNumber().doubleValue();
    if (c == Double.NEGATIVE_INFINITY) {
      out.assign(0);
      return c;
    }
    Transforms.exp(logWeights.subi(c), false);
    map.weighKeys(out, logWeights);
    return c + logNorm;
  }

  @Override
  public QueryFeatures queries(int h, INDArray queries, INDArray scratch) {
    INDArray q = head(queries, h);
    INDArray rowScale = map.queryRows(q, omega[h], scratch, halfNormsOfRows(q));
    return new QueryFeatures(scratch, rowScale.addi(logNorm));
  }

  /** ‖x̂‖²/2 of every row of x, [n, 1]. */
  private INDArray halfNormsOfRows(INDArray x) {
    return x.mul(x).sum(true, 1).muli(halfNormScale);
  }

  private INDArray head(INDArray perHead, int h) {
    return perHead.get(NDArrayIndex.all(), NDArrayIndex.interval((long) h * dHead, (long) (h + 1) * dHead));
  }
}
