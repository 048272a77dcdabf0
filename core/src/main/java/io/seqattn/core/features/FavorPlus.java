package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * FAVOR+ (Choromanski et al., 2021, "Rethinking Attention with Performers"): φ(x) =
 * exp(ωᵢᵀx̂ − ‖x̂‖²/2)/√m over m rows ω — positive, and unbiased for exp(q̂ᵀk̂) with ω ~ N(0, I).
 * Its log-features are its log-weights: keys are stabilized by their largest log-feature, each
 * query row by its own.
 */
public record FavorPlus() implements RandomFeatureMap {

  @Override
  public String name() {
    return "favor+";
  }

  @Override
  public boolean isPositive() {
    return true;
  }

  @Override
  public int omegaRows(int features) {
    return features;
  }

  @Override
  public void checkFeatures(int features, int dHead) {
    if (features < 1) {
      throw new IllegalArgumentException("features must be >= 1 for " + name() + ", got " + features);
    }
  }

  @Override
  public double logNorm(int features) {
    return -0.5 * Math.log(features);
  }

  @Override
  public INDArray keyLogWeights(INDArray k, INDArray omega, INDArray out, INDArray halfNorm, INDArray logPresent) {
    Nd4j.gemm(k, omega, out, false, true, 1.0, 0.0);
    INDArray logWeights = out.subiColumnVector(halfNorm);
    if (logPresent != null) {
      out.addiColumnVector(logPresent);
    }
    return logWeights;
  }

  @Override
  public void weighKeys(INDArray out, INDArray weights) {
    // the exponentiated log-weights are the features
  }

  @Override
  public INDArray queryRows(INDArray q, INDArray omega, INDArray out, INDArray halfNorm) {
    Nd4j.gemm(q, omega, out, false, true, 1.0, 0.0);
    out.subiColumnVector(halfNorm);
    INDArray s = out.max(true, 1);
    Transforms.exp(out.subiColumnVector(s), false);
    return s;
  }

  @Override
  public double queryFeatures(double[] dots, double halfNorm, double[] phi) {
    double max = Double.NEGATIVE_INFINITY;
    for (double dot : dots) {
      max = Math.max(max, dot - halfNorm);
    }
    for (int r = 0; r < dots.length; r++) {
      phi[r] = Math.exp(dots[r] - halfNorm - max);
    }
    return max;
  }

  @Override
  public String toString() {
    return name();
  }
}
