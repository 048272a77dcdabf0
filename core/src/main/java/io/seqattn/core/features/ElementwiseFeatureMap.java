package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A deterministic feature map applied to each coordinate: m = d_head features, no ω. A new one is a
 * record implementing {@link #apply} (the double-precision reference) and {@link #applyInPlace}
 * (its ND4J form), plus a line in {@link FeatureMaps}.
 */
public non-sealed interface ElementwiseFeatureMap extends FeatureMap {

  /** φ of one scalar in double precision: the reference the ND4J path is tested against. */
  double apply(double x);

  /** Replaces every element of {@code x} by φ(x), in float32. */
  void applyInPlace(INDArray x);

  /**
   * φ'(x) for every element of {@code x}, a new array of x's data type: what training's backward
   * pass multiplies the features' gradient by. At a kink (relu at 0) the value PyTorch's autograd
   * takes there.
   */
  INDArray derivative(INDArray x);

  @Override
  default boolean usesOmega() {
    return false;
  }

  @Override
  default int omegaRows(int features) {
    return 0;
  }

  @Override
  default int defaultFeatures(int dHead) {
    return dHead;
  }

  @Override
  default void checkFeatures(int features, int dHead) {
    if (features != dHead) {
      throw new IllegalArgumentException("feature map " + name() + " has m = d_head (" + dHead
          + ") features, got features = " + features);
    }
    if (features < 1) {
      throw new IllegalArgumentException("features must be >= 1 for " + name() + ", got " + features);
    }
  }

  @Override
  default FeatureKernel bind(float[] omega, int heads, int dHead, int features) {
    if (omega != null) {
      throw new IllegalArgumentException("feature map " + name() + " takes no omega");
    }
    return new ElementwiseFeatureKernel(this, dHead);
  }

  @Override
  default double queryFeatures(float[] q, int offset, int dHead, float[] omega, int omegaOffset, double[] phi) {
    for (int f = 0; f < dHead; f++) {
      phi[f] = apply(q[offset + f]);
    }
    return 0;
  }
}
