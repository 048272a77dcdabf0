package io.seqattn.core.features;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Random Fourier features (Rahimi and Recht, 2007) for the softmax kernel: φ(x) =
 * exp(‖x̂‖²/2)·√(2/m)·[cos(ωᵢᵀx̂), sin(ωᵢᵀx̂)] over m/2 rows ω — unbiased, but of either sign, so
 * its normalizer can cross zero (such positions are counted).
 *
 * <p>Why exp(+‖x̂‖²/2): E[cos(ωᵀ(q̂ − k̂))] = exp(−‖q̂ − k̂‖²/2) for ω ~ N(0, I) (the Gaussian kernel,
 * which is what cos·cos + sin·sin estimates), and exp(q̂ᵀk̂) = exp(‖q̂‖²/2)·exp(−‖q̂ − k̂‖²/2)·
 * exp(‖k̂‖²/2). Write-ups that use exp(−‖x‖²/2) there estimate exp(q̂ᵀk̂ − ‖q̂‖² − ‖k̂‖²), a
 * different kernel from softmax's. The bounded [cos | sin] rows are the features; the amplitudes
 * exp(‖x̂‖²/2) are the log-weights, stabilized per chunk for keys and kept per row for queries.
 */
public record Trig() implements RandomFeatureMap {

  @Override
  public String name() {
    return "trig";
  }

  @Override
  public boolean isPositive() {
    return false;
  }

  /** m/2 rows: each gives one cosine and one sine. */
  @Override
  public int omegaRows(int features) {
    return features / 2;
  }

  @Override
  public void checkFeatures(int features, int dHead) {
    if (features < 1 || features % 2 != 0) {
      throw new IllegalArgumentException("features must be an even number >= 2 for " + name() + ", got " + features);
    }
  }

  @Override
  public double logNorm(int features) {
    return 0.5 * Math.log(2.0 / features);
  }

  @Override
  public INDArray keyLogWeights(INDArray k, INDArray omega, INDArray out, INDArray halfNorm, INDArray logPresent) {
    trigRows(k, omega, out);
    return logPresent == null ? halfNorm : halfNorm.addi(logPresent);
  }

  @Override
  public void weighKeys(INDArray out, INDArray weights) {
    out.muliColumnVector(weights);
  }

  @Override
  public INDArray queryRows(INDArray q, INDArray omega, INDArray out, INDArray halfNorm) {
    trigRows(q, omega, out);
    return halfNorm;
  }

  @Override
  public double queryFeatures(double[] dots, double halfNorm, double[] phi) {
    for (int r = 0; r < dots.length; r++) {
      phi[r] = Math.cos(dots[r]);
      phi[dots.length + r] = Math.sin(dots[r]);
    }
    return halfNorm;
  }

  /** [cos(ω'x) | sin(ω'x)] of every row of x into {@code out} [n, m]. */
  private static void trigRows(INDArray x, INDArray omega, INDArray out) {
    int rows = (int) omega.rows();
    INDArray angles = Nd4j.createUninitialized(DataType.FLOAT, x.rows(), rows);
    Nd4j.gemm(x, omega, angles, false, true, 1.0, 0.0);
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, rows)).assign(Transforms.cos(angles, true));
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(rows, out.columns())).assign(Transforms.sin(angles, false));
  }

  @Override
  public String toString() {
    return name();
  }
}
