package io.seqattn.core.attention;

import io.seqattn.core.model.FeatureMap;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The random-feature maps ({@code favor+}, {@code trig}; see {@link FeatureMap}) on ND4J, computed
 * in log space and returned stabilized: features φ̃ with φ = e^s·φ̃ for a known log-scale s, so no
 * exponential can overflow float32.
 *
 * <ul>
 *   <li>Keys share one log-scale per chunk and head — the largest log-feature — so a chunk's
 *       (S̃, z̃) is exactly e^(−c)·(S, z) and summaries merge exactly ({@link Summary}).</li>
 *   <li>Queries are stabilized row by row (each row's largest log-feature): a per-row factor cancels
 *       in φ(q)ᵀS / φ(q)ᵀz, and the kernel keeps it only to scale eps correctly.</li>
 * </ul>
 *
 * The d_head^(−1/4) scaling of x̂ is folded into ω once. Absent positions (no token) get features 0
 * and do not take part in the maximum. One instance per kernel; not thread-safe.
 */
final class RandomFeatures {
  private final FeatureMap map;
  private final int m;
  private final int rows;
  /** Per head, ω·d_head^(−1/4), [rows, d_head]: ω'ᵀx = ωᵀx̂. */
  private final INDArray[] omega;
  /** ‖x̂‖²/2 = ‖x‖²·halfNormScale. */
  private final double halfNormScale;
  /** The constant factor of φ in log space: −½·ln m (favor+), ½·ln(2/m) (trig). */
  private final double logNorm;

  RandomFeatures(Model model) {
    ModelConfig config = model.config();
    this.map = config.featureMap();
    this.m = config.featureDim();
    this.rows = map.omegaRows(m);
    int d = config.dHead();
    this.halfNormScale = 0.5 / Math.sqrt(d);
    this.logNorm = map == FeatureMap.TRIG ? 0.5 * Math.log(2.0 / m) : -0.5 * Math.log(m);
    float scale = (float) Math.pow(d, -0.25);
    this.omega = new INDArray[config.heads()];
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      for (int h = 0; h < omega.length; h++) {
        float[] w = new float[rows * d];
        System.arraycopy(model.omega(), h * rows * d, w, 0, w.length);
        omega[h] = Nd4j.create(w, new long[] {rows, d}, DataType.FLOAT).muli(scale);
      }
    }
  }

  /**
   * Features of the keys of head h: {@code k} [n, d_head] in, {@code out} [n, m] filled with φ̃,
   * and the chunk's one log-scale c returned (−∞ when no key is present).
   *
   * @param present [n, 1] of 1/0, or null
   */
  double keyRows(int h, INDArray k, INDArray out, INDArray present) {
    INDArray halfNorm = halfNormsOfRows(k);
    INDArray logPresent = present == null ? null : Transforms.log(present, true);
    INDArray logWeights;
    if (map == FeatureMap.FAVOR_PLUS) {
      Nd4j.gemm(k, omega[h], out, false, true, 1.0, 0.0);
      logWeights = out.subiColumnVector(halfNorm);
      if (logPresent != null) {
        out.addiColumnVector(logPresent);
      }
    } else {
      trigRows(h, k, out);
      logWeights = logPresent == null ? halfNorm : halfNorm.addi(logPresent);
    }
    return stabilizeKeys(out, logWeights);
  }

  /**
   * Shifts the keys' log-weights by their largest value c and exponentiates them — favor+'s
   * log-weights are its features ({@code out} itself), trig's are the per-key amplitudes that
   * multiply its rows of [cos, sin] features — and returns the log-scale of the result, c plus the
   * map's constant; −∞ (and features 0) when no key is present.
   */
  private double stabilizeKeys(INDArray out, INDArray logWeights) {
    double c = logWeights.maxNumber().doubleValue();
    if (c == Double.NEGATIVE_INFINITY) {
      out.assign(0);
      return c;
    }
    Transforms.exp(logWeights.subi(c), false);
    if (map == FeatureMap.TRIG) {
      out.muliColumnVector(logWeights);
    }
    return c + logNorm;
  }

  /**
   * Features of the queries of head h: {@code q} [n, d_head] in, {@code out} [n, m] filled with φ̃
   * (favor+ rows each stabilized by their own maximum; trig's bounded [cos | sin] as they are), and
   * the per-row log-scales s with φ = e^s·φ̃ returned as [n, 1].
   */
  INDArray queryRows(int h, INDArray q, INDArray out) {
    INDArray halfNorm = halfNormsOfRows(q);
    if (map == FeatureMap.TRIG) {
      trigRows(h, q, out);
      return halfNorm.addi(logNorm);
    }
    Nd4j.gemm(q, omega[h], out, false, true, 1.0, 0.0);
    out.subiColumnVector(halfNorm);
    INDArray s = out.max(true, 1);
    Transforms.exp(out.subiColumnVector(s), false);
    return s.addi(logNorm);
  }

  /** ‖x̂‖²/2 of every row of x, [n, 1]. */
  private INDArray halfNormsOfRows(INDArray x) {
    return x.mul(x).sum(true, 1).muli(halfNormScale);
  }

  /** [cos(ω'x) | sin(ω'x)] of every row of x into {@code out} [n, m]. */
  private void trigRows(int h, INDArray x, INDArray out) {
    INDArray angles = Nd4j.createUninitialized(DataType.FLOAT, x.rows(), rows);
    Nd4j.gemm(x, omega[h], angles, false, true, 1.0, 0.0);
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, rows)).assign(Transforms.cos(angles, true));
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(rows, m)).assign(Transforms.sin(angles, false));
  }
}
